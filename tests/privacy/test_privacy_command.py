import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from privacy.models import APIClient
from privacy.registry import registry
from privacy.tokens import hash_token
from tests.factories import give_history


def run(*args) -> str:
    out = StringIO()
    call_command("privacy", *args, stdout=out)
    return out.getvalue()


def test_inventory_prints_every_declared_source_field_and_value_as_json(alice, bob):
    give_history(alice, marker="ALICE-MARK")
    give_history(bob, marker="BOB-MARK")
    data = json.loads(run("inventory", "ALICE@example.com"))
    assert data["subject"]["public_id"] == str(alice.public_id)
    assert {source["source"] for source in data["sources"]} == {source.key for source in registry.sources}
    for source_data in data["sources"]:
        source = registry.source(source_data["source"])
        assert [f["name"] for f in source_data["fields"]] == [f.name for f in source.fields]
        assert all(f["category"] for f in source_data["fields"])
        assert len(source_data["rows"]) == source.rows_for(alice).count()
    text = json.dumps(data)
    assert "ALICE-MARK" in text and "alice@example.com" in text
    assert "BOB-MARK" not in text and "bob@example.com" not in text
    assert alice.password not in text


def test_inventory_marks_ai_derived_values(alice):
    give_history(alice, marker="M")
    data = json.loads(run("inventory", alice.email))
    inferences = next(s for s in data["sources"] if s["source"] == "interactions.aiinference")
    assert inferences["fields"][2]["derived_by_ai"] is True
    assert inferences["rows"][0]["value__confidence"] == 0.73
    assert inferences["rows"][0]["value__ai_system"]


@pytest.mark.django_db
def test_inventory_of_an_unknown_address_says_so():
    with pytest.raises(CommandError, match="No customer"):
        run("inventory", "nobody@example.com")


@pytest.mark.django_db
def test_creating_an_api_client_prints_its_token_once_and_stores_only_a_hash():
    output = run("api-client", "create", "CX platform", "--scopes", "interactions:write,permissions:read")
    token = output.strip().splitlines()[-1]
    assert token.startswith("pp_") and len(token) > 40
    client = APIClient.objects.get(name="CX platform")
    assert client.token_hash == hash_token(token)
    assert token not in str(APIClient.objects.values())
    assert client.scopes == ["interactions:write", "permissions:read"]
    assert token not in run("api-client", "list")


@pytest.mark.django_db
def test_an_unknown_scope_is_refused():
    with pytest.raises(CommandError, match="unknown scopes: everything"):
        run("api-client", "create", "X", "--scopes", "everything")
    assert not APIClient.objects.exists()


@pytest.mark.django_db
def test_a_revoked_client_is_listed_as_revoked():
    run("api-client", "create", "Old system", "--scopes", "interactions:write")
    run("api-client", "revoke", "Old system")
    assert "revoked" in run("api-client", "list")
    assert not APIClient.objects.get().is_active
