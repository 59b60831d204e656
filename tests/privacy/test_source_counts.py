"""Every kind of data a customer holds, counted in one query, theirs only."""

from interactions.models import Conversation
from privacy.registry import registry
from privacy.selectors import source_counts
from privacy.selectors.source_counts import source_row_counts
from tests.factories import ConversationFactory, give_history


def test_one_query_counts_every_kind_of_alices_data_and_bobs_apart(alice, bob, django_assert_num_queries):
    give_history(alice, marker="ALICE-MARK")
    give_history(bob, marker="BOB-MARK")
    ConversationFactory.create(customer=bob)
    for customer in (alice, bob):
        with django_assert_num_queries(1):
            counts = source_row_counts(user=customer, sources=registry.sources)
        assert counts == {source.key: source.rows_for(customer).count() for source in registry.sources}
    assert counts["interactions.conversation"] == Conversation.objects.filter(customer=bob).count() > 0


def test_counts_stay_right_for_each_customer_when_the_query_cannot_be_written_once(alice, bob, monkeypatch):
    # A kind whose rows depend on more than the customer's ID: the query is written for each customer instead.
    give_history(alice, marker="ALICE-MARK")
    monkeypatch.setattr(source_counts, "_COUNTING_QUERIES", {})
    monkeypatch.setattr(source_counts, "write_for_any_customer", lambda *args, **kwargs: None)
    for customer in (alice, bob):
        counts = source_row_counts(user=customer, sources=registry.sources)
        assert counts == {source.key: source.rows_for(customer).count() for source in registry.sources}
    assert source_row_counts(user=alice, sources=registry.sources)["interactions.conversation"] > 0
