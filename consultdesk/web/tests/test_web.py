import polib
from django.conf import settings

from consultdesk.accounts.models import User
from consultdesk.conftest import logged_in
from consultdesk.consultations.models import Consultation


def test_the_health_check_needs_no_login(db: None, client: object) -> None:
    response = client.get("/health")  # type: ignore[attr-defined]
    assert (response.status_code, response.content) == (200, b"ok")


def test_the_home_page_leads_to_the_inbox(alice: User) -> None:
    assert logged_in(alice).get("/")["Location"] == "/inbox/"


def test_an_unknown_page_is_a_friendly_404(alice: User) -> None:
    response = logged_in(alice).get("/no-such-page/")
    assert response.status_code == 404
    assert "This page does not exist" in response.content.decode()


def test_every_navigation_page_renders(alices_case: Consultation, alice: User) -> None:
    browser = logged_in(alice)
    for path in [
        "/inbox/",
        "/inbox/?open=on",
        "/clients/",
        f"/clients/{alices_case.client_id}/",
        "/dashboard/",
        "/consultations/new/",
    ]:
        assert browser.get(path).status_code == 200, path


def test_the_chinese_catalogue_is_complete() -> None:
    catalogue = polib.pofile(
        str(settings.LOCALE_PATHS[0] / "zh_Hans" / "LC_MESSAGES" / "django.po")
    )
    assert catalogue.percent_translated() == 100
    assert catalogue.fuzzy_entries() == []


def test_the_dashboard_shows_service_levels_for_what_the_user_sees(
    alices_case: Consultation, alice: User, charlie: User
) -> None:
    import datetime

    from django.utils import timezone

    from consultdesk.sla.models import Breach, ClockKind

    Breach.objects.create(
        consultation=alices_case,
        kind=ClockKind.FIRST_RESPONSE,
        due_at=timezone.now() - datetime.timedelta(hours=1),
        breached_at=timezone.now(),
    )
    mine = logged_in(alice).get("/dashboard/").context["service"]
    theirs = logged_in(charlie).get("/dashboard/").context["service"]
    assert (
        mine.received_30_days,
        mine.response_breaches_30_days,
        mine.response_on_time_percent,
    ) == (1, 1, 0)
    assert (theirs.received_30_days, theirs.response_breaches_30_days) == (0, 0)
