"""IMAP polling: fetch unseen messages byte-exact, store each raw, then mark it seen.

A message is flagged \\Seen only after its raw bytes are committed, so a crash between
the two fetches it again next time, and the Message-ID makes that second copy a no-op.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django_tasks import task
from imap_tools import AND, MailBox, MailBoxUnencrypted, MailMessageFlags

from consultdesk.consultations.choices import Channel
from consultdesk.intake.models import InboundStatus
from consultdesk.intake.services import inbound_receive

logger = logging.getLogger(__name__)


class Mailbox(Protocol):
    client: Any

    def uids(self, criteria: Any) -> list[str]: ...

    def flag(self, uid_list: Any, flag_set: Any, value: bool) -> Any: ...


@dataclass
class FetchReport:
    fetched: int = 0
    processed: int = 0
    failed: int = 0


def mailbox_open() -> Any:
    """Log in to the configured IMAP folder (settings IMAP_*)."""
    kind = MailBox if settings.IMAP_SSL else MailBoxUnencrypted
    box = kind(settings.IMAP_HOST, port=settings.IMAP_PORT, timeout=30)
    return box.login(
        settings.IMAP_USER, settings.IMAP_PASSWORD, initial_folder=settings.IMAP_FOLDER
    )


def raw_message(box: Mailbox, uid: str) -> bytes | None:
    status, data = box.client.uid("FETCH", uid, "(BODY.PEEK[])")
    if status != "OK":
        return None
    for part in data:
        if isinstance(part, tuple) and len(part) == 2 and isinstance(part[1], bytes):
            return part[1]
    return None


def mail_fetch(*, box: Mailbox, limit: int = 200) -> FetchReport:
    """Store and process up to `limit` unseen messages from an open mailbox."""
    report = FetchReport()
    for uid in box.uids(AND(seen=False))[:limit]:
        raw = raw_message(box, uid)
        if raw is None:
            logger.warning("IMAP message %s could not be fetched", uid)
            continue
        item = inbound_receive(channel=Channel.EMAIL, raw=raw, metadata={"imap_uid": uid})
        box.flag(uid, MailMessageFlags.SEEN, True)
        report.fetched += 1
        if item.status == InboundStatus.FAILED:
            report.failed += 1
        else:
            report.processed += 1
    return report


@task()
def mail_poll_task() -> None:
    """The worker's periodic IMAP poll; does nothing until IMAP_HOST is configured."""
    if not settings.IMAP_HOST:
        return
    try:
        box = mailbox_open()
    except OSError:
        logger.exception("cannot reach the IMAP server %s", settings.IMAP_HOST)
        return
    with box:
        report = mail_fetch(box=box)
    if report.fetched:
        logger.info("IMAP: %s fetched, %s failed", report.fetched, report.failed)
