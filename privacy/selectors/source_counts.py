"""How many rows of each kind of data a customer holds, counted in one query."""

from collections.abc import Sequence
from typing import Any, cast

from django.contrib.auth import get_user_model
from django.db import connection

from privacy.registry import Source
from privacy.selectors.sql_once import WrittenQuery, write_for_any_customer
from privacy.typing import Customer

# The counting query is written by the ORM with these IDs standing for the
# customer's (no row has a negative ID), once per process, then run with the
# customer's: writing a subquery per kind of data cost more than running them.
_STAND_IN_PKS = (-7_391_044, -7_391_045)

_COUNTING_QUERIES: dict[tuple[tuple[str, str], ...], WrittenQuery | None] = {}


def _counting_sql(sources: Sequence[Source], user: Any) -> tuple[str, tuple[Any, ...]]:
    counts = []
    params: list[Any] = []
    for index, source in enumerate(sources):
        sql, source_params = source.rows_for(user).order_by().values("pk").query.sql_with_params()
        # The ORM's own SQL for the rows, every value in params: nothing from outside is pasted in.
        counts.append(f"(SELECT COUNT(*) FROM ({sql}) counted_{index})")  # noqa: S608
        params += source_params
    return "SELECT " + ", ".join(counts), tuple(params)


def _counting_query(sources: Sequence[Source]) -> WrittenQuery | None:
    """The counting query of these sources written once, or None when it cannot
    be reused for another customer (a source's rows depend on more than the ID)."""
    key = tuple((source.key, source.subject_path) for source in sources)
    if key not in _COUNTING_QUERIES:
        user_model = get_user_model()
        _COUNTING_QUERIES[key] = write_for_any_customer(
            lambda pk: _counting_sql(sources, user_model(pk=pk)), stand_ins=_STAND_IN_PKS
        )
    return _COUNTING_QUERIES[key]


def source_row_counts(*, user: Customer, sources: Sequence[Source]) -> dict[str, int]:
    """How many rows of each source the customer holds, by source key, in one query.

    A count query per source made "My data" run (and the ORM write) one query
    per kind of data declared, most of which a customer holds nothing of; one
    query of scalar subqueries counts them all, whatever the number of kinds.
    """
    if not sources:
        return {}
    query = _counting_query(sources)
    if query is None:
        sql, params = _counting_sql(sources, user)
    else:
        sql, params = query.sql, tuple(query.bind(user.pk))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cast(tuple[int, ...], cursor.fetchone())
    return {source.key: int(count) for source, count in zip(sources, row, strict=True)}
