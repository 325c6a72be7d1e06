"""The printable 联心卡 (contact cards) of grids: one grid's card, and every card of a community
or street on one page. For the field posts over the grid (worker, head, official); a print
stylesheet lays them out as A6 cards."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils.safestring import mark_safe

from grids import access, cards, selectors
from grids.models import NodeKind
from hlgrid.errors import Forbidden, NotFound


def _card_node(request, pk: int):
    node = selectors.gridnode_get(user=request.user, pk=pk)
    try:
        access.require_post(request.user, node, kinds=access.CARD_KINDS)
    except Forbidden as error:
        raise PermissionDenied(str(error.detail)) from None
    except NotFound:
        raise Http404 from None
    return node


def _printable(request, grid_cards) -> list[dict]:
    return [
        {
            "card": card,
            "report_url": (url := cards.report_url(request, card.grid)),
            # segno writes the SVG from the URL alone: nothing of the request's input is echoed raw.
            "qr": mark_safe(cards.qr_svg(url)),
        }
        for card in grid_cards
    ]


@login_required
def grid_card(request, pk: int):
    node = _card_node(request, pk)
    if node.kind != NodeKind.GRID:
        raise Http404
    context = {"node": node, "cards": _printable(request, [cards.grid_card(node)]), "single": True}
    return render(request, "grids/cards.html", context)


@login_required
def grid_cards(request, pk: int):
    node = _card_node(request, pk)
    context = {
        "node": node,
        "cards": _printable(request, cards.grid_cards(cards.grids_below(node))),
        "single": False,
    }
    return render(request, "grids/cards.html", context)
