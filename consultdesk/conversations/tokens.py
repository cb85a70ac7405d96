"""Signed client portal links, after Django's PasswordResetTokenGenerator.

A token names a summary and a version and carries a timestamp and an HMAC over state
that changes: the consultation, the version number and the summary's send counter as it
was when this version was sent. Sending again bumps the counter, so older links verify
(the client did receive them) but are recognised as superseded; any edited character
breaks the HMAC. Nothing is stored per link.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.http import base36_to_int, int_to_base36

from consultdesk.conversations.models import Summary, SummaryVersion

KEY_SALT = "consultdesk.conversations.tokens.PortalLink"
MAX_AGE = timedelta(days=30)
# Timestamps count seconds from 2001-01-01 UTC (as Django's tokens do) to keep links short.
EPOCH_SECONDS = 978_307_200


class LinkState(enum.StrEnum):
    VALID = "valid"
    INVALID = "invalid"  # malformed or tampered
    EXPIRED = "expired"
    SUPERSEDED = "superseded"


@dataclass(frozen=True)
class LinkCheck:
    state: LinkState
    version: SummaryVersion | None = None


def _seconds(moment: datetime) -> int:
    return int(moment.timestamp()) - EPOCH_SECONDS


def _signature(version: SummaryVersion, counter: int, timestamp: int) -> str:
    state = (
        f"{version.summary_id}:{version.summary.consultation_id}:{version.number}:"
        f"{counter}:{timestamp}"
    )
    return salted_hmac(KEY_SALT, state, algorithm="sha256").hexdigest()[::2]


def token_make(*, version: SummaryVersion, counter: int, at: datetime) -> str:
    """The token for `version` as sent with the summary's send counter `counter`."""
    timestamp = _seconds(at)
    parts = (int_to_base36(version.summary_id), int_to_base36(version.number))
    signature = _signature(version, counter, timestamp)
    return f"{parts[0]}-{parts[1]}-{int_to_base36(timestamp)}-{signature}"


def token_check(token: str, *, now: datetime) -> LinkCheck:
    """What a portal link is worth now: valid, tampered, expired or superseded."""
    try:
        summary_b36, number_b36, timestamp_b36, signature = token.split("-")
        summary_id, number = base36_to_int(summary_b36), base36_to_int(number_b36)
        timestamp = base36_to_int(timestamp_b36)
    except ValueError:
        return LinkCheck(LinkState.INVALID)
    version = (
        SummaryVersion.objects.select_related("summary__consultation__owner")
        .filter(summary_id=summary_id, number=number, sent_counter__isnull=False)
        .first()
    )
    if version is None or version.sent_counter is None:
        return LinkCheck(LinkState.INVALID)
    expected = _signature(version, version.sent_counter, timestamp)
    if not constant_time_compare(expected, signature):
        return LinkCheck(LinkState.INVALID)
    if version.sent_counter != version.summary.send_counter:
        return LinkCheck(LinkState.SUPERSEDED, version)
    if _seconds(now) - timestamp > MAX_AGE.total_seconds():
        return LinkCheck(LinkState.EXPIRED, version)
    return LinkCheck(LinkState.VALID, version)


def summary_latest_sent(summary: Summary) -> SummaryVersion | None:
    return summary.versions.filter(sent_counter=summary.send_counter).first()
