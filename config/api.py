"""The one JSON API: /api/v1/, OpenAPI schema at /api/v1/openapi.json, docs at /api/v1/docs."""

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI

from consultdesk.accounts.api import API_AUTH
from consultdesk.accounts.api import router as accounts_router
from consultdesk.clients.api import router as clients_router
from consultdesk.consultations.api import router as consultations_router
from consultdesk.sla.api import router as sla_router

api = NinjaAPI(
    title="ConsultDesk API",
    version="1",
    description=(
        "Clients, contacts and consultations. Authenticate with "
        "`Authorization: Bearer <token>` (create one with `consultdesk token NAME`) "
        "or a browser session."
    ),
    auth=API_AUTH,
    urls_namespace="api",
)


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, error: ValidationError) -> HttpResponse:
    """Model validation errors become field-level 422 answers, never a 500."""
    if hasattr(error, "error_dict"):
        detail = [
            {"field": field, "message": message}
            for field, messages in error.message_dict.items()
            for message in messages
        ]
    else:
        detail = [{"field": "__all__", "message": message} for message in error.messages]
    return api.create_response(request, {"detail": detail}, status=422)


api.add_router("/", accounts_router)
api.add_router("/", clients_router)
api.add_router("/", consultations_router)
api.add_router("/", sla_router)
