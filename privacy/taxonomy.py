"""The data categories the portal uses, keyed as in the fideslang taxonomy.

Keys are fideslang's (checked against the default taxonomy of fideslang
3.1.4); we carry only the ones we declare, each with the words a customer
reads on the "My data" page, and the group it is shown under. Carrying them
rather than depending on the fideslang package keeps pydantic and friends out
of the portal; the system check rejects any key not listed here.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Category:
    key: str
    label: str
    group: str


# Groups in the order the "My data" page shows them.
GROUPS = {
    "identity": "Who you are and how to reach you",
    "account": "Your account and its security",
    "devices": "Devices and sign-ins",
    "communications": "Your conversations with us",
    "ai_inferences": "What our AI concluded about you",
    "ai_decisions": "Decisions our AI made about you",
    "fairness": "Characteristics used only to check our AI is fair",
    "choices": "Your privacy choices and requests",
    "staff": "Your work as staff",
}

_CATEGORIES = [
    Category("user.name", "Name", "identity"),
    Category("user.contact.email", "E-mail address", "identity"),
    Category("user.contact.phone_number", "Phone number", "identity"),
    Category("user.contact.address", "Postal address", "identity"),
    Category("user.contact.address.street", "Street address", "identity"),
    Category("user.contact.address.postal_code", "Postal code", "identity"),
    Category("user.contact.address.city", "City", "identity"),
    Category("user.contact.address.country", "Country", "identity"),
    Category("user.demographic.language", "Preferred language", "identity"),
    Category("user.unique_id", "Customer ID", "identity"),
    Category("user.unique_id.pseudonymous", "Pseudonymous reference", "choices"),
    Category("user.account", "Account details", "account"),
    Category("user.account.settings", "Account settings", "account"),
    Category("user.authorization", "Sign-in methods", "account"),
    Category("user.authorization.credentials", "Sign-in secrets", "account"),
    Category("user.device", "Device information", "devices"),
    Category("user.device.ip_address", "IP address", "devices"),
    Category("user.content.private", "Messages you sent or received", "communications"),
    Category("user.behavior", "How you contacted us", "communications"),
    Category("user.demographic.profile", "Profile and segment", "ai_inferences"),
    # Characteristics kept only to measure whether AI treats groups alike.
    Category("user.demographic", "Characteristics for fairness checks", "fairness"),
    Category("user.privacy_preferences", "Privacy choices", "choices"),
]

CATEGORIES: dict[str, Category] = {category.key: category for category in _CATEGORIES}


def category(key: str) -> Category:
    return CATEGORIES[key]
