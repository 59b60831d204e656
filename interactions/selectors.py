from django.contrib.auth import get_user_model


def customer_by_reference(*, email: str | None = None, public_id=None):
    """The active customer with this e-mail address or public ID, or None."""
    customers = get_user_model().objects.filter(is_active=True)
    if email:
        return customers.filter(email__iexact=email.strip()).first()
    return customers.filter(public_id=public_id).first()
