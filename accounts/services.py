"""Writes to customer accounts."""

from accounts.models import User


def user_update_profile(*, user: User, **changes: str) -> User:
    unknown = set(changes) - set(User.PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"not profile fields: {', '.join(sorted(unknown))}")
    for field, value in changes.items():
        setattr(user, field, value)
    user.full_clean(exclude=["password", "email"])
    user.save(update_fields=list(changes))
    return user
