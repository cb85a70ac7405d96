"""Waiting on meeting mode in a browser (the browser tests and the screenshots use it)."""

from __future__ import annotations

from typing import Any

# The notes the page still keeps on the device, waiting for the server to hold them.
PENDING = (
    "JSON.parse(localStorage.getItem('consultdesk:meeting:' + "
    "document.querySelector('[data-meeting]').dataset.meetingId) || '{}')"
)


def keys_ready(page: Any) -> None:
    """The deferred meeting script has bound its keys: pressed earlier they go nowhere,
    and "nothing pending" would then be true of a note never written down."""
    page.wait_for_selector("[data-meeting][data-ready]")


def nothing_pending(page: Any) -> None:
    """Every note typed on this page is held by the server."""
    page.wait_for_function(f"() => Object.keys({PENDING}).length === 0")
