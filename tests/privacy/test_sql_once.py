"""A query written once for any customer: kept only when the customer is nothing but a parameter."""

from typing import Any

import pytest
from django.db import connection
from django.db.models import Q, Value

from accounts.models import User
from interactions.models import Conversation, Message
from privacy.selectors.sql_once import customer_rows, write_for_any_customer
from tests.factories import give_history

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


# --- customer_rows: a customer's rows, built by the ORM from SQL written once ---------------------------------


def newest_messages(customer):
    return (
        Message.objects.filter(conversation__customer=customer)
        .select_related("conversation")
        .order_by("-sent_at", "-pk")[:2]
    )


def test_rows_read_with_sql_written_once_are_the_orms_own_with_their_joined_rows_and_bobs_stay_his(
    alice, bob, django_assert_num_queries
):
    give_history(alice, marker="ALICE")
    give_history(bob, marker="BOB")
    key = ("test: newest messages", object())
    for customer, marker in ((alice, "ALICE"), (bob, "BOB"), (alice, "ALICE")):
        with django_assert_num_queries(1):  # the conversation joined in: no query per row
            rows = customer_rows(key, newest_messages, newest_messages, customer)
            subjects = [row.conversation.subject for row in rows]
        assert rows == list(newest_messages(customer))
        assert all(marker in row.body for row in rows) and all(marker in subject for subject in subjects)
        assert all(row.sent_at.tzinfo is not None for row in rows)  # the database's converters applied


def test_rows_are_written_again_for_another_owner_of_the_same_key(alice):
    give_history(alice, messages_each=1)
    key = ("test: same key",)
    assert len(customer_rows(key, "first", newest_messages, alice)) == 2

    def only_one(customer):
        return newest_messages(customer)[:1]

    assert len(customer_rows(key, "second", only_one, alice)) == 1


def test_rows_whose_query_depends_on_more_than_the_customers_id_are_read_as_usual(alice, bob):
    give_history(alice, marker="ALICE")
    give_history(bob, marker="BOB")

    def by_email(customer):  # the customer's e-mail, not their ID, in the SQL: cannot be written once
        return Message.objects.filter(conversation__customer__email=customer.email)

    key = ("test: by email", object())
    assert {row.pk for row in customer_rows(key, by_email, by_email, bob)} == {
        row.pk for row in Message.objects.filter(conversation__customer=bob)
    }


def test_rows_whose_query_follows_whether_the_customer_is_staff_are_read_as_usual_for_each(alice, bob):
    give_history(alice, marker="ALICE")
    bob.is_staff = True
    bob.save(update_fields=["is_staff"])

    def staff_see_all(customer):  # a query shaped by more than the ID: never written once for all
        messages = Message.objects.order_by("pk")
        return messages if customer.is_staff else messages.filter(conversation__customer=customer)

    key = ("test: staff see all", object())
    assert len(customer_rows(key, staff_see_all, staff_see_all, alice)) == 6
    assert len(customer_rows(key, staff_see_all, staff_see_all, bob)) == Message.objects.count() > 0


def test_what_a_queryset_gives_besides_its_rows_is_kept_by_reading_it_as_usual(alice):
    give_history(alice)

    def as_values(customer):
        return Message.objects.filter(conversation__customer=customer).values("pk", "body")

    def with_prefetch(customer):
        return Conversation.objects.filter(customer=customer).prefetch_related("messages")

    values = customer_rows(("test: values", object()), as_values, as_values, alice)
    assert all(isinstance(row, dict) for row in values) and len(values) == 6
    conversations = customer_rows(("test: prefetch", object()), with_prefetch, with_prefetch, alice)
    assert [len(c._prefetched_objects_cache["messages"]) for c in conversations] == [3, 3]


@pytest.mark.postgresql
def test_postgresql_prepares_rows_written_once_and_stops_planning_them_for_each_customer(alice, bob):
    give_history(alice, marker="ALICE")
    give_history(bob, marker="BOB")

    def bodies(customer):  # the alias marks the statement among those prepared
        return Message.objects.filter(conversation__customer=customer).annotate(prepared_marker=Value(1))

    key = ("test: prepared", object())
    for customer in [alice, bob] * 4:
        assert {row.pk for row in customer_rows(key, bodies, bodies, customer)} == {
            row.pk for row in Message.objects.filter(conversation__customer=customer)
        }
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", ["%prepared_marker%"])
        (prepared,) = cursor.fetchone()
    assert prepared == 1
