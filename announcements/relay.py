"""The relay of a published announcement to the micro-grid WeChat Work groups (the seed's
专属微信群) of the node's subtree: one queued message per group, in the publishing transaction,
sent after commit by the notifier."""

from grids import access

# A group message is read on a phone: the title and the start of the text, then the link-free end.
GROUP_TEXT_MAX = 600


def relay_to_chat_groups(announcement) -> int:
    from residents.chat_groups import chat_groups_announce

    text = f"【{announcement.title}】\n{announcement.body}"[:GROUP_TEXT_MAX]
    # `announcement_publish` has checked that its actor may announce at this node; the relay
    # reaches every group under it, whoever published.
    return chat_groups_announce(
        actor=access.SYSTEM,
        node_ids=[announcement.node_id],
        text=text,
        dedupe=f"announcement:{announcement.pk}",
    )


RELAY_TEXT_MAX = 500


def head_relay(*, actor, announcement=None, text: str = "", now=None):
    """A 楼栋长/单元长 relays a live announcement of its grid (or its own short notice) to its
    building's or unit's chat groups: recorded, one message per group queued in this
    transaction (sent after commit by the notifier). 404 without a head account or for an
    announcement its grid does not read."""
    from django.db import transaction
    from django.utils import timezone
    from django.utils.translation import gettext as _

    from announcements.models import Relay
    from announcements.selectors import announcements_for_grid
    from hlgrid.errors import InvalidInput, NotFound
    from hlgrid.notifier.models import Channel, Purpose
    from hlgrid.notifier.services import delivery_queue
    from residents.heads import head_chat_groups, require_head

    account = require_head(actor)
    now = now or timezone.now()
    text = (text or "").strip()
    if announcement is not None:
        live = {a.pk: a for a in announcements_for_grid(grid=account.grid, now=now, limit=200)}
        announcement = live.get(getattr(announcement, "pk", announcement))
        if announcement is None:
            raise NotFound()
        text = f"【{announcement.title}】\n{announcement.body}"[:GROUP_TEXT_MAX]
    elif not text:
        raise InvalidInput.field("text", _("Write the notice or choose an announcement."))
    elif len(text) > RELAY_TEXT_MAX:
        raise InvalidInput.field("text", _("At most 500 characters."))
    groups = list(head_chat_groups(account=account))
    if not groups:
        raise InvalidInput.field(
            "text", _("Your building or unit has no chat group yet; ask your grid worker.")
        )
    with transaction.atomic():
        relay = Relay.objects.create(
            account=account, grid=account.grid, announcement=announcement, text=text, groups=len(groups)
        )
        for group in groups:
            delivery_queue(
                channel=Channel.WECOM,
                address=group.webhook_url,
                text=text,
                purpose=Purpose.ANNOUNCEMENT,
                dedupe=f"relay:{relay.pk}:group:{group.pk}",
                node_id=group.grid_id,
                label=group.name,
                now=now,
            )
    return relay
