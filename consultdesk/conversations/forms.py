from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from consultdesk.conversations.models import ConfirmReply, EntryKind, QuestionStatus


class QuestionAddForm(forms.Form):
    text = forms.CharField(label=_("New question"), max_length=500)


class QuestionUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=QuestionStatus.choices)
    answer = forms.CharField(label=_("Answer"), required=False, max_length=4000)


class QuestionMoveForm(forms.Form):
    offset = forms.TypedChoiceField(choices=[("-1", "up"), ("1", "down")], coerce=int)


class MeetingForm(forms.Form):
    starts_at = forms.DateTimeField(
        label=_("Date and time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    place = forms.CharField(label=_("Place or link"), max_length=300, required=False)
    participants_ours = forms.CharField(label=_("Our participants"), max_length=300, required=False)
    participants_theirs = forms.CharField(
        label=_("Their participants"), max_length=300, required=False
    )


# A note's key, made by the browser (random hex) or by the form without JavaScript.
ENTRY_KEY = re.compile(r"[A-Za-z0-9_-]{8,64}")


class EntryForm(forms.Form):
    key = forms.RegexField(regex=rf"^{ENTRY_KEY.pattern}$", max_length=64)
    kind = forms.ChoiceField(choices=EntryKind.choices)
    text = forms.CharField(max_length=4000)
    reply = forms.ChoiceField(choices=ConfirmReply.choices, required=False)
    response = forms.CharField(max_length=4000, required=False)
    question = forms.IntegerField(required=False, min_value=1)
    revision = forms.IntegerField(required=False, min_value=1, max_value=2_000_000_000)
    # Milliseconds since the epoch when the browser started the note.
    opened = forms.IntegerField(required=False, min_value=0, max_value=10**14)


class SummaryForm(forms.Form):
    goals = forms.CharField(
        label=_("Goals"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("In the client's business language; measurable where the data allows."),
    )
    concerns = forms.CharField(
        label=_("What the client specially cares about"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    to_confirm = forms.CharField(
        label=_("Details still to be confirmed"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    based_on = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ChangesForm(forms.Form):
    goals = forms.CharField(required=False, max_length=4000, widget=forms.Textarea)
    concerns = forms.CharField(required=False, max_length=4000, widget=forms.Textarea)
    to_confirm = forms.CharField(required=False, max_length=4000, widget=forms.Textarea)
