"""Who counts as the client viewing the summary: a browser, with or without script; not
a link previewer fetching the page."""

from __future__ import annotations

import urllib.request
from typing import Any

import pytest

from consultdesk.accounts.models import User
from consultdesk.consultations.choices import Stage
from consultdesk.consultations.models import Consultation
from consultdesk.conversations.models import Activity, ActivityKind
from consultdesk.conversations.services import meeting_create, meeting_end, summary_save
from consultdesk.conversations.services import summary_send as send
from consultdesk.conversations.tests.conftest import walk_to

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _views() -> int:
    return Activity.objects.filter(kind=ActivityKind.SUMMARY_VIEWED).count()


def _link(case: Consultation, alice: User, base: str) -> str:
    from django.utils import timezone

    case = walk_to(case, Stage.PREPARED, alice)
    meeting = meeting_create(
        consultation=case,
        starts_at=timezone.now(),
        place="",
        participants_ours="",
        participants_theirs="",
        actor=alice,
    )
    meeting_end(meeting=meeting, actor=alice)
    sections = {"goals": "- 将超时率从约20%降到5%以下", "concerns": "", "to_confirm": ""}
    version = summary_save(consultation=case, sections=sections, based_on=None, actor=alice)
    return send(version=version, actor=alice, base_url=base).url


def test_a_link_preview_is_not_a_view_a_browser_without_script_is(
    live_server: Any, browser: Any, alices_case: Consultation, alice: User
) -> None:
    link = _link(alices_case, alice, live_server.url)
    agent = {"User-Agent": "Mozilla/5.0 MicroMessenger"}
    preview = urllib.request.Request(link, headers=agent)  # noqa: S310 (the live test server)
    with urllib.request.urlopen(preview) as response:  # noqa: S310 (the live test server)
        assert response.status == 200
    assert _views() == 0

    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(link)
    page.wait_for_load_state("networkidle")
    context.close()
    assert _views() == 1  # the <noscript> background image
