"""Pagination that stays fast on millions of rows.

An exact COUNT(*) over a million consultations costs hundreds of milliseconds on
PostgreSQL. Pages here are windows (OFFSET/LIMIT plus one row to know whether another
page follows), and the total is counted only up to COUNT_CAP: lists say "1,000+".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from ninja.pagination import PageNumberPagination

COUNT_CAP = 1_000


def capped_count(queryset: QuerySet[Any], *, cap: int = COUNT_CAP) -> int:
    """The number of rows, or cap + 1 when there are more than `cap`."""
    return queryset.order_by()[: cap + 1].count()


@dataclass(frozen=True)
class WindowPage:
    object_list: Sequence[Any]
    number: int
    has_next: bool
    count: int  # exact up to `cap`, cap + 1 beyond
    cap: int

    def __iter__(self) -> Any:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    @property
    def count_is_capped(self) -> bool:
        return self.count > self.cap

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1


def window_page(
    queryset: QuerySet[Any], *, page: str | int | None, per_page: int, cap: int = COUNT_CAP
) -> WindowPage:
    """One page of an ordered queryset; a bad or out-of-range page number gives page 1
    or an empty last page, never an error."""
    try:
        number = max(1, int(page or 1))
    except (TypeError, ValueError):
        number = 1
    offset = (number - 1) * per_page
    rows = list(queryset[offset : offset + per_page + 1])
    return WindowPage(
        object_list=rows[:per_page],
        number=number,
        has_next=len(rows) > per_page,
        count=capped_count(queryset, cap=cap),
        cap=cap,
    )


class CappedPageNumberPagination(PageNumberPagination):
    """ninja's page-number pagination with `count` capped at COUNT_CAP + 1."""

    def _items_count(self, queryset: QuerySet[Any]) -> int:
        return capped_count(queryset)
