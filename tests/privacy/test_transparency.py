import pytest

from tests.factories import AISystemFactory


@pytest.mark.django_db
def test_the_public_page_shows_every_active_ai_systems_card(client):
    AISystemFactory(
        slug="chat-assistant", name="Chat assistant", decisions="None on its own.", human_oversight="Daily samples.",
        data_categories=["user.content.private"], last_bias_audit_summary="Equal quality across languages.",
    )
    import datetime

    from privacy.models import AISystem

    AISystem.objects.filter(slug="chat-assistant").update(last_bias_audit_on=datetime.date(2026, 9, 15))
    AISystemFactory(slug="retired", name="Retired bot", is_active=False)
    html = client.get("/ai/").content.decode()
    for text in ["Chat assistant", "None on its own.", "Daily samples.", "Messages you sent or received",
                 "15 September 2026", "Equal quality across languages."]:
        assert text in html
    assert "Retired bot" not in html
    assert 'id="ai-chat-assistant"' in html
