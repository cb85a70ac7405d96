from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

PREFERRED_CHANNELS = [
    ("phone", _("Phone")),
    ("email", _("Email")),
    ("wechat", _("WeChat")),
]


class WebInquiryForm(forms.Form):
    """The public website form. `website` is a honeypot: people never see it."""

    name = forms.CharField(label=_("Your name"), max_length=100)
    organisation = forms.CharField(label=_("Organisation"), max_length=200, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    wechat = forms.CharField(label=_("WeChat id"), max_length=100, required=False)
    preferred_channel = forms.ChoiceField(
        label=_("How should we contact you?"), choices=PREFERRED_CHANNELS, initial="phone"
    )
    need = forms.CharField(
        label=_("What would you like to talk about?"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    website = forms.CharField(
        required=False, widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"})
    )
    submission_key = forms.CharField(widget=forms.HiddenInput, max_length=200)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not any(cleaned.get(field) for field in ("phone", "email", "wechat")):
            raise forms.ValidationError(_("Leave a phone number, an email address or a WeChat id."))
        return cleaned

    def is_spam(self) -> bool:
        return bool(self.cleaned_data.get("website"))


class QuickEntryForm(forms.Form):
    """A consultant logs a call, a visit or a referral in a few keystrokes."""

    channel = forms.ChoiceField(
        label=_("Channel"),
        choices=[
            ("phone", _("Phone")),
            ("referral", _("Referral")),
            ("manual", _("Visit or other")),
        ],
        initial="phone",
    )
    caller = forms.CharField(label=_("Who"), max_length=100)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    organisation = forms.CharField(label=_("Organisation"), max_length=200, required=False)
    referred_by = forms.CharField(label=_("Referred by"), max_length=200, required=False)
    when = forms.DateTimeField(
        label=_("When"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    gist = forms.CharField(
        label=_("The gist"), max_length=10_000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("channel") == "referral" and not cleaned.get("referred_by"):
            self.add_error("referred_by", _("Say who referred this client."))
        return cleaned


class SpreadsheetUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Consultation log (.xlsx or .csv)"),
        help_text=_(
            "Columns: date/日期, contact/联系人, need/需求; "
            "optional client, phone, email, wechat, channel, title."
        ),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("Upload an .xlsx or .csv file."))
        if upload.size > 10 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        return upload
