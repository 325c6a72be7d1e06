"""Petitions as a point source of the map editor (grids.territory): a petition keeps its grid
when grid polygons are redrawn, until the official who redraws them moves it on confirmation."""

from collections.abc import Mapping

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grids import access
from grids.models import GridNode, NodeKind
from hlgrid.changes import node_changed
from hlgrid.errors import InvalidInput
from petitions.models import Petition
from petitions.services.common import event, require_actor


def petitions_move_grid(*, actor, moves: Mapping[int, int]) -> int:
    """Move petitions to other grids ({petition id: grid id}); the actor must shape the territory
    (an OFFICIAL or ADMIN post) over both the old and the new grid. Each move writes an event."""
    require_actor(actor)
    if not moves:
        return 0
    now = timezone.now()
    with transaction.atomic():
        petitions = list(
            Petition.objects.select_for_update(of=("self",))
            .select_related("grid")
            .filter(pk__in=list(moves))
            .order_by("pk")
        )
        grids = GridNode.objects.in_bulk(set(moves.values()))
        if len(petitions) != len(moves) or len(grids) != len(set(moves.values())):
            raise InvalidInput.field("moves", _("An unknown petition or grid was named."))
        checked: set[int] = set()
        for petition in petitions:
            target = grids[moves[petition.pk]]
            if target.kind != NodeKind.GRID:
                raise InvalidInput.field("moves", _("A petition belongs to a grid (level-3 node)."))
            for grid in (petition.grid, target):
                if grid.pk not in checked:
                    access.require_post(actor, grid, kinds=access.SHAPING_KINDS)
                    checked.add(grid.pk)
            if petition.grid_id == target.pk:
                continue
            old = petition.grid
            petition.grid = target
            petition.save(update_fields=["grid", "updated_at"])
            node_changed(old.pk)
            event(
                petition,
                actor=actor,
                action="regrid",
                before=petition.status,
                note=f"{old.code} → {target.code}",
                at=now,
            )
    return len(petitions)
