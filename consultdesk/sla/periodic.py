"""Periodic jobs that the worker enqueues itself: a registry and a tick claimed once.

Each job has a ``PeriodicRun`` row whose ``next_run_at`` says when it is next due. Every
worker looks at the rows on each loop; the one whose conditional UPDATE moves
``next_run_at`` forward from the value it read enqueues the task, in the same
transaction. Another worker's UPDATE then matches no row, so a tick is enqueued once
however many workers run. A new periodic job is one more entry in ``PERIODIC_JOBS``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django_tasks.base import Task

from consultdesk.intake.mailbox import mail_poll_task
from consultdesk.sla.models import PeriodicRun
from consultdesk.sla.tasks import sla_sweep_task, task_results_prune
from consultdesk.wechat.services import kf_sync_all_task


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    task: Task[[], Any]
    interval: timedelta


PERIODIC_JOBS: list[PeriodicJob] = [
    PeriodicJob(name="sla_sweep", task=sla_sweep_task, interval=timedelta(minutes=1)),
    PeriodicJob(name="task_results_prune", task=task_results_prune, interval=timedelta(days=1)),
    # Mail and WeChat Customer Service are pulled, not pushed: poll them promptly (the
    # platform keeps Customer Service messages for three days only).
    PeriodicJob(name="mail_poll", task=mail_poll_task, interval=timedelta(minutes=1)),
    PeriodicJob(name="wechat_kf_sync", task=kf_sync_all_task, interval=timedelta(minutes=1)),
]


def next_tick(*, scheduled: datetime, interval: timedelta, now: datetime) -> datetime:
    """The first tick after ``now`` on the grid ``scheduled + k * interval``: a worker
    that was down does not enqueue the missed ticks one by one."""
    if interval <= timedelta(0):
        raise ValueError(f"interval must be positive, got {interval}")
    missed = max(0, (now - scheduled) // interval)
    return scheduled + (missed + 1) * interval


def periodic_enqueue_due(
    *, now: datetime, worker_id: str, jobs: list[PeriodicJob] | None = None
) -> list[str]:
    """Enqueue every job whose tick has come and that no other worker claimed first."""
    registry = PERIODIC_JOBS if jobs is None else jobs
    return [job.name for job in registry if _claim_tick(job, now=now, worker_id=worker_id)]


def _claim_tick(job: PeriodicJob, *, now: datetime, worker_id: str) -> bool:
    run = _run_row(job.name, now=now)
    if run.next_run_at > now:
        return False
    with transaction.atomic():
        claimed = PeriodicRun.objects.filter(pk=run.pk, next_run_at=run.next_run_at).update(
            next_run_at=next_tick(scheduled=run.next_run_at, interval=job.interval, now=now),
            last_enqueued_at=now,
            last_worker_id=worker_id[:64],
        )
        if claimed:
            job.task.enqueue()
    return bool(claimed)


def _run_row(name: str, *, now: datetime) -> PeriodicRun:
    run = PeriodicRun.objects.filter(name=name).first()
    if run is not None:
        return run
    try:
        with transaction.atomic():
            return PeriodicRun.objects.create(name=name, next_run_at=now)
    except IntegrityError:  # another worker created it first
        return PeriodicRun.objects.get(name=name)
