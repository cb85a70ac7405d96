from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from consultdesk.accounts.models import User
from consultdesk.clients.models import Client, Contact
from consultdesk.consultations.choices import (
    Category,
    Channel,
    Direction,
    Outcome,
    Priority,
    Stage,
)
from consultdesk.consultations.models import Consultation
from consultdesk.consultations.services import RECORD_FIELDS


class LinesField(forms.CharField):
    """A list of short notes edited as one line each."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value: Any) -> Any:
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value) or ""
        return [line.strip() for line in text.splitlines() if line.strip()]


class RecordForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    stressed = LinesField(label=_("What the client specially stressed"), required=False)
    asides = LinesField(label=_("Small asides mentioned in passing"), required=False)

    class Meta:
        model = Consultation
        fields = list(RECORD_FIELDS)
        widgets = {
            "core_goal": forms.Textarea(attrs={"rows": 3}),
            "existing_systems": forms.Textarea(attrs={"rows": 2}),
            "timeline_date": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        consultation: Consultation = self.instance
        # The client's people and anyone already on this consultation.
        known = Q(consultations=consultation)
        if consultation.client_id is not None:
            known |= Q(client_id=consultation.client_id)
        self.fields["primary_contact"].queryset = (  # type: ignore[attr-defined]
            Contact.objects.filter(known).distinct()
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        low, high = cleaned.get("budget_min"), cleaned.get("budget_max")
        if low is not None and high is not None and low > high:
            self.add_error("budget_max", _("The upper end of the budget is below its lower end."))
        return cleaned

    def _post_clean(self) -> None:
        # The service validates and saves; the form only parses input.
        pass

    def changes(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.changed_data if name != "version"}


class ConsultationCreateForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.PHONE)
    client = forms.ModelChoiceField(
        label=_("Client"), queryset=Client.objects.all(), required=False
    )
    new_client_name = forms.CharField(label=_("…or a new client"), max_length=200, required=False)
    contact_name = forms.CharField(label=_("Contact person"), max_length=100, required=False)
    contact_phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    contact_email = forms.EmailField(label=_("Email"), required=False)
    priority = forms.TypedChoiceField(
        label=_("Priority"), choices=Priority.choices, coerce=int, initial=Priority.NORMAL
    )
    first_message = forms.CharField(
        label=_("What the client said"), widget=forms.Textarea(attrs={"rows": 5}), required=False
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("client") and cleaned.get("new_client_name"):
            self.add_error("new_client_name", _("Choose an existing client or name a new one."))
        return cleaned


class TransitionForm(forms.Form):
    to = forms.ChoiceField(label=_("Move to"), choices=Stage.choices)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Reason (to move back or close)")}),
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=[("", "—"), *Outcome.choices], required=False
    )


class AssignForm(forms.Form):
    owner = forms.ModelChoiceField(
        label=_("Owner"),
        queryset=User.objects.filter(is_active=True).order_by("username"),
        required=False,
        empty_label=_("Unassigned"),
    )


class ShareForm(forms.Form):
    users = forms.ModelMultipleChoiceField(
        label=_("Shared with"),
        queryset=User.objects.filter(is_active=True).order_by("username"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )


class TagsForm(forms.Form):
    tags = forms.CharField(
        label=_("Tags"),
        max_length=500,
        required=False,
        help_text=_("Separate tags with commas."),
    )

    def names(self) -> list[str]:
        text = self.cleaned_data["tags"].replace("，", ",")
        return [name for name in text.split(",") if name.strip()]


class MessageForm(forms.Form):
    SEND_EMAIL = "email"

    direction = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            (Direction.NOTE, Direction.NOTE.label),
            ("email", _("Reply by email")),
            (Direction.OUTBOUND, _("Reply given elsewhere (log only)")),
        ],
    )
    body = forms.CharField(
        label=_("Message"), max_length=100_000, widget=forms.Textarea(attrs={"rows": 3})
    )


class InboxFilterForm(forms.Form):
    view = forms.ChoiceField(
        choices=[("all", _("All")), ("mine", _("Mine")), ("unassigned", _("Unassigned"))],
        required=False,
    )
    stage = forms.ChoiceField(choices=[("", _("Any stage")), *Stage.choices], required=False)
    category = forms.ChoiceField(
        choices=[("", _("Any category")), *Category.choices], required=False
    )
    channel = forms.ChoiceField(choices=[("", _("Any channel")), *Channel.choices], required=False)
    priority = forms.TypedChoiceField(
        choices=[("", _("Any priority")), *Priority.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    owner = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True).order_by("username"),
        required=False,
        empty_label=_("Any owner"),
    )
    open = forms.BooleanField(required=False)


class MergeForm(forms.Form):
    target = forms.CharField(
        label=_("Merge into (reference)"),
        max_length=20,
        widget=forms.TextInput(attrs={"placeholder": "CD-2026-000123"}),
    )

    def clean_target(self) -> Consultation:
        reference = self.cleaned_data["target"].strip().upper()
        target = Consultation.objects.filter(reference=reference).first()
        if target is None:
            raise forms.ValidationError(
                _("No consultation has the reference %(reference)s.") % {"reference": reference}
            )
        return target
