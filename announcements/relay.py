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
