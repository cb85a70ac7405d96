from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from consultdesk.accounts.models import User
from consultdesk.accounts.services import api_token_create


class Command(BaseCommand):
    help = (
        "Print a new API token for a user. Send it as 'Authorization: Bearer <token>'. "
        "It is shown once; only its digest is stored."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="a label, e.g. the integration's name")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"], is_active=True).first()
        if user is None:
            raise CommandError(f"no active user {options['username']!r}")
        _token, raw = api_token_create(user=user, name=options["name"])
        self.stdout.write(raw)
