"""The public website form: the stored request body (urlencoded) → InboundMessage."""

from __future__ import annotations

from urllib.parse import parse_qs

from consultdesk.intake.inbound import InboundMessage

FIELDS = ("name", "organisation", "phone", "email", "wechat", "preferred_channel", "need")


class WebFormParseError(ValueError):
    pass


def parse_submission(raw: bytes) -> InboundMessage:
    """Read the form fields back from the raw body; the submission key is the id."""
    try:
        values = parse_qs(raw.decode("utf-8"), keep_blank_values=True, max_num_fields=100)
    except (UnicodeDecodeError, ValueError) as error:
        raise WebFormParseError(f"unreadable form body: {error}") from None
    fields = {name: values.get(name, [""])[0].strip() for name in (*FIELDS, "submission_key")}
    if not fields["need"]:
        raise WebFormParseError("the form body has no 'need' field")
    if not fields["submission_key"]:
        raise WebFormParseError("the form body has no submission key")
    preferred = fields["preferred_channel"]
    extra = {"preferred_channel": preferred} if preferred else {}
    return InboundMessage(
        channel="web_form",
        external_id=f"form:{fields['submission_key']}",
        body=fields["need"],
        sender_name=fields["name"],
        sender_email=fields["email"],
        sender_phone=fields["phone"],
        sender_wechat=fields["wechat"],
        organisation=fields["organisation"],
        extra=extra,
    )
