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

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any


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
