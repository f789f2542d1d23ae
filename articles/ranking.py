"""Rankings by a number of published articles, counted off an index, for a paginator to slice."""

from collections import Counter
from collections.abc import Sequence

from django.db.models import Count, QuerySet


class Ranking(Sequence):
    """The objects of ``queryset`` in the order of ``ranked`` (primary key, count) pairs, each with
    its count as ``article_count``. A paginator slices it, and only the objects of the page it
    shows are loaded."""

    def __init__(self, queryset: QuerySet, ranked: list[tuple[int, int]]):
        self.queryset, self.ranked = queryset, ranked

    def __len__(self) -> int:
        return len(self.ranked)

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1 or None][0]
        ranked = self.ranked[index]
        loaded = self.queryset.in_bulk([pk for pk, _ in ranked])
        for pk, count in ranked:
            if pk in loaded:
                loaded[pk].article_count = count
        return [loaded[pk] for pk, _ in ranked if pk in loaded]


def counted(rows: QuerySet, *, less: QuerySet) -> Counter:
    """``rows`` counted by their first value (a ``values_list`` of the id counted by), less the
    ``less`` among them: a count off an index of every row, less the few readers may not see,
    costs a fraction of joining every row to its article to check it."""
    totals = Counter(dict(rows.annotate(total=Count("pk")).order_by()))
    totals.subtract(dict(less.annotate(total=Count("pk")).order_by()))
    return +totals  # only the positive counts
