"""The `consultdesk` command as a user runs it: real processes, exit codes, one-line errors."""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

CONSULTDESK = str(Path(sys.executable).with_name("consultdesk"))


def run(
    *args: str, env: dict[str, str] | None = None, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        # DJANGO_ALLOW_ASYNC_UNSAFE: set by the browser tests, refused by check --deploy.
        if key
        not in {
            "DATABASE_URL",
            "DJANGO_SETTINGS_MODULE",
            "CONSULTDESK_PRODUCTION",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    environment.update(env or {})
    return subprocess.run(
        [CONSULTDESK, *args],
        capture_output=True,
        text=True,
        env=environment,
        input=stdin,
        timeout=120,
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], *, contains: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert contains in lines[0]


def test_help_lists_the_main_commands() -> None:
    result = run("--help")
    assert result.returncode == 0
    for command in ("serve", "migrate", "demo", "createuser", "token", "check", "analyze"):
        assert f"  {command}" in result.stdout


def test_an_invalid_database_url_is_one_line(tmp_path: Path) -> None:
    result = run("check", env={"DATABASE_URL": "foo://bar", "CONSULTDESK_DATA_DIR": str(tmp_path)})
    assert_one_line_error(result, contains="DATABASE_URL scheme 'foo' is not supported")
    assert result.returncode == 2


def test_production_without_a_secret_key_is_one_line(tmp_path: Path) -> None:
    result = run(
        "check",
        env={
            "CONSULTDESK_PRODUCTION": "1",
            "SECRET_KEY": "",
            "CONSULTDESK_DATA_DIR": str(tmp_path),
        },
    )
    assert_one_line_error(result, contains="SECRET_KEY is required")


def test_an_unreachable_database_is_one_line(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = run(
        "migrate",
        env={
            "DATABASE_URL": f"postgres://nobody@127.0.0.1:{port}/nothing",
            "CONSULTDESK_DATA_DIR": str(tmp_path),
        },
    )
    assert_one_line_error(result, contains="cannot use the database (PostgreSQL at 127.0.0.1")
    assert result.returncode == 1


@pytest.fixture
def migrated_data_dir(tmp_path: Path) -> Path:
    assert run("migrate", "--no-input", env={"CONSULTDESK_DATA_DIR": str(tmp_path)}).returncode == 0
    return tmp_path


def test_serve_refuses_a_port_in_use(migrated_data_dir: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run(
            "serve", "--port", str(port), env={"CONSULTDESK_DATA_DIR": str(migrated_data_dir)}
        )
    assert_one_line_error(result, contains=f"port {port} on 127.0.0.1 is already in use")


def test_serve_refuses_an_unmigrated_database(tmp_path: Path) -> None:
    result = run("serve", "--port", "0", env={"CONSULTDESK_DATA_DIR": str(tmp_path)})
    assert_one_line_error(result, contains="needs migrating first")


def test_the_embedded_database_uses_wal_and_keeps_data_between_runs(
    migrated_data_dir: Path,
) -> None:
    env = {"CONSULTDESK_DATA_DIR": str(migrated_data_dir)}
    created = run(
        "createuser", "gina", "--role", "consultant", env=env, stdin="a-long-and-unusual-password\n"
    )
    assert created.stdout == "created gina (consultant)\n", created.stderr
    assert run("migrate", "--no-input", env=env).returncode == 0
    token = run("token", "gina", env=env)
    assert token.returncode == 0 and token.stdout.startswith("cd_")
    import sqlite3

    with sqlite3.connect(migrated_data_dir / "consultdesk.sqlite3") as database:
        assert database.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_production_mode_passes_the_deployment_checks(tmp_path: Path) -> None:
    result = run(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={
            "CONSULTDESK_PRODUCTION": "1",
            "SECRET_KEY": "k" * 20 + "-a-long-random-production-secret-value-0123456789",
            "DATABASE_URL": "postgres://nobody@127.0.0.1:5432/unused",
            "ALLOWED_HOSTS": "desk.example.cn",
            "CONSULTDESK_DATA_DIR": str(tmp_path),
        },
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
