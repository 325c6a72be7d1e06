"""The demo's Party chain: 3 working committees, 10 general branches, 52 grid branches over the
69 grids, a building group for every one or two buildings and a central household in each,
with their members. Bulk-inserted; the tree is rebuilt once, under the tree lock."""

import datetime
from collections import defaultdict

from hlgrid.trees import tree_write
from party.demo.data import BATCH, GRID_BRANCHES, split
from party.models import MemberRole, OrgKind, PartyMember, PartyOrganization
from party.services.chain import TREE
from residents.models import Building, Household, Resident


def _org(kind, code, name, node, parent=None, household=None) -> PartyOrganization:
    # lft/rght/tree_id/level are placeholders: the tree is rebuilt once at the end.
    return PartyOrganization(
        kind=kind,
        code=code,
        name=name,
        node=node,
        parent=parent,
        household=household,
        lft=0,
        rght=0,
        tree_id=0,
        level=0,
    )


def load_chain(ctx, streets, communities, grids_of) -> dict:
    rng = ctx.rng
    committees = [_org(OrgKind.WORKING_COMMITTEE, f"P-{s.code}", f"{s.name}党工委", s) for s in streets]
    by_street = {c.node_id: c for c in committees}
    generals = [
        _org(OrgKind.GENERAL_BRANCH, f"P-{c.code}", f"{c.name}党总支", c, parent=by_street[c.parent_id])
        for c in communities
    ]
    # 52 grid branches over 69 grids: five per community, six in two of them; neighbouring
    # grids share a branch where there are fewer branches than grids.
    counts = [5] * len(communities)
    for index in rng.sample([i for i, c in enumerate(communities) if len(grids_of[c.pk]) >= 6], 2):
        counts[index] += 1
    assert sum(counts) == GRID_BRANCHES
    branches, branch_grids = [], []
    for general, community, count in zip(generals, communities, counts):
        cells = grids_of[community.pk]
        sizes = split(len(cells), count, rng)
        start = 0
        for number, size in enumerate(sizes, start=1):
            members = cells[start : start + size]
            start += size
            name = f"{members[0].name}党支部" if size == 1 else f"{community.name}第{number}网格党支部"
            anchor = members[0] if size == 1 else community
            branches.append(
                _org(OrgKind.GRID_BRANCH, f"P-{community.code}-B{number}", name, anchor, parent=general)
            )
            branch_grids.append(members)

    buildings_by_grid: dict[int, list[Building]] = defaultdict(list)
    for building in ctx.data.get("buildings") or Building.objects.order_by("grid_id", "number"):
        buildings_by_grid[building.grid_id].append(building)
    households_by_building: dict[int, list[Household]] = defaultdict(list)
    households = ctx.data.get("households") or list(Household.objects.select_related("unit").order_by("pk"))
    for household in households:
        households_by_building[household.unit.building_id].append(household)

    groups, group_buildings, group_branch = [], [], []
    for b_index, cells in enumerate(branch_grids):
        for grid in cells:
            buildings = buildings_by_grid[grid.pk]
            index = 0
            while index < len(buildings):
                size = 2 if rng.random() < 0.5 else 1
                chunk = buildings[index : index + size]
                index += size
                name = "、".join(f"{b.number}号楼" for b in chunk)
                groups.append(
                    _org(
                        OrgKind.BUILDING_GROUP,
                        f"P-{grid.code}-G{chunk[0].number}",
                        f"{grid.name}{name}党小组",
                        grid,
                        parent=None,
                    )
                )
                group_buildings.append(chunk)
                group_branch.append(b_index)

    with tree_write(TREE):
        PartyOrganization.objects.bulk_create(committees)
        for general in generals:
            general.parent_id = general.parent.pk
        PartyOrganization.objects.bulk_create(generals)
        for branch in branches:
            branch.parent_id = branch.parent.pk
        PartyOrganization.objects.bulk_create(branches)
        for group, b_index in zip(groups, group_branch):
            group.parent_id = branches[b_index].pk
        PartyOrganization.objects.bulk_create(groups, batch_size=BATCH)

        centrals, central_contacts = [], []
        for group, chunk in zip(groups, group_buildings):
            homes = [h for b in chunk for h in households_by_building[b.pk]]
            if not homes:
                continue
            home = rng.choice(homes)
            neighbours = [h for h in homes if h.pk != home.pk]
            central = _org(
                OrgKind.CENTRAL_HOUSEHOLD,
                f"P-H{home.pk}",
                f"{home.label}党员中心户",
                group.node,
                household=home,
            )
            central.parent_id = group.pk
            centrals.append(central)
            central_contacts.append(rng.sample(neighbours, min(len(neighbours), rng.randint(5, 10))))
        PartyOrganization.objects.bulk_create(centrals, batch_size=BATCH)

        PartyOrganization.grids.through.objects.bulk_create(
            [
                PartyOrganization.grids.through(partyorganization_id=branch.pk, gridnode_id=grid.pk)
                for branch, cells in zip(branches, branch_grids)
                for grid in cells
            ]
        )
        PartyOrganization.buildings.through.objects.bulk_create(
            [
                PartyOrganization.buildings.through(partyorganization_id=group.pk, building_id=b.pk)
                for group, chunk in zip(groups, group_buildings)
                for b in chunk
            ],
            batch_size=BATCH,
        )
        PartyOrganization.contact_households.through.objects.bulk_create(
            [
                PartyOrganization.contact_households.through(
                    partyorganization_id=central.pk, household_id=h.pk
                )
                for central, contacts in zip(centrals, central_contacts)
                for h in contacts
            ],
            batch_size=BATCH,
        )
        PartyOrganization.objects.rebuild()

    ctx.log(
        f"    Party chain: {len(committees)} working committees, {len(generals)} general branches, "
        f"{len(branches)} grid branches over {sum(len(c) for c in branch_grids)} grids, "
        f"{len(groups)} building groups, {len(centrals)} central households"
    )
    return {
        "committees": committees,
        "generals": generals,
        "branches": branches,
        "branch_grids": branch_grids,
        "groups": groups,
        "group_buildings": group_buildings,
        "centrals": centrals,
    }


def load_members(ctx, orgs) -> None:
    """Resident Party members belong to the central household they live in, else the building
    group of their building, else their grid branch; cadres lead the upper levels."""
    rng = ctx.rng
    ids = ctx.data.get("party_member_residents")
    residents = Resident.objects.filter(is_party_member=True)
    if ids is not None:
        residents = residents.filter(pk__in=ids)
    rows = list(
        residents.order_by("pk").values_list(
            "pk", "name", "household_id", "household__unit__building_id", "household__grid_id"
        )
    )
    central_of = {c.household_id: c for c in orgs["centrals"]}
    group_of = {b.pk: g for g, chunk in zip(orgs["groups"], orgs["group_buildings"]) for b in chunk}
    branch_of = {grid.pk: b for b, cells in zip(orgs["branches"], orgs["branch_grids"]) for grid in cells}
    members: list[PartyMember] = []
    led: set[int] = set()
    for pk, name, household_id, building_id, grid_id in rows:
        org = central_of.get(household_id) or group_of.get(building_id) or branch_of.get(grid_id)
        if org is None:
            continue
        role = MemberRole.MEMBER
        if org.kind != OrgKind.GRID_BRANCH and org.pk not in led:
            # the first Party member of a group or central household leads it
            role = MemberRole.SECRETARY
            led.add(org.pk)
        members.append(
            PartyMember(
                organization_id=org.pk,
                resident_id=pk,
                name=name,
                role=role,
                joined_on=datetime.date(rng.randint(1975, 2022), rng.randint(1, 12), rng.randint(1, 28)),
            )
        )
    for org in [*orgs["committees"], *orgs["generals"], *orgs["branches"]]:
        roles = [MemberRole.SECRETARY, MemberRole.DEPUTY, MemberRole.COMMITTEE]
        if org.kind == OrgKind.GRID_BRANCH:
            roles = [MemberRole.SECRETARY, MemberRole.COMMITTEE]
        for role in roles:
            members.append(PartyMember(organization_id=org.pk, name=ctx.person_name(), role=role))
    PartyMember.objects.bulk_create(members, batch_size=BATCH)
    ctx.log(f"    {len(members)} Party members ({len(rows)} residents)")
