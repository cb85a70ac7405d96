from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from consultdesk.consultations.access import consultation_for
from consultdesk.insights.models import Finding, FindingStatus
from consultdesk.insights.services import finding_set_status, suggestion_apply


@require_POST
def finding_status(request: HttpRequest, pk: int, finding_pk: int) -> HttpResponse:
    consultation = consultation_for(request.user, pk)  # type: ignore[arg-type]
    finding = get_object_or_404(Finding, pk=finding_pk, consultation=consultation)
    status = request.POST.get("status", "")
    if status in FindingStatus.values:
        finding_set_status(finding=finding, status=FindingStatus(status), actor=request.user)  # type: ignore[arg-type]
    return redirect("consultation_detail", pk=pk)


@require_POST
def suggestion_use(request: HttpRequest, pk: int, field: str) -> HttpResponse:
    consultation = consultation_for(request.user, pk)  # type: ignore[arg-type]
    suggestion_apply(consultation=consultation, field=field, actor=request.user)  # type: ignore[arg-type]
    return redirect("consultation_detail", pk=pk)
