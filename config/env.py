"""Typed readers for environment variables that fail loudly with one-line messages.

Read by `config.settings` only; a bad value raises `ImproperlyConfigured` whose message
names the variable, which the `consultdesk` command prints as a single line.
"""

from __future__ import annotations

import os
import secrets
import zoneinfo
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
SUPPORTED_SCHEMES = {"sqlite", "postgres", "postgresql", "pgsql"}


def env_str(name: str, *, default: str) -> str:
    """The variable's value; unset or blank means the default."""
    return os.environ.get(name, "").strip() or default


def env_choice(name: str, *, default: str, choices: list[str]) -> str:
    value = env_str(name, default=default)
    if value not in choices:
        raise ImproperlyConfigured(f"{name}={value!r} must be one of: {', '.join(choices)}.")
    return value


def env_time_zone(name: str, *, default: str) -> str:
    value = env_str(name, default=default)
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ImproperlyConfigured(f"{name}={value!r} is not a known time zone.") from None
    return value


def env_bool(name: str, *, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false).")


def env_int(name: str, *, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None


def env_list(name: str, *, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def load_or_create_secret_key(*, data_dir: Path, production: bool) -> str:
    """The embedded default keeps a generated key in the data dir; production must set one."""
    if production:
        raise ImproperlyConfigured(
            "SECRET_KEY is required when CONSULTDESK_PRODUCTION=1 (set a long random value)."
        )
    key_file = data_dir / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(50)
        # O_EXCL: two processes starting at once must not write two different keys.
        descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return key_file.read_text().strip()
    except OSError as error:
        raise ImproperlyConfigured(
            f"CONSULTDESK_DATA_DIR={data_dir} is not writable: {error.strerror}."
        ) from None
    with os.fdopen(descriptor, "w") as handle:
        handle.write(key)
    return key


def database_from_url(url: str, *, sqlite_default: Path, production: bool) -> dict[str, Any]:
    """Parse DATABASE_URL; empty means the embedded SQLite file (refused in production)."""
    if not url:
        if production:
            raise ImproperlyConfigured(
                "DATABASE_URL is required when CONSULTDESK_PRODUCTION=1 "
                "(e.g. postgres://user:password@host:5432/consultdesk)."
            )
        url = f"sqlite:///{sqlite_default}"
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme not in SUPPORTED_SCHEMES:
        raise ImproperlyConfigured(
            f"DATABASE_URL scheme {scheme or '(none)'!r} is not supported; "
            "use sqlite:///path/to/file.sqlite3 or postgres://user:password@host:5432/name."
        )
    try:
        config: dict[str, Any] = dict(dj_database_url.parse(url))
    except (ValueError, KeyError) as error:
        raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {error}") from None
    if config["ENGINE"] == "django.db.backends.sqlite3":
        return _sqlite_options(config)
    return _postgresql_options(config)


def _sqlite_options(config: dict[str, Any]) -> dict[str, Any]:
    name = config.get("NAME") or ""
    if name and name != ":memory:":
        Path(name).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets readers continue while one writer commits; IMMEDIATE transactions take
    # the write lock up front, so concurrent writers wait instead of failing mid-way.
    config["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
    }
    return config


def _postgresql_options(config: dict[str, Any]) -> dict[str, Any]:
    config.setdefault("OPTIONS", {})
    config["CONN_HEALTH_CHECKS"] = True
    config["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", default=60)
    config["OPTIONS"].setdefault("connect_timeout", 5)
    return config
