from django import forms
from django.utils.translation import gettext_lazy as _


class WeChatReplyForm(forms.Form):
    body = forms.CharField(label=_("Reply"), widget=forms.Textarea, max_length=2048, strip=True)
