"""The profile's fields in the customer's words and language.

The model's verbose names are the staff admin's (English, and part of the
migrations); the profile form and "My data" name the fields with these.
"""

from django.utils.translation import gettext_lazy as _

PROFILE_LABELS = {
    "full_name": _("Full name"),
    "phone": _("Phone number"),
    "address_line1": _("Address"),
    "address_line2": _("Address (line 2)"),
    "postal_code": _("Postal code"),
    "city": _("City"),
    "country": _("Country"),
    "preferred_language": _("Preferred language"),
}
