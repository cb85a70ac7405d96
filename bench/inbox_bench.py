"""How fast is the inbox with many consultations? Generates rows in SQL, then times pages.

    python bench/inbox_bench.py --rows 1000000 \
        --database-url postgres://postgres@127.0.0.1:5432/consultdesk_bench

Creates (and with --fresh, recreates) the bench database's tables, fills `--rows`
consultations in one INSERT … SELECT, then reports the median over `--repeat` requests of
the full inbox page (rendered HTML) and of the API list, for a manager (sees everything)
and for a consultant (own + unassigned + shared), unfiltered and filtered.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from functools import partial

POSTGRES_FILL = """
INSERT INTO consultations_consultation (
    reference, title, channel, priority, stage, category, outcome, outcome_reason,
    industry, organisation_size, technical_level, core_goal, budget_currency,
    existing_systems, stressed, asides, awaiting_reply, last_activity_at, latest_snippet,
    received_at, created_at, updated_at, version, owner_id)
SELECT 'B-' || n, '咨询 ' || n || ' 系统反应慢', (ARRAY['email','web_form','phone','wechat','wecom'])[1 + mod(n, 5)],
    1 + mod(n, 4), (ARRAY['received','recorded','classified','prepared','met','summary_sent',
    'summary_confirmed','analysis','proposal','delivery','closed'])[1 + mod(n, 11)],
    (ARRAY['','feature_optimisation','architecture_refactoring','new_technology'])[1 + mod(n, 4)],
    CASE WHEN mod(n, 11) = 10 THEN 'completed' ELSE '' END, '', '', '', '', '', 'CNY', '',
    '[]', '[]', mod(n, 7) = 0, now() - (n || ' minutes')::interval,
    '我们的系统最近很慢，想尽快优化一下，预算大概 30 万', now() - (n || ' minutes')::interval,
    now(), now(), 1, CASE WHEN mod(n, 10) = 0 THEN NULL ELSE %(first_user)s + mod(n, %(users)s) END
FROM generate_series(1, %(rows)s) AS n
"""


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["ALLOWED_HOSTS"] = "testserver"
    import django

    django.setup()


def fill(rows: int) -> None:
    from django.core.management import call_command
    from django.db import connection

    from consultdesk.accounts.models import Role, User
    from consultdesk.accounts.services import user_create

    call_command("migrate", verbosity=0)
    if User.objects.filter(username="bench-manager").exists():
        return
    user_create(username="bench-manager", role=Role.MANAGER, password="x", validate=False)
    team = [
        user_create(username=f"bench-{i}", role=Role.CONSULTANT, password="x", validate=False)
        for i in range(20)
    ]
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(POSTGRES_FILL % {"rows": rows, "first_user": team[0].pk, "users": len(team)})
        cursor.execute("ANALYZE consultations_consultation")
    print(f"filled {rows} consultations in {time.perf_counter() - started:.1f} s")


def median_ms(fetch: object, repeat: int) -> float:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = fetch()  # type: ignore[operator]
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    return statistics.median(timings)


def measure(repeat: int) -> None:
    from django.core.cache import cache
    from django.test import Client

    from consultdesk.accounts.models import User

    cases = [
        ("inbox page", "/inbox/"),
        ("inbox page, open only", "/inbox/?open=on"),
        ("inbox page, stage=met", "/inbox/?stage=met"),
        ("inbox page, page 50", "/inbox/?page=50"),
        ("API list", "/api/v1/consultations"),
        ("API list, stage=met", "/api/v1/consultations?stage=met"),
    ]
    for username in ["bench-manager", "bench-3"]:
        browser = Client()
        browser.force_login(User.objects.get(username=username))
        for label, path in cases:
            browser.get(path)  # warm up
            milliseconds = median_ms(partial(browser.get, path), repeat)
            print(f"{username:14} {label:28} median {milliseconds:7.1f} ms")

        def uncached_counts(browser: Client = browser) -> object:
            cache.clear()  # the sidebar counts are cached for 30 s; time the miss
            return browser.get("/inbox/counts/")

        milliseconds = median_ms(uncached_counts, repeat)
        print(f"{username:14} {'stage counts (cache miss)':28} median {milliseconds:7.1f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--database-url", required=True)
    arguments = parser.parse_args()
    if not arguments.database_url.startswith("postgres"):
        print("this benchmark generates rows with PostgreSQL's generate_series", file=sys.stderr)
        return 2
    setup_django(arguments.database_url)
    fill(arguments.rows)
    measure(arguments.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
