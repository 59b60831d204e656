import pytest

from tests.factories import AISystemFactory


@pytest.mark.django_db
def test_the_public_page_shows_every_active_ai_systems_card(client):
    AISystemFactory.create(
        slug="chat-assistant",
        name="Chat assistant",
        decisions="None on its own.",
        human_oversight="Daily samples.",
        data_categories=["user.content.private"],
        bias_audit_note="Equal quality across languages.",
    )
    AISystemFactory.create(slug="retired", name="Retired bot", is_active=False)
    html = client.get("/ai/").content.decode()
    for text in [
        "Chat assistant",
        "None on its own.",
        "Daily samples.",
        "Messages you sent or received",
        "Equal quality across languages.",
        "No automated decisions of this system have been audited",
    ]:
        assert text in html
    assert "Retired bot" not in html
    assert 'id="ai-chat-assistant"' in html
