"""The consultation's vocabularies. Enumerations only: no queries, safe for pure modules."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    RECEIVED = "received", _("Received")
    RECORDED = "recorded", _("Recorded")
    CLASSIFIED = "classified", _("Classified")
    PREPARED = "prepared", _("Prepared")
    MET = "met", _("Met")
    SUMMARY_SENT = "summary_sent", _("Summary sent")
    SUMMARY_CONFIRMED = "summary_confirmed", _("Summary confirmed")
    ANALYSIS = "analysis", _("Analysis")
    PROPOSAL = "proposal", _("Proposal")
    DELIVERY = "delivery", _("Delivery")
    CLOSED = "closed", _("Closed")


class Category(models.TextChoices):
    FEATURE_OPTIMISATION = "feature_optimisation", _("Feature optimisation")
    ARCHITECTURE_REFACTORING = "architecture_refactoring", _("Architecture refactoring")
    NEW_TECHNOLOGY = "new_technology", _("New-technology introduction")
    UNCLEAR = "unclear", _("Unclear")


# What to dig into first, per category (DESIGN.md §1 stage 1, "first classification").
CATEGORY_FOCUS = {
    Category.FEATURE_OPTIMISATION: _("Talk about user-experience data."),
    Category.ARCHITECTURE_REFACTORING: _("Dig into the current system's bottlenecks."),
    Category.NEW_TECHNOLOGY: _(
        "Assess whether the client's own team can take the technology over."
    ),
    Category.UNCLEAR: _("Ask what problem the client wants solved before choosing a direction."),
}


class Outcome(models.TextChoices):
    WON = "won", _("Won")
    LOST = "lost", _("Lost")
    DECLINED = "declined", _("Declined")
    COMPLETED = "completed", _("Completed")
    MERGED = "merged", _("Merged into another consultation")


class Channel(models.TextChoices):
    WEB_FORM = "web_form", _("Website form")
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")
    WECHAT = "wechat", _("WeChat")
    WECOM = "wecom", _("WeCom")
    OFFICIAL_ACCOUNT = "official_account", _("Official Account")
    REFERRAL = "referral", _("Referral")
    IMPORT = "import", _("Import")
    MANUAL = "manual", _("Entered by hand")


class Priority(models.IntegerChoices):
    LOW = 1, _("Low")
    NORMAL = 2, _("Normal")
    HIGH = 3, _("High")
    URGENT = 4, _("Urgent")


class Currency(models.TextChoices):
    CNY = "CNY", _("CNY (¥)")
    USD = "USD", _("USD ($)")
    EUR = "EUR", _("EUR (€)")
    HKD = "HKD", _("HKD (HK$)")


class Direction(models.TextChoices):
    INBOUND = "inbound", _("From the client")
    OUTBOUND = "outbound", _("To the client")
    NOTE = "note", _("Internal note")


class EventKind(models.TextChoices):
    CREATED = "created", _("Created")
    RECORD_CHANGED = "record_changed", _("Record changed")
    STAGE_CHANGED = "stage_changed", _("Stage changed")
    ASSIGNED = "assigned", _("Assigned")
    SHARED = "shared", _("Shared")
    MESSAGE_ADDED = "message_added", _("Message added")
    MERGED = "merged", _("Merged")
    SPLIT = "split", _("Split")
    MEETING_ENDED = "meeting_ended", _("Meeting ended")
    MEETING_NOTES_EDITED = "meeting_notes_edited", _("Meeting notes edited after the meeting")
    SUMMARY_SENT = "summary_sent", _("Summary sent")
    SUMMARY_VIEWED = "summary_viewed", _("Summary viewed by the client")
    SUMMARY_CONFIRMED = "summary_confirmed", _("Summary confirmed by the client")
    SUMMARY_CHANGES_REQUESTED = "summary_changes_requested", _("Client asked for changes")
