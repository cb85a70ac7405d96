import errno
import os
import socket
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from gunicorn.app.base import BaseApplication


class Command(BaseCommand):
    help = (
        "Serve ConsultDesk with gunicorn. Defaults: 127.0.0.1, port $PORT or 8000, "
        "$CONSULTDESK_WORKERS (2) worker processes. Refuses to start on an unmigrated "
        "database or a port in use."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("CONSULTDESK_WORKERS", "2"))
        )
        parser.add_argument("--threads", type=int, default=4)

    def handle(self, *args: Any, **options: Any) -> None:
        _require_migrated_database()
        _require_free_port(options["host"], options["port"])
        from config.wsgi import application

        self.stdout.write(f"ConsultDesk on http://{options['host']}:{options['port']}/")
        GunicornApplication(
            application,
            {
                "bind": f"{options['host']}:{options['port']}",
                "workers": options["workers"],
                "threads": options["threads"],
                "accesslog": "-",
                "timeout": 60,
            },
        ).run()


def _require_migrated_database() -> None:
    connection.ensure_connection()
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise CommandError("the database needs migrating first: consultdesk migrate")


def _require_free_port(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise CommandError(
                    f"port {port} on {host} is already in use (set PORT=… to choose another)"
                ) from None
            raise CommandError(f"cannot listen on {host}:{port}: {error.strerror}") from None


class GunicornApplication(BaseApplication):
    def __init__(self, application: Any, options: dict[str, Any]) -> None:
        self.application = application
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return self.application
