from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import database_from_url, env_bool, env_int, load_or_create_secret_key


def test_it_reads_booleans_and_rejects_nonsense(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLAG", "yes")
    assert env_bool("FLAG", default=False) is True
    monkeypatch.setenv("FLAG", "perhaps")
    with pytest.raises(ImproperlyConfigured, match="FLAG='perhaps' is not a boolean"):
        env_bool("FLAG", default=False)


def test_it_rejects_a_non_numeric_integer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMAIL_PORT", "twenty-five")
    with pytest.raises(
        ImproperlyConfigured, match="EMAIL_PORT='twenty-five' is not a whole number"
    ):
        env_int("EMAIL_PORT", default=25)


def test_the_embedded_default_is_sqlite_in_wal_mode(tmp_path: Path) -> None:
    config = database_from_url("", sqlite_default=tmp_path / "db.sqlite3", production=False)
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == str(tmp_path / "db.sqlite3")
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]


def test_production_requires_a_database_url(tmp_path: Path) -> None:
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL is required"):
        database_from_url("", sqlite_default=tmp_path / "x", production=True)


@pytest.mark.parametrize("url", ["foo://bar", "postgres://a:b@host:notaport/x", "mysql://h/db"])
def test_it_rejects_unusable_database_urls(url: str, tmp_path: Path) -> None:
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        database_from_url(url, sqlite_default=tmp_path / "x", production=False)


def test_postgres_urls_get_health_checks_and_a_connect_timeout(tmp_path: Path) -> None:
    config = database_from_url(
        "postgres://cd@127.0.0.1:5432/consultdesk", sqlite_default=tmp_path / "x", production=False
    )
    assert (config["ENGINE"], config["CONN_HEALTH_CHECKS"]) == (
        "django.db.backends.postgresql",
        True,
    )
    assert config["OPTIONS"]["connect_timeout"] == 5


def test_the_secret_key_is_generated_once_and_kept(tmp_path: Path) -> None:
    first = load_or_create_secret_key(data_dir=tmp_path, production=False)
    assert len(first) > 50
    assert load_or_create_secret_key(data_dir=tmp_path, production=False) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_production_refuses_to_generate_a_secret_key(tmp_path: Path) -> None:
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY is required"):
        load_or_create_secret_key(data_dir=tmp_path, production=True)
    assert not (tmp_path / "secret_key").exists()


def test_blank_means_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    from config.env import env_str

    monkeypatch.setenv("EMAIL_BACKEND", "  ")
    assert env_str("EMAIL_BACKEND", default="console") == "console"


def test_it_rejects_an_unknown_time_zone_or_language(monkeypatch: pytest.MonkeyPatch) -> None:
    from config.env import env_choice, env_time_zone

    monkeypatch.setenv("TIME_ZONE", "Mars/Olympus")
    with pytest.raises(ImproperlyConfigured, match="'Mars/Olympus' is not a known time zone"):
        env_time_zone("TIME_ZONE", default="Asia/Shanghai")
    monkeypatch.setenv("LANGUAGE_CODE", "fr")
    with pytest.raises(ImproperlyConfigured, match="LANGUAGE_CODE='fr' must be one of: zh-hans"):
        env_choice("LANGUAGE_CODE", default="zh-hans", choices=["zh-hans", "en"])
