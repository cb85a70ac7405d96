"""Header fields of a raw email: addresses, ids, dates — decoded from the original bytes.

Pure helpers for `consultdesk.intake.channels.email`.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from email.message import Message
from email.utils import parseaddr, parsedate_to_datetime

from consultdesk.intake.channels.email_charsets import decode_header

_ANGLE_ID = re.compile(r"<([^<>\s]+)>")


class RawHeaders:
    """Header values as the original bytes, so that we, not the parser, pick the charset."""

    def __init__(self, values: dict[str, list[bytes]]) -> None:
        self.values = values

    @classmethod
    def of(cls, message: Message) -> RawHeaders:
        values: dict[str, list[bytes]] = {}
        for name, value in message.raw_items():
            values.setdefault(name.strip().lower(), []).append(to_bytes(str(value)))
        return cls(values)

    def first(self, name: str) -> bytes | None:
        found = self.values.get(name)
        return found[0] if found else None

    def ascii_items(self) -> list[tuple[str, str]]:
        return [
            (name, value.decode("ascii", "replace"))
            for name, values in self.values.items()
            for value in values
        ]


def to_bytes(text: str) -> bytes:
    # The bytes parser keeps undecodable bytes as lone surrogates; this restores them.
    try:
        return text.encode("ascii", "surrogateescape")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace")


def one_line(text: str) -> str:
    return " ".join(text.split())


def parse_address(raw: bytes | None, fallback: list[str | None]) -> tuple[str, str]:
    """(display name, address) from a From-like header; the name may be encoded."""
    if raw is None:
        return "", ""
    # Split before decoding: a decoded name may contain commas or angle brackets.
    name, address = parseaddr(raw.decode("ascii", "surrogateescape"))
    decoded_name, _ = decode_header(to_bytes(name), fallback_charsets=fallback)
    decoded_address, _ = decode_header(to_bytes(address), fallback_charsets=fallback)
    if "@" not in decoded_address:
        decoded_address = ""
    return one_line(decoded_name), decoded_address.strip()


def parse_message_id(raw: bytes | None) -> str:
    if raw is None:
        return ""
    text, _ = decode_header(raw)
    match = _ANGLE_ID.search(text)
    if match:
        return match.group(1)
    parts = text.strip().strip("<>").split()
    return parts[0] if parts else ""


def synthetic_id(raw: bytes) -> str:
    # Stable, so that fetching the same message twice is still idempotent.
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def reply_ids(headers: RawHeaders, *, exclude: str) -> tuple[str, ...]:
    """In-Reply-To ids, then References ids newest (last) first, without duplicates."""
    ids: list[str] = []
    for name, newest_first in (("in-reply-to", False), ("references", True)):
        for raw in headers.values.get(name, []):
            found = _ANGLE_ID.findall(raw.decode("ascii", "replace"))
            ids.extend(reversed(found) if newest_first else found)
    unique = dict.fromkeys(message_id for message_id in ids if message_id != exclude)
    return tuple(unique)


def parse_date(raw: bytes | None) -> tuple[datetime.datetime | None, str]:
    """An aware datetime from a Date header, or None and the reason."""
    if raw is None:
        return None, "no Date header; received_at left empty"
    text = raw.decode("ascii", "replace").strip()
    try:
        value = parsedate_to_datetime(text)
    except (ValueError, TypeError, IndexError, OverflowError):
        return None, f"unreadable Date header {text[:80]!r}; received_at left empty"
    if value.tzinfo is None:
        # RFC 5322 "-0000": the time is UTC, the sender's zone is unknown.
        value = value.replace(tzinfo=datetime.UTC)
    return value, ""
