import sys
from typing import Any

from django.core.management.base import BaseCommand
from django.db import DatabaseError

from consultdesk.consultations.choices import Channel
from consultdesk.intake.models import InboundStatus
from consultdesk.intake.services import inbound_process, inbound_store

EX_TEMPFAIL = 75  # sysexits.h: the MTA keeps the message and retries later


class Command(BaseCommand):
    help = (
        "Read one raw RFC 5322 message on standard input (for a Postfix/Exim pipe). "
        "Exit 0 once it is stored, even if it cannot be parsed (it then waits in the "
        "unprocessed list); exit 75 when it cannot be stored, so the MTA retries."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        raw = sys.stdin.buffer.read()
        try:
            item = inbound_store(channel=Channel.EMAIL, raw=raw, metadata={"via": "pipe"})
        except DatabaseError as error:
            self.stderr.write(f"consultdesk: cannot store the message now ({error}); retry later")
            sys.exit(EX_TEMPFAIL)
        item = inbound_process(item=item)
        if item.status == InboundStatus.FAILED:
            self.stderr.write(f"stored as inbound item {item.pk}, not processed: {item.error}")
        else:
            reference = item.consultation.reference if item.consultation else "-"
            self.stdout.write(f"stored as inbound item {item.pk}: {item.status} {reference}")
