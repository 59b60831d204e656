"""The data categories the portal uses, keyed as in the fideslang taxonomy.

Keys are fideslang's (checked against the default taxonomy of fideslang
3.1.4); we carry only the ones we declare, each with the words a customer
reads on the "My data" page, and the group it is shown under. Carrying them
rather than depending on the fideslang package keeps pydantic and friends out
of the portal; the system check rejects any key not listed here.
"""

from dataclasses import dataclass

from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class Category:
    key: str
    # In English, marked for translation (gettext_noop); `label` reads them in
    # the active language, which a page or an archive sets for its customer.
    words: str
    group: str

    @property
    def label(self) -> str:
        return gettext(self.words)


# Groups in the order the "My data" page shows them.
GROUPS: dict[str, StrOrPromise] = {
    "identity": _("Who you are and how to reach you"),
    "account": _("Your account and its security"),
    "devices": _("Devices and sign-ins"),
    "communications": _("Your conversations with us"),
    "ai_inferences": _("What our AI concluded about you"),
    "ai_decisions": _("Decisions our AI made about you"),
    "fairness": _("Characteristics used only to check our AI is fair"),
    "choices": _("Your privacy choices and requests"),
    "staff": _("Your work as staff"),
}

_CATEGORIES = [
    Category("user.name", gettext_noop("Name"), "identity"),
    Category("user.contact.email", gettext_noop("E-mail address"), "identity"),
    Category("user.contact.phone_number", gettext_noop("Phone number"), "identity"),
    Category("user.contact.address", gettext_noop("Postal address"), "identity"),
    Category("user.contact.address.street", gettext_noop("Street address"), "identity"),
    Category("user.contact.address.postal_code", gettext_noop("Postal code"), "identity"),
    Category("user.contact.address.city", gettext_noop("City"), "identity"),
    Category("user.contact.address.country", gettext_noop("Country"), "identity"),
    Category("user.demographic.language", gettext_noop("Preferred language"), "identity"),
    Category("user.unique_id", gettext_noop("Customer ID"), "identity"),
    Category("user.unique_id.pseudonymous", gettext_noop("Pseudonymous reference"), "choices"),
    Category("user.account", gettext_noop("Account details"), "account"),
    Category("user.account.settings", gettext_noop("Account settings"), "account"),
    Category("user.authorization", gettext_noop("Sign-in methods"), "account"),
    Category("user.authorization.credentials", gettext_noop("Sign-in secrets"), "account"),
    Category("user.device", gettext_noop("Device information"), "devices"),
    Category("user.device.ip_address", gettext_noop("IP address"), "devices"),
    Category("user.content.private", gettext_noop("Messages you sent or received"), "communications"),
    Category("user.behavior", gettext_noop("How you contacted us"), "communications"),
    Category("user.demographic.profile", gettext_noop("Profile and segment"), "ai_inferences"),
    # Characteristics kept only to measure whether AI treats groups alike.
    Category("user.demographic", gettext_noop("Characteristics for fairness checks"), "fairness"),
    Category("user.privacy_preferences", gettext_noop("Privacy choices"), "choices"),
]

CATEGORIES: dict[str, Category] = {category.key: category for category in _CATEGORIES}


def category(key: str) -> Category:
    return CATEGORIES[key]
