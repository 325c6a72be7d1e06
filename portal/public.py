"""The residents' front door: `/` for a visitor without an account, and 我的网格.

The home shows big tiles (随手拍, 查询进度, 我的网格, 大事要闻) and a discreet staff sign-in.
我的网格 is the 联心卡 on screen: the resident taps the grid map or shares a location, the page
asks the public grid card (portal.public_api) and opens the grid's card with its workers' and
head's work phones and the announcements of the grid and every node above it. A grid is also
reachable directly (`?grid=<pk>`), so a resident can keep the page of their own grid.
"""

from dataclasses import dataclass

from django.shortcuts import render
from django.urls import reverse

from announcements import selectors as announcement_selectors
from grids import cards, svg
from grids.locator import locate
from grids.models import GridNode, NodeKind
from hlgrid.ids import parse_id

GRID_COOKIE = "hl_my_grid"
GRID_COOKIE_AGE = 365 * 24 * 3600
NEWS_LIMIT = 30


@dataclass
class GridView:
    card: cards.GridCard
    announcements: list
    report_url: str
    card_url: str


def locate_grid(lat: float, lng: float) -> GridNode | None:
    found = locate(lat, lng)
    if found is None:
        return None
    return GridNode.objects.filter(pk=found.id, kind=NodeKind.GRID).first()


def grid_view(grid: GridNode) -> GridView:
    """The card of a grid and what its residents read (three queries)."""
    return GridView(
        card=cards.grid_card(grid),
        announcements=announcement_selectors.announcements_for_grid(grid=grid),
        report_url=cards.report_path(grid),
        card_url=f"{reverse('my_grid')}?grid={grid.pk}",
    )


def grid_map() -> dict | None:
    """The grids drawn as SVG, with the projection the page inverts to turn a tap into a point."""
    grids = list(GridNode.objects.filter(kind=NodeKind.GRID, boundary__isnull=False).only(*svg.FIELDS))
    drawing = svg.draw(None, grids)
    if drawing is None:
        return None
    projection = svg.Projection(
        min(g.min_lng for g in grids),
        min(g.min_lat for g in grids),
        max(g.max_lng for g in grids),
        max(g.max_lat for g in grids),
    )
    drawing["projection"] = {
        "minLng": projection.min_lng,
        "maxLat": projection.max_lat,
        "kx": projection.kx,
        "scale": projection.scale,
    }
    return drawing


def _grid(pk: int | None) -> GridNode | None:
    return None if pk is None else GridNode.objects.filter(pk=pk, kind=NodeKind.GRID).first()


def _remembered(request) -> int | None:
    """The grid the visitor last opened (a grid id in a cookie: no personal data, no session row)."""
    return parse_id(request.COOKIES.get(GRID_COOKIE))


def public_home(request):
    return render(request, "home_public.html", {"my_grid_id": _remembered(request)})


def my_grid(request):
    wanted = parse_id(request.GET.get("grid"))
    grid = _grid(wanted)
    context = {
        "view": grid_view(grid) if grid else None,
        "unknown_grid": bool(request.GET.get("grid")) and grid is None,
        "map": grid_map(),
    }
    response = render(request, "public/my_grid.html", context)
    if grid is not None:
        response.set_cookie(GRID_COOKIE, str(grid.pk), max_age=GRID_COOKIE_AGE, samesite="Lax", httponly=True)
    return response


def news(request):
    """大事要闻: those of the visitor's grid (asked for, or remembered); without one, the city's
    and the streets' own, with a prompt to find one's grid."""
    grid = _grid(parse_id(request.GET.get("grid")) or _remembered(request))
    if grid is not None:
        rows = announcement_selectors.announcements_for_grid(grid=grid, limit=NEWS_LIMIT)
    else:
        rows = announcement_selectors.announcements_of_kinds(
            kinds=[NodeKind.CITY, NodeKind.STREET], limit=NEWS_LIMIT
        )
    return render(request, "public/news.html", {"grid": grid, "announcements": rows})
