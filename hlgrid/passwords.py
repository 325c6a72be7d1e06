"""Passwords that someone else set: a generated initial password, and the rule that its holder
chooses its own at the next login.

When an official creates an account or resets a password, the account's
`must_change_password` is set. `PasswordChangeRequiredMiddleware` then sends every page
request of that user to Django's password-change view, and the API's default permission
`PasswordChosen` answers it 403, until the user has chosen a password of its own
(`ChangePasswordView` clears the flag); Django's AUTH_PASSWORD_VALIDATORS apply to both
passwords.
"""

import secrets

from django.contrib import messages
from django.contrib.auth import password_validation
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import PasswordChangeView
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

# No 0/O, 1/l/I: the password is read aloud or copied from a screen.
ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
GENERATED_LENGTH = 12
API_PREFIX = "/api/"
STATIC_PREFIX = "/static/"
# What a user who must change its password may still open.
ALLOWED_URL_NAMES = ("password_change", "password_change_done", "logout", "set_language")


def generate() -> str:
    """A random password that passes the validators (letters and digits, 12 characters)."""
    while True:
        candidate = "".join(secrets.choice(ALPHABET) for _ in range(GENERATED_LENGTH))
        if any(c.isdigit() for c in candidate) and any(c.isalpha() for c in candidate):
            return candidate


def set_by_someone_else(user, password: str) -> None:
    """Set a password chosen for `user` by another person (validated); it must be changed at
    the next login. Saves nothing: the caller saves the user."""
    password_validation.validate_password(password, user)
    user.set_password(password)
    user.must_change_password = True


class PasswordChangeRequiredMiddleware:
    """Keep a user whose password was set by someone else on the password-change page (the API
    is guarded by `PasswordChosen`, as token calls are authenticated in the view)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._allowed = None

    def _allowed_paths(self) -> set[str]:
        if self._allowed is None:
            self._allowed = {reverse(name) for name in ALLOWED_URL_NAMES}
        return self._allowed

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "must_change_password", False)
            and not request.path.startswith((API_PREFIX, STATIC_PREFIX))
            and request.path not in self._allowed_paths()
        ):
            return redirect("password_change")
        return self.get_response(request)


class PasswordChosen(BasePermission):
    """The API's default permission: refuse (403) a user who must first change its password."""

    message = _("Change your password on the website first: it was set by someone else.")

    def has_permission(self, request, view) -> bool:
        return not getattr(request.user, "must_change_password", False)


class ChangePasswordView(PasswordChangeView):
    """Django's password change, which also lifts the must-change flag."""

    template_name = "registration/password_change_form.html"

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.user
        if user.must_change_password:
            user.must_change_password = False
            user.save(update_fields=["must_change_password"])
        return response

    def get_success_url(self):
        return reverse("password_change_done")


@login_required
def password_change_done(request):
    """After the change: a message, and on to the user's own home."""
    messages.success(request, _("Your password was changed."))
    return redirect("home")
