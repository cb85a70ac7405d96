from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from consultdesk.clients import services
from consultdesk.clients.models import Client, Contact, ContactRole
from consultdesk.web.pagination import CappedPageNumberPagination

router = Router(tags=["clients"])


class ClientIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    industry: str = ""
    size: str = ""
    technical_level: str = ""
    website: str = ""
    notes: str = ""


class ClientPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    industry: str | None = None
    size: str | None = None
    technical_level: str | None = None
    website: str | None = None
    notes: str | None = None


class ClientOut(ClientIn):
    id: int


class ContactIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    role: ContactRole = ContactRole.OTHER
    job_title: str = ""
    phone: str = ""
    email: str = ""
    wechat_id: str = ""
    wecom_id: str = ""


class ContactOut(ContactIn):
    id: int
    client_id: int | None


# Clients and contacts are shared reference data: every team member may read them.
@router.get("/clients", response=list[ClientOut], summary="List clients")
@paginate(CappedPageNumberPagination, page_size=50)
def client_list(request: HttpRequest, q: str = "") -> QuerySet[Client]:
    clients = Client.objects.order_by("name", "id")
    return clients.filter(name__icontains=q) if q else clients


@router.post("/clients", response={201: ClientOut}, summary="Create a client")
def client_create(request: HttpRequest, payload: ClientIn) -> Any:
    return Status(201, services.client_create(**payload.dict()))


@router.get("/clients/{pk}", response=ClientOut)
def client_read(request: HttpRequest, pk: int) -> Any:
    return get_object_or_404(Client, pk=pk)


@router.patch("/clients/{pk}", response=ClientOut)
def client_update(request: HttpRequest, pk: int, payload: ClientPatch) -> Any:
    client = get_object_or_404(Client, pk=pk)
    return services.client_update(client=client, changes=payload.dict(exclude_unset=True))


@router.get("/clients/{pk}/contacts", response=list[ContactOut])
def contact_list(request: HttpRequest, pk: int) -> Any:
    return get_object_or_404(Client, pk=pk).contacts.order_by("name", "id")


@router.post("/clients/{pk}/contacts", response={201: ContactOut})
def contact_create(request: HttpRequest, pk: int, payload: ContactIn) -> Any:
    client = get_object_or_404(Client, pk=pk)
    return Status(201, services.contact_create(client=client, **payload.dict()))


class ContactMergeIn(Schema):
    target_id: int


@router.post(
    "/contacts/{pk}/merge",
    response=ContactOut,
    summary="This contact is the same person as target_id: keep the target with every id",
)
def contact_merge(request: HttpRequest, pk: int, payload: ContactMergeIn) -> Any:
    source = get_object_or_404(Contact, pk=pk)
    target = get_object_or_404(Contact, pk=payload.target_id)
    return services.contact_merge(source=source, target=target)


@router.patch("/contacts/{pk}", response=ContactOut)
def contact_update(request: HttpRequest, pk: int, payload: ContactIn) -> Any:
    contact = get_object_or_404(Contact, pk=pk)
    return services.contact_update(contact=contact, changes=payload.dict(exclude_unset=True))
