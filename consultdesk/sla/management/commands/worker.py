"""`consultdesk worker`: runs queued tasks and enqueues the periodic jobs itself.

It is django-tasks-db's ``db_worker`` (its ``Worker`` class runs and records each task)
with one addition: before looking for work, each loop enqueues the periodic jobs whose
tick has come (see ``consultdesk.sla.periodic``). Several workers may run side by side
on PostgreSQL: tasks are claimed with ``SELECT ... FOR UPDATE SKIP LOCKED`` and each
periodic tick with a conditional UPDATE, so no job runs twice.
"""

from __future__ import annotations

import logging
import random
import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection
from django.db.utils import OperationalError
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import (
    Worker,
    valid_interval,
    validate_worker_id,
)
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from consultdesk.sla.periodic import periodic_enqueue_due

logger = logging.getLogger("consultdesk.worker")

# Tasks run between two looks at the periodic schedule, so a long queue cannot hold
# back the minute's SLA sweep for long.
TASKS_PER_LOOP = 50


class PeriodicWorker(Worker):
    """The django-tasks-db worker, plus periodic jobs; ``once`` drains and exits."""

    def __init__(self, *, once: bool, **options: Any) -> None:
        super().__init__(**options)
        self.once = once

    def run(self) -> None:
        logger.info("worker %s started (queues %s)", self.worker_id, ",".join(self.queue_names))
        if self.startup_delay and self.interval and not self.once:
            time.sleep(random.random())  # noqa: S311 (spreads workers started together)
        while self.running:
            # Like a request: drop a connection the database closed while we slept. (Not
            # inside a test's transaction, where it would close the test's connection.)
            if not connection.in_atomic_block:
                close_old_connections()
            enqueued = periodic_enqueue_due(now=timezone.now(), worker_id=self.worker_id)
            if enqueued:
                logger.info("worker %s enqueued %s", self.worker_id, ", ".join(enqueued))
            ran = self.run_ready_tasks(limit=None if self.once else TASKS_PER_LOOP)
            if self.once or (self.max_tasks is not None and self._run_tasks >= self.max_tasks):
                return
            if self.running and not ran:
                time.sleep(self.interval)

    def run_ready_tasks(self, *, limit: int | None) -> int:
        """Run ready tasks until none is left (or ``limit``); returns how many ran."""
        ran = 0
        while self.running and (limit is None or ran < limit):
            task_result = self.claim_next()
            if task_result is None:
                break
            self.run_task(task_result)
            ran += 1
        return ran

    def claim_next(self) -> DBTaskResult | None:
        """Claim one ready task as ``db_worker`` does (locked row, then marked running)."""
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        try:
            with exclusive_transaction(tasks.db):
                task_result = tasks.get_locked()
                if task_result is not None:
                    task_result.claim(self.worker_id)
                return task_result
        except OperationalError as error:
            if is_locked_database_exception(error):  # SQLite busy: try again next loop
                return None
            raise


class Command(BaseCommand):
    help = "Run background tasks and schedule the periodic jobs (SLA sweep every minute)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--once",
            action="store_true",
            help="Enqueue due periodic jobs, run every ready task, then exit.",
        )
        parser.add_argument(
            "--queue-name",
            default="default",
            help="Queues to process, comma-separated; '*' for all.",
        )
        parser.add_argument(
            "--interval",
            type=valid_interval,
            default=1.0,
            help="Seconds to wait when there is nothing to do.",
        )
        parser.add_argument("--backend", default="default", dest="backend_name")
        parser.add_argument("--worker-id", type=validate_worker_id, default=None)
        parser.add_argument("--no-startup-delay", action="store_false", dest="startup_delay")

    def handle(self, *args: Any, **options: Any) -> None:
        worker = PeriodicWorker(
            once=options["once"],
            queue_names=options["queue_name"].split(","),
            interval=options["interval"],
            batch=False,
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=None,
            worker_id=options["worker_id"] or get_random_string(32),
            excluded_queue_names=[],
        )
        if not options["once"]:
            worker.configure_signals()
        worker.run()
