"""Every lookup of a consultation goes through here, so access rules live in one place."""

from __future__ import annotations

from django.http import Http404

from consultdesk.accounts.models import User
from consultdesk.consultations.models import Consultation


def consultation_for(user: User, pk: int) -> Consultation:
    """The consultation if `user` may see it; 404 otherwise (never 403: no existence leak)."""
    queryset = Consultation.objects.visible_to(user).select_related(
        "client", "owner", "primary_contact"
    )
    consultation = queryset.filter(pk=pk).first()
    if consultation is None:
        raise Http404("No such consultation.")
    return consultation


def require_manager(user: object) -> None:
    """Managers' pages (imports, merges, unprocessed items, breaches): 404 for others."""
    if not getattr(user, "sees_everything", False):
        raise Http404
