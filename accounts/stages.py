"""allauth's sign-in stages, as the portal runs them (AccountAdapter.get_login_stages swaps these in)."""

from allauth.account.stages import LoginByCodeStage as AllauthLoginByCodeStage
from django.http import HttpRequest


class LoginByCodeStage(AllauthLoginByCodeStage):  # type: ignore[misc]  # allauth ships no type hints: its stage is Any
    """A sign-in code the customer asked for is one way in among others, not a place they are held.

    allauth sends every visit to the sign-in, code and sign-up pages back to a
    pending stage until it is finished or cancelled: someone who mistyped their
    address in "Send me a sign-in code" could not get back to the sign-in form.
    Those pages now start afresh (signing in replaces the pending attempt). A
    code that a password sign-in went on to require stays pending as before.
    """

    def is_resumable(self, request: HttpRequest) -> bool:
        return not self.state.get("initiated_by_user", False)
