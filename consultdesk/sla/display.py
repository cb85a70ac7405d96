"""How a deadline looks on a list: colour state and remaining time (no queries)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from django.utils import timezone
from django.utils.translation import gettext as _


class ClockColour(StrEnum):
    """The CSS modifier of a clock: ``sla-clock sla-<colour>``."""

    NONE = "none"
    OK = "ok"
    WARNING = "warning"
    BREACHED = "breached"


@dataclass(frozen=True)
class ClockState:
    colour: ClockColour
    due: datetime | None
    remaining: timedelta | None  # negative once late

    @property
    def text(self) -> str:
        if self.remaining is None:
            return ""
        if self.remaining < timedelta(0):
            return _("%(duration)s late") % {"duration": duration_text(-self.remaining)}
        return duration_text(self.remaining)

    @property
    def title(self) -> str:
        if self.due is None:
            return _("No deadline running")
        due = f"{timezone.localtime(self.due):%Y-%m-%d %H:%M}"
        if self.colour == ClockColour.BREACHED:
            return _("Was due at %(due)s, %(late)s") % {"due": due, "late": self.text}
        return _("Due at %(due)s, %(left)s left") % {"due": due, "left": self.text}


def clock_state(due: datetime | None, now: datetime, warn_minutes: int) -> ClockState:
    """Breached from ``due`` on, warning from ``warn_minutes`` before it, else ok."""
    if due is None:
        return ClockState(colour=ClockColour.NONE, due=None, remaining=None)
    remaining = due - now
    if remaining <= timedelta(0):
        colour = ClockColour.BREACHED
    elif remaining <= timedelta(minutes=warn_minutes):
        colour = ClockColour.WARNING
    else:
        colour = ClockColour.OK
    return ClockState(colour=colour, due=due, remaining=remaining)


def duration_text(duration: timedelta) -> str:
    """ "2 d 3 h", "5 h 07 min", "12 min": whole minutes, the two largest units."""
    minutes = int(duration.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return _("%(days)d d %(hours)d h") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)d h %(minutes)02d min") % {"hours": hours, "minutes": minutes}
    return _("%(minutes)d min") % {"minutes": minutes}
