"""How long does the per-minute SLA sweep take with many running clocks?

    python bench/sla_sweep_bench.py --rows 100000 --overdue-percent 1 \
        --database-url postgres://postgres@127.0.0.1:5432/consultdesk_sla_bench

Empties the bench database (flush), fills `--rows` consultations, each with a running
first-response clock, in one bulk insert and one INSERT … SELECT: `--overdue-percent` of them
already late, the rest due 2 to 52 hours from now (outside the warning window). Then
times: the first sweep (records every breach, writes the notifications), the steady
sweep that runs every minute afterwards (nothing new to do: the median of `--repeat`),
one `deadlines_on_inbound` call, and `deadlines_recompute` over every clock: first when
every deadline moves (the fill's are arbitrary), then when none does.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from datetime import timedelta

CLOCKS = """
INSERT INTO sla_clock (consultation_id, kind, started_at, due_at, warn_at)
SELECT id, 'first_response', received_at, due, due - interval '60 minutes'
FROM (
    SELECT id, received_at,
        CASE WHEN mod(id, 100) < %(overdue)s THEN now() - (mod(id, 600) || ' minutes')::interval
             ELSE now() + interval '2 hours' + (mod(id, 3000) || ' minutes')::interval END AS due
    FROM consultations_consultation
) AS clocks;
UPDATE consultations_consultation AS c SET first_response_due = k.due_at
FROM sla_clock AS k WHERE k.consultation_id = c.id;
"""


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    import django

    django.setup()


def fill(rows: int, overdue_percent: int) -> None:
    from django.core.management import call_command
    from django.db import connection

    from consultdesk.accounts.models import Role, User
    from consultdesk.accounts.services import user_create

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    user_create(username="bench-manager", role=Role.MANAGER, password="x", validate=False)
    team = [
        user_create(username=f"bench-{n}", role=Role.CONSULTANT, password="x", validate=False)
        for n in range(20)
    ]
    # Through the ORM, so the fill keeps up with new columns on consultations.
    from django.utils import timezone

    from consultdesk.consultations.models import Consultation

    received = timezone.now() - timedelta(hours=3)
    channels = ["email", "web_form", "phone", "wechat", "wecom"]
    Consultation.objects.bulk_create(
        (
            Consultation(
                reference=f"S-{n}",
                title=f"咨询 {n}",
                channel=channels[n % 5],
                priority=1 + n % 4,
                owner=None if n % 10 == 0 else team[n % len(team)],
                received_at=received,
                last_activity_at=received,
            )
            for n in range(1, rows + 1)
        ),
        batch_size=5000,
    )
    with connection.cursor() as cursor:
        cursor.execute(CLOCKS, {"overdue": overdue_percent})
        cursor.execute("ANALYZE")
    User.objects.update(email="")


def timed(label: str, work, repeat: int = 1) -> float:  # type: ignore[no-untyped-def]
    timings = []
    result = None
    for _ in range(repeat):
        started = time.perf_counter()
        result = work()
        timings.append(time.perf_counter() - started)
    median = statistics.median(timings)
    print(f"{label:<48} {median * 1000:10.1f} ms   {result}")
    return median


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--overdue-percent", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/consultdesk_sla_bench"
    )
    args = parser.parse_args()
    setup_django(args.database_url)

    from django.db import connection
    from django.utils import timezone

    from consultdesk.consultations.models import Consultation
    from consultdesk.sla.models import Breach, Clock, Notification
    from consultdesk.sla.services import deadlines_on_inbound, deadlines_recompute, sla_sweep

    started = time.perf_counter()
    fill(args.rows, args.overdue_percent)
    print(
        f"filled {Clock.objects.count():,} running clocks in {time.perf_counter() - started:.1f} s"
        f" on {connection.vendor}"
    )
    timed("first sweep (records the breaches)", lambda: sla_sweep(now=timezone.now()))
    print(f"  breaches {Breach.objects.count():,}, notifications {Notification.objects.count():,}")
    timed(
        "steady sweep (every minute, nothing new)",
        lambda: sla_sweep(now=timezone.now()),
        repeat=args.repeat,
    )
    case = (
        Consultation.objects.filter(sla_clocks__isnull=True).first() or Consultation.objects.last()
    )
    assert case is not None
    timed(
        "deadlines_on_inbound (one message)",
        lambda: deadlines_on_inbound(consultation=case, received_at=timezone.now()),
        repeat=args.repeat,
    )
    timed(f"deadlines_recompute over {args.rows:,} clocks (all move)", deadlines_recompute)
    timed(f"deadlines_recompute over {args.rows:,} clocks (none moves)", deadlines_recompute)


if __name__ == "__main__":
    main()
