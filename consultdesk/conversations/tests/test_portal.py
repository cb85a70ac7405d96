from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from consultdesk.accounts.models import User
from consultdesk.conftest import logged_in
from consultdesk.consultations.choices import Stage
from consultdesk.consultations.models import Consultation
from consultdesk.conversations import tokens
from consultdesk.conversations.models import Activity, ActivityKind, Meeting, SummaryVersion
from consultdesk.conversations.services import (
    SummarySent,
    meeting_end,
    summary_confirm,
    summary_request_changes,
    summary_save,
    summary_send,
)
from consultdesk.sla.models import Clock

pytestmark = pytest.mark.django_db

SECTIONS = {
    "goals": "家长端App加载超时率降到5%以下",
    "concerns": "- 预算不超过30万",
    "to_confirm": "- 现有服务器能否扩容？",
}


@pytest.fixture
def met_case(meeting: Meeting, alice: User) -> Consultation:
    meeting_end(meeting=meeting, actor=alice)
    return Consultation.objects.get(pk=meeting.consultation_id)


@pytest.fixture
def sent(met_case: Consultation, alice: User) -> SummarySent:
    version = summary_save(consultation=met_case, sections=SECTIONS, based_on=None, actor=alice)
    return summary_send(version=version, actor=alice, base_url="https://desk.example.cn/")


def _token(sent: SummarySent) -> str:
    return sent.url.rstrip("/").rsplit("/", 1)[1]


def _stage(consultation_id: int) -> str:
    return Consultation.objects.get(pk=consultation_id).stage


def _new_version(sent: SummarySent, alice: User, goals: str = "更新后的目标") -> SummaryVersion:
    return summary_save(
        consultation=sent.version.summary.consultation,
        sections={**SECTIONS, "goals": goals},
        based_on=sent.version.number,
        actor=alice,
    )


class TestSending:
    def test_sending_moves_to_summary_sent_and_stops_the_summary_clock(
        self, sent: SummarySent
    ) -> None:
        consultation = sent.version.summary.consultation
        assert sent.stage.moved_to == Stage.SUMMARY_SENT
        assert _stage(consultation.pk) == Stage.SUMMARY_SENT
        assert not Clock.objects.filter(consultation=consultation, kind="summary").exists()
        assert Consultation.objects.get(pk=consultation.pk).summary_due is None
        assert sent.url.startswith("https://desk.example.cn/p/")

    def test_the_link_is_emailed_after_commit_when_the_contact_has_an_email(
        self, met_case: Consultation, alice: User, django_capture_on_commit_callbacks
    ) -> None:
        met_case.primary_contact.email = "chen@huayu.example.cn"
        met_case.primary_contact.save()
        version = summary_save(consultation=met_case, sections=SECTIONS, based_on=None, actor=alice)
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            result = summary_send(version=version, actor=alice, base_url="https://desk.example.cn")
            assert mail.outbox == []  # nothing leaves before the commit
        for callback in callbacks:
            callback()
        assert result.emailed_to == "chen@huayu.example.cn"
        assert [message.to for message in mail.outbox] == [["chen@huayu.example.cn"]]
        assert result.url in mail.outbox[0].body

    def test_only_the_newest_version_can_be_sent(self, sent: SummarySent, alice: User) -> None:
        from django.core.exceptions import ValidationError

        _new_version(sent, alice)
        with pytest.raises(ValidationError):
            summary_send(version=sent.version, actor=alice)

    def test_alice_sends_from_the_editor_and_sees_a_link_to_copy(
        self, met_case: Consultation, alice: User
    ) -> None:
        summary_save(consultation=met_case, sections=SECTIONS, based_on=None, actor=alice)
        client = logged_in(alice)
        response = client.post(reverse("summary_send", args=[met_case.pk, 1]))
        assert response.status_code == 302
        editor = client.get(reverse("summary_editor", args=[met_case.pk])).content.decode()
        assert 'id="client-link"' in editor
        assert "http://testserver/p/" in editor


class TestLinks:
    def test_a_fresh_link_is_valid(self, sent: SummarySent) -> None:
        check = tokens.token_check(_token(sent), now=timezone.now())
        assert (check.state, check.version) == (tokens.LinkState.VALID, sent.version)

    def test_a_link_older_than_the_max_age_is_expired(self, sent: SummarySent) -> None:
        later = timezone.now() + tokens.MAX_AGE + timedelta(minutes=1)
        assert tokens.token_check(_token(sent), now=later).state == tokens.LinkState.EXPIRED

    def test_sending_a_new_version_supersedes_the_old_link(
        self, sent: SummarySent, alice: User
    ) -> None:
        newer = summary_send(version=_new_version(sent, alice), actor=alice)
        now = timezone.now()
        assert tokens.token_check(_token(sent), now=now).state == tokens.LinkState.SUPERSEDED
        assert tokens.token_check(_token(newer), now=now).state == tokens.LinkState.VALID

    @pytest.mark.parametrize(
        "tamper",
        [
            lambda t: t[:-1] + ("0" if t[-1] != "0" else "1"),  # signature
            lambda t: "-".join([t.split("-")[0], "2", *t.split("-")[2:]]),  # version number
            lambda t: "-".join([*t.split("-")[:2], "zzzzzz", t.split("-")[3]]),  # timestamp
            lambda t: "garbage",
        ],
    )
    def test_an_edited_link_is_invalid(self, sent: SummarySent, tamper) -> None:  # type: ignore[no-untyped-def]
        assert tokens.token_check(tamper(_token(sent)), now=timezone.now()).state == (
            tokens.LinkState.INVALID
        )


class TestPortalPages:
    def test_the_client_sees_the_summary_and_the_consultant_without_logging_in(
        self, sent: SummarySent, client
    ) -> None:
        response = client.get(reverse("portal_summary", args=[_token(sent)]))
        body = response.content.decode()
        assert response.status_code == 200
        assert "家长端App加载超时率降到5%以下" in body
        assert "alice" in body

    def test_the_portal_shows_only_the_summary(self, sent: SummarySent, client) -> None:
        consultation = sent.version.summary.consultation
        body = client.get(reverse("portal_summary", args=[_token(sent)])).content.decode()
        assert "大概想要体验更好一点" not in body  # the client's message
        assert consultation.reference not in body
        assert "现有教学平台" not in body  # record fields not in the summary
        assert reverse("consultation_detail", args=[consultation.pk]) not in body

    def test_the_portal_grants_nothing_else(self, sent: SummarySent, client) -> None:
        client.get(reverse("portal_summary", args=[_token(sent)]))
        consultation = sent.version.summary.consultation
        response = client.get(reverse("summary_editor", args=[consultation.pk]))
        assert response.status_code == 302 and "/login/" in response.url

    def test_confirming_moves_the_consultation_to_summary_confirmed(
        self, sent: SummarySent, client
    ) -> None:
        response = client.post(reverse("portal_confirm", args=[_token(sent)]))
        assert response.status_code == 302
        sent.version.refresh_from_db()
        assert sent.version.confirmed_at is not None
        assert _stage(sent.version.summary.consultation_id) == Stage.SUMMARY_CONFIRMED
        assert Activity.objects.filter(kind=ActivityKind.SUMMARY_CONFIRMED).count() == 1

    def test_confirming_twice_counts_once(self, sent: SummarySent) -> None:
        summary_confirm(version=sent.version)
        summary_confirm(version=sent.version)
        assert Activity.objects.filter(kind=ActivityKind.SUMMARY_CONFIRMED).count() == 1

    def test_requesting_changes_moves_back_to_met_with_the_comments(
        self, sent: SummarySent, client
    ) -> None:
        response = client.post(
            reverse("portal_changes", args=[_token(sent)]),
            {"goals": "", "concerns": "预算其实可以到35万", "to_confirm": ""},
        )
        assert response.status_code == 302
        consultation = sent.version.summary.consultation
        assert _stage(consultation.pk) == Stage.MET
        stage_event = consultation.events.filter(kind="stage_changed").last()
        assert "预算其实可以到35万" in stage_event.data["reason"]
        activity = Activity.objects.get(kind=ActivityKind.CHANGES_REQUESTED)
        assert activity.data["comments"] == {"concerns": "预算其实可以到35万"}

    def test_a_change_request_without_any_comment_is_refused_and_nothing_changes(
        self, sent: SummarySent, client
    ) -> None:
        response = client.post(
            reverse("portal_changes", args=[_token(sent)]),
            {"goals": " ", "concerns": "", "to_confirm": ""},
        )
        assert response.status_code == 422
        assert _stage(sent.version.summary.consultation_id) == Stage.SUMMARY_SENT
        assert not Activity.objects.filter(kind=ActivityKind.CHANGES_REQUESTED).exists()

    @pytest.mark.parametrize("action", ["portal_summary", "portal_confirm", "portal_changes"])
    def test_a_superseded_link_shows_410_and_changes_nothing(
        self, sent: SummarySent, alice: User, client, action: str
    ) -> None:
        summary_send(version=_new_version(sent, alice), actor=alice)
        url = reverse(action, args=[_token(sent)])
        before = Activity.objects.count()
        response = (
            client.get(url) if action == "portal_summary" else client.post(url, {"goals": "x"})
        )
        assert response.status_code == 410
        assert "replaced" in response.content.decode()
        assert Activity.objects.count() == before
        sent.version.refresh_from_db()
        assert sent.version.confirmed_at is None

    def test_an_expired_link_shows_410(self, sent: SummarySent, client) -> None:
        later = timezone.now() + tokens.MAX_AGE + timedelta(days=1)
        with mock.patch("consultdesk.conversations.portal.timezone.now", return_value=later):
            response = client.post(reverse("portal_confirm", args=[_token(sent)]))
        assert response.status_code == 410
        assert "expired" in response.content.decode()
        assert _stage(sent.version.summary.consultation_id) == Stage.SUMMARY_SENT

    def test_a_tampered_link_shows_403(self, sent: SummarySent, client) -> None:
        token = _token(sent)
        response = client.post(reverse("portal_confirm", args=[token[:-2] + "00"]))
        assert response.status_code == 403
        assert "not valid" in response.content.decode()
        assert _stage(sent.version.summary.consultation_id) == Stage.SUMMARY_SENT


def _views() -> int:
    return Activity.objects.filter(kind=ActivityKind.SUMMARY_VIEWED).count()


def _csrf_client():  # type: ignore[no-untyped-def]
    from django.test import Client

    return Client(enforce_csrf_checks=True)


def _beacon(client, token: str, **extra):  # type: ignore[no-untyped-def]
    """What portal.js sends: a POST with the page's CSRF token to the signed URL."""
    page = client.get(reverse("portal_summary", args=[token]))
    csrf = page.context["csrf_token"] if page.status_code == 200 else "x" * 32
    return client.post(reverse("portal_seen", args=[token]), {"csrfmiddlewaretoken": csrf}, **extra)


class TestClientViews:
    """A view counts when a person looks (the page's script reports it), not when a link
    previewer (WeChat, WeCom, Slack, a mail scanner) fetches the page."""

    def test_fetching_the_page_records_no_view(
        self, sent: SummarySent, client, django_assert_num_queries
    ) -> None:
        url = reverse("portal_summary", args=[_token(sent)])
        with django_assert_num_queries(1):  # the version with its summary, case and owner
            response = client.get(url, HTTP_USER_AGENT="Mozilla/5.0 MicroMessenger/8.0")
        assert response.status_code == 200
        assert client.head(url).status_code == 200
        assert _views() == 0

    def test_the_page_carries_the_beacon_and_a_noscript_fallback(
        self, sent: SummarySent, client
    ) -> None:
        body = client.get(reverse("portal_summary", args=[_token(sent)])).content.decode()
        seen = reverse("portal_seen", args=[_token(sent)])
        assert f'data-url="{seen}"' in body and "portal.js" in body
        assert (
            f'<noscript><div class="portal-seen" style="background-image: url(\'{seen}\')' in body
        )

    def test_the_beacon_records_a_view_and_notifies_the_owner_once(
        self, sent: SummarySent, django_capture_on_commit_callbacks, django_assert_num_queries
    ) -> None:
        client = _csrf_client()
        token = _token(sent)
        client.get(reverse("portal_summary", args=[token]))
        with (
            mock.patch("consultdesk.conversations.services.notify_owner") as notify,
            django_capture_on_commit_callbacks(execute=True),
        ):
            first = _beacon(client, token)
            # The version, "a view in the last 30 minutes?" (yes), the request's savepoint pair.
            with django_assert_num_queries(4):
                again = client.post(
                    reverse("portal_seen", args=[token]),
                    {"csrfmiddlewaretoken": client.cookies["csrftoken"].value},
                )
        assert (first.status_code, again.status_code) == (204, 204)
        assert _views() == 1
        assert notify.call_count == 1
        consultation = sent.version.summary.consultation
        assert consultation.events.filter(kind="summary_viewed").count() == 1

    def test_a_view_counts_again_after_the_quiet_period(self, sent: SummarySent) -> None:
        client = _csrf_client()
        token = _token(sent)
        _beacon(client, token)
        later = timezone.now() + timedelta(minutes=31)
        with mock.patch("consultdesk.conversations.services.timezone.now", return_value=later):
            _beacon(client, token)
        assert _views() == 2

    def test_a_beacon_without_the_csrf_token_records_nothing(self, sent: SummarySent) -> None:
        client = _csrf_client()
        response = client.post(reverse("portal_seen", args=[_token(sent)]))
        assert response.status_code == 403
        assert _views() == 0

    def test_the_noscript_image_records_a_view_but_not_from_another_site(
        self, sent: SummarySent, client
    ) -> None:
        url = reverse("portal_seen", args=[_token(sent)])
        assert client.get(url, HTTP_SEC_FETCH_SITE="cross-site").status_code == 204
        assert client.get(url, HTTP_SEC_PURPOSE="prefetch").status_code == 204
        assert client.head(url).status_code == 405
        assert _views() == 0
        assert client.get(url, HTTP_SEC_FETCH_SITE="same-origin").status_code == 204
        assert _views() == 1

    def test_the_consultant_opening_their_own_link_is_not_the_client(
        self, sent: SummarySent, alice: User
    ) -> None:
        client = logged_in(alice)
        assert client.get(reverse("portal_seen", args=[_token(sent)])).status_code == 204
        assert _views() == 0

    def test_a_bad_link_beacon_answers_like_the_page_and_records_nothing(
        self, sent: SummarySent, alice: User
    ) -> None:
        token = _token(sent)
        client = _csrf_client()
        client.get(reverse("portal_summary", args=[token]))  # a CSRF cookie, as in a browser
        csrf = {"csrfmiddlewaretoken": client.cookies["csrftoken"].value}
        tampered = token[:-2] + ("00" if not token.endswith("00") else "11")
        assert client.post(reverse("portal_seen", args=[tampered]), csrf).status_code == 403
        later = timezone.now() + tokens.MAX_AGE + timedelta(days=1)
        with mock.patch("consultdesk.conversations.portal.timezone.now", return_value=later):
            assert client.post(reverse("portal_seen", args=[token]), csrf).status_code == 410
        summary_send(version=_new_version(sent, alice), actor=alice)
        assert client.post(reverse("portal_seen", args=[token]), csrf).status_code == 410
        assert client.get(reverse("portal_seen", args=[token])).status_code == 410
        assert _views() == 0


class TestConcurrency:
    def test_the_client_confirming_while_the_consultant_edits_loses_nothing(
        self, sent: SummarySent, alice: User
    ) -> None:
        draft = _new_version(sent, alice)  # saved, not sent: the client's version stands
        summary_confirm(version=sent.version)
        sent.version.refresh_from_db()
        assert sent.version.confirmed_at is not None
        assert draft.goals == "更新后的目标"
        assert SummaryVersion.objects.count() == 2

    def test_confirming_a_version_superseded_in_the_meantime_is_refused(
        self, sent: SummarySent, alice: User
    ) -> None:
        from consultdesk.conversations.services import SummarySuperseded

        summary_send(version=_new_version(sent, alice), actor=alice)
        with pytest.raises(SummarySuperseded):
            summary_confirm(version=sent.version)
        with pytest.raises(SummarySuperseded):
            summary_request_changes(version=sent.version, comments={"goals": "x"})
        assert _stage(sent.version.summary.consultation_id) == Stage.SUMMARY_SENT


class TestOwnerHearsOfIt:
    def test_the_owner_is_notified_after_commit_and_sees_the_comments_in_the_editor(
        self, sent: SummarySent, alice: User, client, django_capture_on_commit_callbacks
    ) -> None:
        with (
            mock.patch("consultdesk.conversations.services.notify_owner") as notify,
            django_capture_on_commit_callbacks(execute=True),
        ):
            client.post(
                reverse("portal_changes", args=[_token(sent)]),
                {"goals": "目标再具体一点", "concerns": "", "to_confirm": ""},
            )
        consultation = sent.version.summary.consultation
        [(args, _kwargs)] = notify.call_args_list
        assert args[0].pk == consultation.pk
        assert "目标再具体一点" in args[1]
        editor = logged_in(alice).get(reverse("summary_editor", args=[consultation.pk]))
        body = editor.content.decode()
        assert "Client requested changes" in body and "目标再具体一点" in body
