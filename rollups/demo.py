"""The demo's rollups: one set-based build once the parts they count have loaded their rows."""

from grids.access import SYSTEM
from rollups.models import GridDay, PetitionMark
from rollups.services import rollup_rebuild


def load(ctx) -> None:
    result = rollup_rebuild(actor=SYSTEM)
    ctx.refresh_statistics(GridDay, PetitionMark)
    ctx.log(f"rollups: {result['rows']} grid-day rows")
