"""The only write path for users, roles and API tokens."""

from __future__ import annotations

import datetime
import secrets

from django.contrib.auth.models import Group, Permission
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone

from consultdesk.accounts.models import ApiToken, Role, User, token_digest

TOKEN_PREFIX = "cd_"  # noqa: S105 (a visible marker, not a secret)

# Django admin permissions per role; managers also see every consultation
# (User.sees_everything), administrators are superusers.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.CONSULTANT: [
        "clients.view_client",
        "clients.view_contact",
        "consultations.view_consultation",
    ],
    Role.MANAGER: [
        "clients.view_client",
        "clients.change_client",
        "clients.view_contact",
        "clients.change_contact",
        "consultations.view_consultation",
        "consultations.change_consultation",
        "accounts.view_user",
    ],
    Role.ADMIN: [],
}


def role_groups_ensure() -> dict[str, Group]:
    """One group per role carrying that role's permissions (idempotent)."""
    groups = {}
    for role in Role:
        group, _created = Group.objects.get_or_create(name=role.value)
        codenames = ROLE_PERMISSIONS[role]
        permissions = Permission.objects.filter(
            content_type__app_label__in={name.split(".")[0] for name in codenames},
            codename__in={name.split(".")[1] for name in codenames},
        )
        group.permissions.set(permissions)
        groups[role.value] = group
    return groups


@transaction.atomic
def user_create(
    *,
    username: str,
    role: Role,
    password: str | None,
    email: str = "",
    display_name: str = "",
    validate: bool = True,
) -> User:
    """Create a team member with the role's group; passwords pass Django's validators."""
    user = User(
        username=username,
        role=role,
        email=email,
        display_name=display_name,
        is_staff=role == Role.ADMIN,
        is_superuser=role == Role.ADMIN,
    )
    user.full_clean(exclude=["password"])
    if password is None:
        user.set_unusable_password()
    else:
        if validate:
            validate_password(password, user=user)
        user.set_password(password)
    user.save()
    user.groups.set([role_groups_ensure()[role.value]])
    return user


def user_set_language(*, user: User, language: str) -> User:
    """Remember the user's interface language (empty string: follow the browser)."""
    user.language = User._meta.get_field("language").clean(language, user)
    user.save(update_fields=["language"])
    return user


def api_token_create(*, user: User, name: str = "") -> tuple[ApiToken, str]:
    """A new API token; the raw value is returned once and never stored."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, digest=token_digest(raw), prefix=raw[:10])
    return token, raw


def api_token_authenticate(*, raw_token: str) -> User | None:
    """The active user owning this token, recording when it was last used."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=token_digest(raw_token), user__is_active=True)
        .first()
    )
    if token is None:
        return None
    # A conditional UPDATE: no read-modify-write race, at most one write a minute.
    now = timezone.now()
    ApiToken.objects.filter(pk=token.pk).exclude(
        last_used_at__gt=now - datetime.timedelta(minutes=1)
    ).update(last_used_at=now)
    return token.user
