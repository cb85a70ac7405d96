"""Background tasks (django-tasks). Each one is safe to run twice and to run on several
workers at once: the services it calls claim their rows with conditional UPDATEs."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from consultdesk.sla import services


@task()
def sla_sweep_task() -> dict[str, int]:
    """Warnings and breaches for every running clock (the worker runs it every minute)."""
    result = services.sla_sweep(now=timezone.now())
    return {"warnings": result.warnings, "breaches": result.breaches}


@task()
def deadlines_recompute_task() -> int:
    """Recompute running deadlines after a calendar or policy edit."""
    return services.deadlines_recompute()


# The sweep alone leaves 1,440 finished results a day in the queue table.
KEEP_SUCCESSFUL_RESULTS = timedelta(days=7)
KEEP_FAILED_RESULTS = timedelta(days=30)


@task()
def task_results_prune() -> int:
    """Delete finished task results: successful after a week, failed after a month."""
    from django_tasks_db.models import DBTaskResult

    now = timezone.now()
    successful = DBTaskResult.objects.successful().filter(
        finished_at__lte=now - KEEP_SUCCESSFUL_RESULTS
    )
    failed = DBTaskResult.objects.failed().filter(finished_at__lte=now - KEEP_FAILED_RESULTS)
    return successful.delete()[0] + failed.delete()[0]
