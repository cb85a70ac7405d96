"""The `consultdesk` command: Django's management commands plus the pure `analyze` tool.

Configuration mistakes end in one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import os
import sys

PRIMARY_COMMANDS = [
    ("serve", "run the web application (gunicorn) on 127.0.0.1:$PORT"),
    ("migrate", "create or upgrade the database tables"),
    ("demo", "load the bilingual demo data set (kept if already loaded)"),
    ("createuser NAME --role R", "add a consultant, manager or admin (password on stdin)"),
    ("token NAME", "print a new API token for a user"),
    ("analyze", "analyse text on stdin for vague wording and facts (no database)"),
    ("check [--deploy]", "check the configuration"),
]


def _usage() -> str:
    width = max(len(name) for name, _text in PRIMARY_COMMANDS)
    lines = [
        "usage: consultdesk COMMAND [options]   (consultdesk COMMAND --help for details)",
        "",
        "ConsultDesk: client consultations from the first question mark to the full stop.",
        "",
        "main commands:",
        *(f"  {name.ljust(width)}  {text}" for name, text in PRIMARY_COMMANDS),
        "",
        "every Django management command works too: consultdesk help --commands",
    ]
    return "\n".join(lines)


def fail(message: str, *, code: int = 2) -> int:
    print(f"consultdesk: error: {message}", file=sys.stderr)
    return code


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help"} or args == ["help"]:
        print(_usage())
        return 0
    if args[0] == "analyze":
        # The analysis engine is pure Python: no settings, no database, fast start.
        from consultdesk.analysis.cli import main as analyze_main

        return analyze_main(args[1:])
    return _run_django_command(args)


def _run_django_command(args: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.exceptions import ImproperlyConfigured

    try:
        import django

        django.setup()
    except ImproperlyConfigured as error:
        return fail(str(error))

    from django.core.management import execute_from_command_line
    from django.db import DatabaseError, InterfaceError, OperationalError

    try:
        execute_from_command_line(["consultdesk", *args])
    except (OperationalError, InterfaceError) as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error)
        return fail(f"cannot use the database ({_database_label()}): {first_line}", code=1)
    except DatabaseError as error:
        return fail(f"database error: {str(error).strip().splitlines()[0]}", code=1)
    except ImproperlyConfigured as error:
        return fail(str(error))
    except KeyboardInterrupt:
        return 130
    return 0


def _database_label() -> str:
    from django.conf import settings

    database = settings.DATABASES["default"]
    if "sqlite" in database["ENGINE"]:
        return f"SQLite file {database['NAME']}"
    return f"PostgreSQL at {database.get('HOST') or 'local socket'}:{database.get('PORT') or 5432}"


if __name__ == "__main__":
    sys.exit(main())
