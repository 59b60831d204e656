"""The kinds of AI decision, named in the reader's language where we can.

The business names each kind when it reports a decision (AIDecision.kind_label,
English words such as "Refund request"), and each audit keeps those words as
they were. The kinds the portal knows are translated here, by their code; a
kind the business named in words of its own keeps those words, since no
catalogue can translate them.
"""

from django.utils.translation import gettext, gettext_noop

# The kinds our AI systems report, by code, with the English words the business
# uses for them (marked for the catalogues, translated when shown).
KNOWN_KINDS: dict[str, str] = {
    "refund_request": gettext_noop("Refund request"),
    "request_priority": gettext_noop("Priority of your request"),
    "offer_eligibility": gettext_noop("Loyalty offer"),
}


def decision_kind_label(kind: str, stored_label: str) -> str:
    """`stored_label` in the active language when it is the known English name of `kind`, else unchanged."""
    if KNOWN_KINDS.get(kind) == stored_label:
        return gettext(stored_label)
    return stored_label
