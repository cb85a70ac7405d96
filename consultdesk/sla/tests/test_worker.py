"""The worker: periodic ticks enqueued once, queued tasks run once, also with two workers."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from consultdesk.sla.management.commands.worker import PeriodicWorker
from consultdesk.sla.models import Breach, Clock, Notification, PeriodicRun
from consultdesk.sla.periodic import PERIODIC_JOBS, next_tick, periodic_enqueue_due
from consultdesk.sla.services import deadlines_on_inbound, sla_sweep
from consultdesk.sla.tests.conftest import at
from consultdesk.sla.tests.worker_tasks import record_run

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
NOW = at("2026-11-25 10:00")


@pytest.fixture
def database_queue() -> Iterator[None]:
    with override_settings(TASKS=DATABASE_QUEUE):
        yield


def needs_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip(
            "SQLite has no row locks (no SELECT ... FOR UPDATE SKIP LOCKED): two workers "
            "on one SQLite file are serialised, not concurrent. Run with DATABASE_URL."
        )


def worker(worker_id: str = "w1", *, once: bool = True) -> PeriodicWorker:
    return PeriodicWorker(
        once=once,
        queue_names=["default"],
        interval=0,
        batch=False,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    )


def in_threads(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Run ``work(i)`` in ``count`` threads started together, each on its own connection."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = work(index)
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return results


# --- The schedule ---------------------------------------------------------------------


def test_the_next_tick_follows_the_last_one_by_the_interval() -> None:
    minute = timedelta(minutes=1)

    assert next_tick(scheduled=NOW, interval=minute, now=NOW) == NOW + minute


def test_a_worker_that_was_down_skips_the_missed_ticks() -> None:
    minute = timedelta(minutes=1)

    tick = next_tick(scheduled=NOW, interval=minute, now=NOW + timedelta(minutes=90, seconds=5))

    assert tick == NOW + timedelta(minutes=91)


def test_a_zero_interval_is_refused() -> None:
    with pytest.raises(ValueError, match="interval must be positive"):
        next_tick(scheduled=NOW, interval=timedelta(0), now=NOW)


def test_the_sweep_and_the_pulls_run_every_minute_and_pruning_daily() -> None:
    assert [(job.name, job.interval) for job in PERIODIC_JOBS] == [
        ("sla_sweep", timedelta(minutes=1)),
        ("task_results_prune", timedelta(days=1)),
        ("mail_poll", timedelta(minutes=1)),
        ("wechat_kf_sync", timedelta(minutes=1)),
    ]


@pytest.mark.django_db
def test_a_tick_is_enqueued_once_however_often_workers_look(database_queue) -> None:
    first = periodic_enqueue_due(now=NOW, worker_id="w1")
    again = periodic_enqueue_due(now=NOW + timedelta(seconds=30), worker_id="w2")
    next_minute = periodic_enqueue_due(now=NOW + timedelta(minutes=1), worker_id="w2")

    assert (first, again, next_minute) == (
        ["sla_sweep", "task_results_prune", "mail_poll", "wechat_kf_sync"],
        [],
        ["sla_sweep", "mail_poll", "wechat_kf_sync"],
    )
    assert DBTaskResult.objects.count() == 7
    assert PeriodicRun.objects.get(name="sla_sweep").last_worker_id == "w2"


@pytest.mark.django_db
def test_worker_once_runs_the_sweep_and_exits(database_queue, new_case) -> None:
    case = new_case()
    deadlines_on_inbound(consultation=case, received_at=at("2026-11-20 10:00"))

    call_command("worker", "--once", "--no-startup-delay")

    result = DBTaskResult.objects.get(task_path="consultdesk.sla.tasks.sla_sweep_task")
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
    assert result.return_value == {"warnings": 0, "breaches": 1}
    assert Breach.objects.get().consultation == case


@pytest.mark.django_db
def test_worker_once_runs_every_ready_task(database_queue) -> None:
    for number in range(3):
        record_run.enqueue(number)

    ran = worker().run_ready_tasks(limit=None)

    assert ran == 3
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}


# --- Two workers on PostgreSQL --------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_workers_never_claim_the_same_periodic_tick(database_queue) -> None:
    needs_postgresql()
    ticks = [NOW + timedelta(minutes=minute) for minute in range(15)]
    jobs = PERIODIC_JOBS[:1]

    def look(index: int) -> list[str]:
        enqueued = []
        for tick in ticks:
            enqueued += periodic_enqueue_due(now=tick, worker_id=f"w{index}", jobs=jobs)
        return enqueued

    results = in_threads(4, look)

    assert sum(len(names) for names in results) == len(ticks)
    assert DBTaskResult.objects.count() == len(ticks)


@pytest.mark.django_db(transaction=True)
def test_two_workers_never_run_one_task_twice(database_queue) -> None:
    needs_postgresql()
    for number in range(40):
        record_run.enqueue(number)

    counts = in_threads(2, lambda index: worker(f"w{index}").run_ready_tasks(limit=None))

    assert sum(counts) == 40
    results = list(DBTaskResult.objects.all())
    assert {result.status for result in results} == {"SUCCESSFUL"}
    assert all(len(result.worker_ids) == 1 for result in results)
    assert PeriodicRun.objects.filter(name__startswith="test-run-").count() == 40


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_record_each_breach_once(new_case, maria) -> None:
    needs_postgresql()
    for _ in range(120):
        deadlines_on_inbound(consultation=new_case(), received_at=at("2026-11-25 10:00"))

    results = in_threads(2, lambda index: sla_sweep(now=at("2026-11-25 18:05")))

    assert sum(result.breaches for result in results) == 120
    assert Breach.objects.count() == 120
    assert Notification.objects.count() == 240  # Alice and Maria, once per breach
    assert not Clock.objects.filter(breached_at=None).exists()


@pytest.mark.django_db
def test_pruning_keeps_recent_results_and_deletes_old_ones(database_queue) -> None:
    from django.utils import timezone

    from consultdesk.sla.tasks import task_results_prune

    for number in range(2):
        record_run.enqueue(number)
    worker().run_ready_tasks(limit=None)
    old = DBTaskResult.objects.order_by("enqueued_at").first()
    assert old is not None
    DBTaskResult.objects.filter(pk=old.pk).update(finished_at=timezone.now() - timedelta(days=8))

    deleted = task_results_prune.call()

    assert deleted == 1
    assert DBTaskResult.objects.count() == 1
