from django.conf import settings
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from consultdesk.clients.models import Client
from consultdesk.consultations.models import Consultation
from consultdesk.web.pagination import window_page


def client_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    clients = Client.objects.annotate(consultation_count=Count("consultations")).order_by(
        "name", "id"
    )
    if query:
        clients = clients.filter(name__icontains=query)
    page = window_page(
        clients, page=request.GET.get("page"), per_page=settings.CONSULTDESK_PAGE_SIZE
    )
    return render(request, "clients/list.html", {"page": page, "query": query})


def client_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A client with its contacts and the consultations this user may see."""
    client = get_object_or_404(Client, pk=pk)
    consultations = (
        Consultation.objects.visible_to(request.user)  # type: ignore[arg-type]
        .filter(client=client)
        .select_related("owner")
        .inbox_order()
    )
    page = window_page(
        consultations, page=request.GET.get("page"), per_page=settings.CONSULTDESK_PAGE_SIZE
    )
    return render(
        request,
        "clients/detail.html",
        {"client": client, "contacts": client.contacts.all(), "page": page},
    )
