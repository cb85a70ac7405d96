from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.security import HttpBearer, SessionAuth

from consultdesk.accounts.services import api_token_authenticate


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>` with a token from `consultdesk token NAME`."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_authenticate(raw_token=token)
        if user is not None:
            request.user = user
        return user


# Session cookies work too (the browser UI's htmx calls); unsafe methods need CSRF.
API_AUTH = [BearerToken(), SessionAuth()]

router = Router(tags=["accounts"])


class MeOut(Schema):
    username: str
    display_name: str
    role: str
    language: str


@router.get("/me", response=MeOut, summary="The authenticated user")
def me(request: HttpRequest) -> Any:
    return request.user
