"""`consultdesk sla_backfill`: start the clocks of consultations that await a reply."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from consultdesk.sla.services import deadlines_backfill


class Command(BaseCommand):
    help = (
        "Arm the first-response deadline of every open consultation awaiting our reply "
        "that has none yet (data from before service levels, imports, demo data). "
        "Safe to run again."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"armed {deadlines_backfill()} deadlines")
