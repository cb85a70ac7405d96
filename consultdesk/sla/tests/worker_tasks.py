"""A task for the worker tests: a second run of the same task fails on a unique name."""

from __future__ import annotations

from django_tasks import task

from consultdesk.sla.models import PeriodicRun


@task()
def record_run(number: int) -> int:
    PeriodicRun.objects.create(name=f"test-run-{number}", next_run_at="2026-01-01T00:00:00Z")
    return number
