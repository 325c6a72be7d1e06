"""Who receives a street's results: the street Party working committee's secretary.

The seed: 测评结果第一时间反馈至街道党工委书记及相应网格长. The secretary is the active SECRETARY
member (party.PartyMember) of the street's WORKING_COMMITTEE (party.PartyOrganization anchored
at the street) who has an account; a street whose secretary has no account yet falls back to
its head (a HEAD post at the street), so its results still reach someone who answers for it.
One query each, whatever the number of streets.
"""

from collections.abc import Iterable

from django.apps import apps

from grids.models import Post, PostKind


def street_secretaries(street_ids: Iterable[int]) -> dict[int, int]:
    """street id → the user id of its Party working committee secretary (streets without one left out)."""
    street_ids = list(street_ids)
    if not street_ids or not apps.is_installed("party"):
        return {}
    member = apps.get_model("party", "PartyMember")
    rows = member.objects.filter(
        role="SECRETARY",
        is_active=True,
        user__isnull=False,
        user__is_active=True,
        organization__kind="WORKING_COMMITTEE",
        organization__node_id__in=street_ids,
    ).values_list("organization__node_id", "user_id")
    return dict(rows)


def street_recipients(street_ids: Iterable[int]) -> dict[int, int]:
    """street id → who receives the street's results: its Party secretary, else its head."""
    street_ids = list(street_ids)
    found = street_secretaries(street_ids)
    missing = [pk for pk in street_ids if pk not in found]
    if missing:
        heads = Post.objects.filter(
            kind=PostKind.HEAD, is_active=True, node_id__in=missing, user__is_active=True
        ).values_list("node_id", "user_id")
        for node_id, user_id in heads:
            found.setdefault(node_id, user_id)
    return found
