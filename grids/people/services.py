"""Accounts of the people who hold posts: created, deactivated, reactivated and given a new
password by the officials and administrators of their subtree.

Who may do it is the policy's (grids.access): `require_may_grant` / `may_grant_kind` for a
post at a node, `require_may_manage_account` for an account (in scope, and every post it
holds one the actor could end itself). Posts themselves are granted, ended and moved by
grids.services (`post_assign`, `post_end`, `post_move`), which these services reuse.

A password set here is validated by Django's AUTH_PASSWORD_VALIDATORS and must be changed
by its holder at the next login (hlgrid.passwords). It is returned once, to be shown once;
it is never stored in clear.
"""

from dataclasses import dataclass

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from grids import access
from grids.models import Department, GridNode, Post
from grids.services import post_assign, post_end
from hlgrid import inputs, passwords
from hlgrid.errors import Forbidden, InvalidInput, TransitionNotAllowed
from hlgrid.models import User

USERNAME_MAX = 150


@dataclass(frozen=True)
class NewPassword:
    """An account and the password just set for it (to show once)."""

    account: User
    password: str
    generated: bool


def clean_username(username: str, *, field: str = "username") -> str:
    username = inputs.required(field, username)
    if len(username) > USERNAME_MAX:
        raise InvalidInput.field(field, _("At most %(n)d characters.") % {"n": USERNAME_MAX})
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError as error:
        raise InvalidInput.field(field, error.messages[0]) from None
    if User.objects.filter(username__iexact=username).exists():
        raise InvalidInput.field(field, _("The username %(u)s is already taken.") % {"u": username})
    return username


def _set_password(account: User, password: str | None) -> NewPassword:
    generated = not password
    password = password or passwords.generate()
    try:
        passwords.set_by_someone_else(account, password)
    except ValidationError as error:
        raise InvalidInput(error.messages[0], errors={"password": list(error.messages)}) from None
    return NewPassword(account=account, password=password, generated=generated)


def account_create(
    *,
    actor,
    username: str,
    name: str,
    phone: str = "",
    password: str | None = None,
    kind: str,
    node: GridNode,
    department: Department | None = None,
) -> NewPassword:
    """Create an account with its first post at `node` (an account is always someone's post
    holder, so it is in its manager's scope from the start). The password, given or generated,
    must be changed at the first login."""
    access.require_may_grant(actor, node)
    username = clean_username(username)
    name = inputs.required("name", name)
    if len(name) > 64:
        raise InvalidInput.field("name", _("At most %(n)d characters.") % {"n": 64})
    phone = inputs.phone(phone)
    with transaction.atomic():
        account = User(username=username, name=name, phone=phone)
        result = _set_password(account, password)
        account.save()
        post_assign(actor=actor, user=account, kind=kind, node=node, department=department)
    return result


def account_deactivate(*, actor, account: User) -> User:
    """Lock an account out and end its posts (history kept). Nobody deactivates itself."""
    if actor is not None and getattr(actor, "pk", None) == account.pk:
        access.require_may_manage_account(actor, account)  # an outsider learns nothing
        raise Forbidden(_("You cannot deactivate your own account."))
    with transaction.atomic():
        account = User.objects.select_for_update().get(pk=account.pk)
        access.require_may_manage_account(actor, account)
        if not account.is_active:
            raise TransitionNotAllowed(_("This account is already deactivated."))
        for post in Post.objects.filter(user=account, is_active=True).select_related("node"):
            post_end(actor=actor, post=post)
        account.is_active = False
        account.save(update_fields=["is_active"])
    return account


def account_activate(*, actor, account: User) -> User:
    """Let a deactivated account log in again (its posts are granted anew, one by one)."""
    with transaction.atomic():
        account = User.objects.select_for_update().get(pk=account.pk)
        access.require_may_manage_account(actor, account)
        if account.is_active:
            raise TransitionNotAllowed(_("This account is already active."))
        account.is_active = True
        account.save(update_fields=["is_active"])
    return account


def account_reset_password(*, actor, account: User, password: str | None = None) -> NewPassword:
    """Set a new password (given or generated) that the holder must change at the next login."""
    if actor is not None and getattr(actor, "pk", None) == account.pk:
        access.require_may_manage_account(actor, account)
        raise Forbidden(_("Change your own password from your account page."))
    with transaction.atomic():
        account = User.objects.select_for_update().get(pk=account.pk)
        access.require_may_manage_account(actor, account)
        result = _set_password(account, password)
        account.save(update_fields=["password", "must_change_password"])
    return result
