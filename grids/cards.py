"""联心卡: a grid's contact card — the grid, its community and street, its workers and head with
their WORK phones (User.phone of the post holders: the posts' public contact, never residents'
data) and a QR code of the report form pre-set to the grid.

`grid_cards` reads any number of grids in a fixed number of queries (the grids with their
community and street, then the posts); the public 我的网格 (portal.public) and the printable
cards (grids.card_views) show the same card.
"""

from collections import defaultdict
from dataclasses import dataclass, field

import segno
from django.urls import reverse

from grids.models import GridNode, NodeKind, Post, PostKind
from grids.subtree import in_subtree

CARD_POSTS = (PostKind.WORKER, PostKind.HEAD)


@dataclass(frozen=True)
class Contact:
    name: str
    phone: str


@dataclass
class GridCard:
    grid: GridNode
    community: GridNode | None
    street: GridNode | None
    workers: list[Contact] = field(default_factory=list)
    head: Contact | None = None


def grids_below(node: GridNode):
    """The GRID nodes of `node`'s subtree (the node itself if it is one), in code order."""
    return GridNode.objects.filter(in_subtree(node), kind=NodeKind.GRID).order_by("code")


def grid_cards(grids) -> list[GridCard]:
    """The cards of these grids (a queryset or list of GRID nodes): two queries whatever their number."""
    rows = list(
        GridNode.objects.filter(
            pk__in=[g.pk for g in grids] if isinstance(grids, list) else grids.values("pk")
        )
        .select_related("parent", "parent__parent")
        .order_by("code")
    )
    posts: dict[int, list[Post]] = defaultdict(list)
    for post in (
        Post.objects.filter(node_id__in=[g.pk for g in rows], kind__in=CARD_POSTS, is_active=True)
        .select_related("user")
        .order_by("node_id", "kind", "pk")
    ):
        posts[post.node_id].append(post)
    cards = []
    for grid in rows:
        community = grid.parent if grid.parent and grid.parent.kind == NodeKind.COMMUNITY else None
        street = community.parent if community and community.parent else None
        card = GridCard(grid=grid, community=community, street=street)
        for post in posts[grid.pk]:
            contact = Contact(name=post.user.display_name, phone=post.user.phone)
            if post.kind == PostKind.WORKER:
                card.workers.append(contact)
            elif card.head is None:
                card.head = contact
        cards.append(card)
    return cards


def grid_card(grid: GridNode) -> GridCard:
    return grid_cards([grid])[0]


def report_path(grid: GridNode) -> str:
    """The report form pre-set to the grid (petitions:report honours `grid`)."""
    return f"{reverse('petitions:report')}?grid={grid.pk}"


def report_url(request, grid: GridNode) -> str:
    """The absolute address the card's QR code carries."""
    return request.build_absolute_uri(report_path(grid))


def qr_svg(payload: str, *, scale: int = 4) -> str:
    """The QR code of `payload` as an inline SVG element (no script, no style: CSP-safe)."""
    return segno.make(payload, error="m").svg_inline(scale=scale, title=payload)
