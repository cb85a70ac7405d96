import io

import pytest
from django.contrib.auth.hashers import identify_hasher
from django.core.management import CommandError, call_command
from django.test import Client as HttpClient
from django.test import override_settings

from consultdesk.accounts.models import ApiToken, Role, User
from consultdesk.accounts.services import api_token_authenticate, api_token_create, user_create
from consultdesk.conftest import logged_in


def test_createuser_reads_the_password_from_stdin_and_assigns_the_role_group(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("a-long-and-unusual-password\n"))
    out = io.StringIO()
    call_command("createuser", "dora", "--role", "manager", stdout=out)
    dora = User.objects.get(username="dora")
    assert out.getvalue() == "created dora (manager)\n"
    assert dora.role == Role.MANAGER
    assert list(dora.groups.values_list("name", flat=True)) == ["manager"]
    assert dora.check_password("a-long-and-unusual-password")
    assert dora.has_perm("consultations.change_consultation")
    assert not dora.is_staff


def test_createuser_refuses_a_weak_password_and_creates_nobody(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("123\n"))
    with pytest.raises(CommandError, match="too short"):
        call_command("createuser", "eve")
    assert not User.objects.filter(username="eve").exists()


def test_createuser_refuses_an_existing_name(alice: User, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("a-long-and-unusual-password\n"))
    with pytest.raises(CommandError, match="already exists"):
        call_command("createuser", "alice")


def test_an_admin_is_a_superuser_who_can_use_the_django_admin(db: None) -> None:
    admin = user_create(username="root", role=Role.ADMIN, password="x", validate=False)
    assert (admin.is_staff, admin.is_superuser) == (True, True)
    assert logged_in(admin).get("/admin/").status_code == 200


def test_a_consultant_cannot_use_the_django_admin(alice: User) -> None:
    assert logged_in(alice).get("/admin/").status_code == 302


@override_settings(
    PASSWORD_HASHERS=[
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
)
def test_passwords_are_hashed_with_argon2(db: None) -> None:
    user = user_create(
        username="frank", role=Role.CONSULTANT, password="a-long-and-unusual-password"
    )
    assert identify_hasher(user.password).algorithm == "argon2"


def test_the_token_command_prints_a_token_that_authenticates(alice: User) -> None:
    out = io.StringIO()
    call_command("token", "alice", stdout=out)
    raw = out.getvalue().strip()
    assert raw.startswith("cd_")
    assert api_token_authenticate(raw_token=raw) == alice
    stored = ApiToken.objects.get()
    assert raw not in (stored.digest, stored.prefix)  # only a digest is kept


def test_a_token_of_a_deactivated_user_stops_working(alice: User) -> None:
    _token, raw = api_token_create(user=alice)
    alice.is_active = False
    alice.save()
    assert api_token_authenticate(raw_token=raw) is None


def test_the_token_command_refuses_an_unknown_user(db: None) -> None:
    with pytest.raises(CommandError, match="no active user"):
        call_command("token", "nobody")


def test_logging_in_lands_on_the_inbox(alice: User) -> None:
    response = HttpClient().post(
        "/login/", {"username": "alice", "password": "correct-horse-battery-staple"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/inbox/"


def test_a_wrong_password_shows_the_form_again(alice: User) -> None:
    response = HttpClient().post("/login/", {"username": "alice", "password": "nope"})
    assert response.status_code == 200
    assert response.context["form"].errors


def test_the_chosen_language_is_remembered_on_the_user(alice: User) -> None:
    browser = logged_in(alice)
    response = browser.post("/language", {"language": "zh-hans", "next": "/inbox/"})
    assert response["Location"] == "/inbox/"
    alice.refresh_from_db()
    assert alice.language == "zh-hans"
    # The saved choice wins over an English browser, even without the cookie.
    fresh = logged_in(alice)
    page = fresh.get("/inbox/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "收件箱" in page


def test_switching_language_refuses_unknown_codes_and_foreign_redirects(alice: User) -> None:
    browser = logged_in(alice)
    assert browser.post("/language", {"language": "klingon"}).status_code == 400
    response = browser.post("/language", {"language": "en", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_password_change_page_renders(alice: User) -> None:
    assert logged_in(alice).get("/password/").status_code == 200


@override_settings(AXES_FAILURE_LIMIT=3)
def test_password_guessing_is_locked_out(alice: User) -> None:
    browser = HttpClient()
    for _attempt in range(3):
        browser.post("/login/", {"username": "alice", "password": "guess"})
    response = browser.post(
        "/login/", {"username": "alice", "password": "correct-horse-battery-staple"}
    )
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()
