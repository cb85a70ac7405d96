from typing import Any

from django.core.management.base import BaseCommand, CommandError

from consultdesk.wechat.services import kf_sync_all


class Command(BaseCommand):
    help = (
        "Pull new WeChat Customer Service messages (kf/sync_msg) for every known account "
        "and process stored WeChat items left pending; the worker runs it periodically."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        results = kf_sync_all()
        for result in results:
            status = f"failed: {result.error}" if result.error else "ok"
            self.stdout.write(
                f"{result.open_kfid or '(all)'}: {len(result.stored)} stored "
                f"in {result.pages} pages, {status}"
            )
        failed = [result.open_kfid for result in results if result.error]
        if failed:
            raise CommandError(f"pull failed for {', '.join(failed)}")
