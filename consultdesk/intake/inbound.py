"""What every channel adapter produces: a parsed inbound item, independent of Django.

Adapters (`consultdesk.intake.channels.*`) turn raw bytes into an `InboundMessage`; the
ingest service alone decides what it becomes (a new consultation or a message on one).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field


@dataclass(frozen=True)
class InboundAttachment:
    filename: str
    content_type: str
    size: int
    # None when the attachment was not kept (too large, or undecodable); see `dropped_reason`.
    content: bytes | None
    dropped_reason: str = ""


@dataclass(frozen=True)
class InboundMessage:
    channel: str  # a consultdesk.consultations.choices.Channel value
    external_id: str  # the channel's own id: the idempotency key (Message-ID, MsgId, …)
    body: str  # plain text, never HTML
    subject: str = ""
    sender_name: str = ""
    sender_email: str = ""
    sender_phone: str = ""
    sender_wechat: str = ""  # WeChat external_userid / OpenID, or a WeCom UserID
    organisation: str = ""
    received_at: datetime.datetime | None = None  # aware; None = when we stored it
    # Ids of earlier messages this one answers (email In-Reply-To then References).
    replies_to: tuple[str, ...] = ()
    attachments: tuple[InboundAttachment, ...] = ()
    # Channel-specific facts worth keeping (e.g. WeChat "scene", message type, MediaId).
    extra: dict[str, str] = field(default_factory=dict)
    # Problems met while parsing that did not stop it (e.g. an unknown charset).
    warnings: tuple[str, ...] = ()
