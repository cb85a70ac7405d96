"""Shared actors: Alice owns consultations, Bob is on her team, Charlie must see nothing
of theirs, Maria manages everyone."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient

from consultdesk.accounts.models import Role, User
from consultdesk.accounts.services import user_create
from consultdesk.clients.models import Client, Contact, ContactRole
from consultdesk.consultations.choices import Channel
from consultdesk.consultations.models import Consultation
from consultdesk.consultations.services import consultation_create

PASSWORD = "correct-horse-battery-staple"


def _member(username: str, role: Role) -> User:
    return user_create(username=username, role=role, password=PASSWORD, validate=False)


@pytest.fixture
def alice(db: None) -> User:
    return _member("alice", Role.CONSULTANT)


@pytest.fixture
def bob(db: None) -> User:
    return _member("bob", Role.CONSULTANT)


@pytest.fixture
def charlie(db: None) -> User:
    return _member("charlie", Role.CONSULTANT)


@pytest.fixture
def maria(db: None) -> User:
    return _member("maria", Role.MANAGER)


@pytest.fixture
def acme(db: None) -> Client:
    return Client.objects.create(name="华育在线教育", industry="education")


@pytest.fixture
def principal(acme: Client) -> Contact:
    return Contact.objects.create(client=acme, name="陈校长", role=ContactRole.BUSINESS)


@pytest.fixture
def alices_case(alice: User, acme: Client, principal: Contact) -> Consultation:
    return consultation_create(
        title="优化在线教学系统",
        channel=Channel.WEB_FORM,
        client=acme,
        contact=principal,
        owner=alice,
        first_message="我们想优化一下在线教学系统，大概想要体验更好一点。",
        actor=alice,
    )


def logged_in(user: User) -> HttpClient:
    client = HttpClient()
    client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Cached values (e.g. inbox counts keyed by user id) must not leak between tests."""
    from django.core.cache import cache

    cache.clear()
