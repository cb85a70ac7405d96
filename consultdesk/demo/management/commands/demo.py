from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from consultdesk.demo.dataset import DEMO_PASSWORD, USERS
from consultdesk.demo.loader import demo_is_loaded, demo_load


class Command(BaseCommand):
    help = (
        "Load the bilingual demo data set (team, clients, consultations in every stage). "
        "Does nothing if it is already loaded, so existing data is kept."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if demo_is_loaded():
            self.stdout.write("Demo data already loaded; nothing changed.")
        else:
            demo_load(now=timezone.now())
            self.stdout.write("Demo data loaded.")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, role, display_name, _language in USERS:
            self.stdout.write(f"  {username:<10} {role:<11} {display_name}")
