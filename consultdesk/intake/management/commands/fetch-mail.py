from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from consultdesk.intake.mailbox import mail_fetch, mailbox_open


class Command(BaseCommand):
    help = "Fetch unseen messages from the IMAP folder set by IMAP_HOST, IMAP_USER, …"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, default=200, help="messages per run")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.IMAP_HOST:
            raise CommandError("IMAP_HOST is not set; see .env.example")
        try:
            box = mailbox_open()
        except OSError as error:
            raise CommandError(f"cannot reach {settings.IMAP_HOST}: {error}") from None
        with box:
            report = mail_fetch(box=box, limit=options["limit"])
        self.stdout.write(
            f"fetched {report.fetched}: {report.processed} processed, {report.failed} failed"
        )
