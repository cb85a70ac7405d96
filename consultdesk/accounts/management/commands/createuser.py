import getpass
import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from consultdesk.accounts.models import Role, User
from consultdesk.accounts.services import user_create


class Command(BaseCommand):
    help = (
        "Create a team member. The password is read from standard input when it is not a "
        "terminal (so it can be scripted: echo 'pw' | consultdesk createuser alice "
        "--role consultant), otherwise it is asked for twice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="login name, e.g. alice")
        parser.add_argument(
            "--role", choices=Role.values, default=Role.CONSULTANT, help="default: consultant"
        )
        parser.add_argument("--email", default="")
        parser.add_argument("--display-name", default="", help="name shown in the UI")

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["username"]
        if User.objects.filter(username=username).exists():
            raise CommandError(f"user {username!r} already exists")
        try:
            user = user_create(
                username=username,
                role=Role(options["role"]),
                password=self._read_password(),
                email=options["email"],
                display_name=options["display_name"],
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        self.stdout.write(f"created {user.username} ({user.role})")

    def _read_password(self) -> str:
        if not sys.stdin.isatty():
            password = sys.stdin.readline().rstrip("\r\n")
        else:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("the two passwords differ")
        if not password:
            raise CommandError("a password is required (read from standard input)")
        return password
