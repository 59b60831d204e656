"""A query written once for any customer: kept only when the customer is nothing but a parameter."""

from typing import Any

from django.db import connection
from django.db.models import Q

from accounts.models import User
from privacy.selectors.sql_once import write_for_any_customer

STAND_INS = (-101, -102)


def run(sql: str, params: list[Any]) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return sorted(row[0] for row in cursor.fetchall())


def test_a_query_written_once_answers_for_alice_and_for_bob_each_their_own(alice, bob):
    def write(pk):
        # The customer's ID in two places: both are filled for each run.
        return User.objects.filter(Q(pk=pk) | Q(pk=pk, is_active=True)).values("pk").query.sql_with_params()

    written = write_for_any_customer(write, stand_ins=STAND_INS)
    assert written is not None and len(written.slots) == 2
    assert run(written.sql, written.bind(alice.pk)) == [alice.pk]
    assert run(written.sql, written.bind(bob.pk)) == [bob.pk]


def test_a_query_whose_text_changes_with_the_customer_is_refused(db):
    def write(pk):
        lookup = Q(pk=pk) if pk % 2 else Q(pk__lte=pk)  # its shape depends on the value
        return User.objects.filter(lookup).values("pk").query.sql_with_params()

    assert write_for_any_customer(write, stand_ins=STAND_INS) is None


def test_a_query_using_something_derived_from_the_customer_is_refused(db):
    # The value reaches the SQL only transformed: putting a customer's ID in its place would be wrong.
    def write(pk):
        return User.objects.filter(email=f"{pk}@example.com").values("pk").query.sql_with_params()

    assert write_for_any_customer(write, stand_ins=STAND_INS) is None


def test_a_query_with_a_second_parameter_that_differs_between_the_stand_ins_is_refused(db):
    def write(pk):
        return User.objects.filter(pk=pk, full_name=str(-pk)).values("pk").query.sql_with_params()

    assert write_for_any_customer(write, stand_ins=STAND_INS) is None
