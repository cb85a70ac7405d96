"""Helpers for the service-level tests: Shanghai times and consultations without clocks."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from consultdesk.accounts.models import User
from consultdesk.consultations.choices import Channel, Priority
from consultdesk.consultations.models import Consultation
from consultdesk.consultations.services import consultation_create

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(text: str) -> datetime:
    """``at("2026-09-30 22:00")`` in Shanghai time."""
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=SHANGHAI)


@pytest.fixture
def new_case(alice: User):  # type: ignore[no-untyped-def]
    """A consultation owned by Alice (or ``owner``) with no deadline running yet."""

    def make(
        *,
        channel: Channel = Channel.WEB_FORM,
        priority: Priority = Priority.NORMAL,
        owner: User | None = alice,
        received_at: datetime | None = None,
    ) -> Consultation:
        return consultation_create(
            title="优化在线教学系统",
            channel=channel,
            owner=owner,
            priority=priority,
            received_at=received_at or at("2026-11-25 10:00"),
            actor=None,
        )

    return make
