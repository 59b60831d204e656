"""SQL the ORM writes once per process and runs for every customer.

Some reads run the same large query for customer after customer ("My data"
counts every kind of data in one query of subqueries; the permission API
reads a customer with every override on every call). Writing such a query — the
ORM resolving and compiling each subquery — costs more than running it, so it
is written once, with a stand-in standing for the customer, and each run
puts the customer's value where the stand-in's was.

That is only sound when the customer's value is nothing but a parameter: the
query is written twice, with two stand-ins no real row has, and kept only if
the two differ in exactly the stand-in's parameters. A query whose shape
depends on the customer is refused (None) and must be written per run.
"""

import contextlib
import copy
from collections.abc import Callable, Hashable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, cast

from django.contrib.auth import get_user_model
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model, QuerySet
from django.db.models.query import ModelIterable
from django.db.models.sql import Query
from django.db.models.sql.compiler import SQLCompiler

from privacy.kept import kept_per_language


@dataclass(frozen=True)
class WrittenQuery:
    sql: str
    params: tuple[Any, ...]
    slots: frozenset[int]  # the positions in params that hold the customer's value

    def bind(self, value: Any) -> list[Any]:
        """The parameters for one customer: `value` (as the database takes it) in every slot."""
        return [value if index in self.slots else param for index, param in enumerate(self.params)]


def write_for_any_customer(
    write: Callable[[Any], tuple[str, Sequence[Any]]],
    *,
    stand_ins: tuple[Any, Any],
    as_param: Callable[[Any], Any] = lambda value: value,
) -> WrittenQuery | None:
    """`write(stand_in)` gives (sql, params) for a customer; the query written once for any customer,
    or None when it cannot be reused. `as_param` turns a stand-in into its parameter as the ORM
    passes it (a UUID, for instance, is passed as the database stores it)."""
    one, other = stand_ins
    (sql, params), (other_sql, other_params) = write(one), write(other)
    one_param, other_param = as_param(one), as_param(other)
    slots = frozenset(index for index, param in enumerate(params) if param == one_param)
    reusable = (
        bool(slots)
        and sql == other_sql
        and len(params) == len(other_params)
        and all(
            other_params[index] == (other_param if index in slots else params[index]) for index in range(len(params))
        )
    )
    return WrittenQuery(sql, tuple(params), slots) if reusable else None


# --- A customer's rows of a model, read with SQL written once -----------------------------------------------

# A model's rows for a customer ("My data"'s newest rows of each kind, joined to
# the rows they name) cost the ORM more to write than the database to read: a
# dozen such queries were a third of the page. Each is written once per process
# for a stand-in customer; the compiler that wrote it (which knows the columns,
# the joined models and the converters) is kept; each run fetches the rows with
# the customer's value bound in (on the server, on PostgreSQL) and hands them to
# Django's own ModelIterable through that compiler, so they are built exactly as
# the ORM builds them.

_STAND_IN_CUSTOMER_PKS = (-7_391_046, -7_391_047)  # no row has a negative ID
# The second stand-in differs from the first in all but being a customer row:
# a query whose SQL or parameters follow anything but the ID (staff see more,
# an e-mail address, a language) comes out different for the two, and is refused.
_SECOND_STAND_IN = {
    "is_staff": True,
    "is_superuser": True,
    "is_active": False,
    "email": "second-stand-in@invalid",
    "preferred_language": "de",
}


@dataclass(frozen=True)
class _WrittenRows:
    model: type[Model]
    using: str  # the database alias it was written for
    query: WrittenQuery
    compiler: SQLCompiler  # set up by writing the query: select, klass_info, converters


class _QueryWrittenOnce(Query):
    """A query whose compiler is one already set up: it runs the written SQL, not a new one."""

    def __init__(self, model: type[Model], compiler: SQLCompiler) -> None:
        super().__init__(model)
        self._compiler = compiler

    def get_compiler(self, using: Any = None, connection: Any = None, elide_empty: bool = True) -> SQLCompiler:
        return self._compiler


@contextlib.contextmanager
def server_bound_cursor(connection: BaseDatabaseWrapper) -> Iterator[Any]:
    """A cursor of `connection` that binds parameters on the server on PostgreSQL.

    Django binds parameters on the client, so each customer's run of a query
    written once is new SQL text that PostgreSQL parses and plans afresh
    (planning a join costs more than running it for one customer's rows).
    Bound on the server, the text is the same for every customer, so psycopg
    prepares it after a few runs on a connection (the database's
    `prepare_threshold` option, see settings), and persistent connections
    (CONN_MAX_AGE) keep it prepared. Other databases get Django's own cursor.
    """
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            yield cursor
        return
    import psycopg

    # As Django's own cursor() begins (the per-cursor time zone it may add is for a database
    # TIME_ZONE other than the connection's, which the settings never set).
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    # Django's own wrapper: errors translated and the query logged like any other.
    wrapper: Any = connection  # _prepare_cursor: the PostgreSQL wrapper's, not on the base class
    with wrapper._prepare_cursor(psycopg.Cursor(connection.connection)) as cursor:
        yield cursor


def _write_rows(queryset_for: Callable[[Any], QuerySet[Any]]) -> _WrittenRows | None:
    user_model = get_user_model()
    compilers: dict[Any, SQLCompiler] = {}
    querysets: list[QuerySet[Any]] = []

    def write(pk: Any) -> tuple[str, Sequence[Any]]:
        stand_in = user_model(pk=pk, **(_SECOND_STAND_IN if pk == _STAND_IN_CUSTOMER_PKS[1] else {}))
        queryset = queryset_for(stand_in)
        compiler = queryset.query.get_compiler(using=queryset.db)
        compilers[pk] = compiler
        querysets.append(queryset)
        sql, params = compiler.as_sql()
        return sql, params

    try:
        written = write_for_any_customer(write, stand_ins=_STAND_IN_CUSTOMER_PKS)
    except EmptyResultSet:  # a query that can match nothing: run as usual, which answers [] without SQL
        return None
    compiler = compilers[_STAND_IN_CUSTOMER_PKS[0]]
    if written is None or not _only_sql_matters(querysets[0], compiler):
        return None
    compiler.connection = None  # type: ignore[assignment]  # each run sets its own thread's; the kept one holds none
    return _WrittenRows(querysets[0].model, querysets[0].db, written, compiler)


def _only_sql_matters(queryset: QuerySet[Any], compiler: SQLCompiler) -> bool:
    """Whether the rows are all the queryset gives: model instances built from its SQL alone, with
    nothing Django does besides (values(), prefetches, known related rows, another fetch mode,
    extra columns a DISTINCT ordering selects and cuts)."""
    given: Any = queryset  # the private attributes Django's QuerySet keeps these in
    plain: Any = queryset.model._default_manager.none()
    return (
        given._iterable_class is ModelIterable
        and not given._prefetch_related_lookups
        and not given._known_related_objects
        and given._fetch_mode is plain._fetch_mode
        and not compiler.has_extra_select
    )


def customer_rows[M: Model](
    key: Hashable, owner: object, queryset_for: Callable[[Any], QuerySet[M]], user: Any
) -> list[M]:
    """`list(queryset_for(user))`, with the SQL written once per process and language
    for `owner` under `key` (kept by privacy/kept.py; per language, as a query
    ordering by a translated field names the language's column).

    `queryset_for(customer)` must differ between customers only in the
    customer's ID; one that differs in more (a staff member sees more) is
    refused by write_for_any_customer, and so is one that gives more than
    model instances built from its SQL (values(), prefetches): those run as usual.
    """
    written = kept_per_language(owner, "rows written once", key, work_out=lambda: _write_rows(queryset_for))
    if written is None:
        return list(queryset_for(user))
    compiler = copy.copy(written.compiler)
    compiler.connection = connections[written.using]  # this thread's connection
    with server_bound_cursor(compiler.connection) as cursor:
        cursor.execute(written.query.sql, written.query.bind(user.pk))
        fetched = cursor.fetchall()
    # The rows as the compiler's own execute_sql hands them on: a list of chunks.
    compiler.execute_sql = lambda *args, **kwargs: [fetched]  # type: ignore[method-assign, assignment]
    queryset = cast(QuerySet[M], written.model._default_manager.using(written.using).all())
    queryset.query = _QueryWrittenOnce(written.model, compiler)
    return list(queryset)
