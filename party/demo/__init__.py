"""The Party chain over the demo city (3 working committees, 10 general branches, 52 grid
branches over the 69 grids, a building group and a central household for every one or two
buildings), 12 alliances with 108 member units and 2,141 in-service members who reported to
their grids, 118 joint projects, 49 general social workers qualified for 52 items at 3 windows
on a rotation, and a year of volunteer activities with their points.

Everything is bulk-inserted (the services are called, as grids.access.SYSTEM, only where they
compute something: the duty rota); the organisation tree is rebuilt once, under the tree lock.
The `volunteer` account (a resident of the `worker`'s grid) has an activity under way that the
`worker` organises, so the whole journey can be walked through.
"""

from collections import defaultdict

from django.utils import timezone

from grids.models import GridNode
from party.demo.alliances import load_alliances, load_in_service, load_projects
from party.demo.chain import load_chain, load_members
from party.demo.lectures import load_lectures
from party.demo.time_bank import load_time_bank
from party.demo.training import load_training
from party.demo.windows import load_windows


def load(ctx) -> None:
    now = timezone.now()
    today = timezone.localdate(now)
    streets, communities, grids = ctx.data["streets"], ctx.data["communities"], ctx.data["grids"]
    grids_of: dict[int, list[GridNode]] = defaultdict(list)
    for grid in grids:
        grids_of[grid.parent_id].append(grid)
    communities_of: dict[int, list[GridNode]] = defaultdict(list)
    for community in communities:
        communities_of[community.parent_id].append(community)

    orgs = load_chain(ctx, streets, communities, grids_of)
    load_members(ctx, orgs)
    load_lectures(ctx, orgs, today)
    units, alliances = load_alliances(ctx, orgs, streets, grids_of, communities_of)
    in_service = load_in_service(ctx, units, grids, today)
    load_projects(ctx, alliances, units, communities_of, grids_of, today)
    load_windows(ctx, streets, grids, today)
    load_training(ctx, today)
    load_time_bank(ctx, orgs, communities, grids_of, in_service, now, today)
