"""The demo's 12 alliances with 108 member units paired with grids, 2,141 in-service members who
reported to their grids (with their service records), and 118 joint projects with their
progress reports. Bulk-inserted; each project is built with its status."""

import datetime
from collections import defaultdict
from decimal import Decimal

from grids.models import Post
from hlgrid.bulk import bulk_insert
from hlgrid.models import User
from party.demo.data import (
    ALLIANCE_THEMES,
    ALLIANCES,
    BATCH,
    ENTERPRISES,
    IN_SERVICE_MEMBERS,
    INSTITUTIONS,
    ORGANS,
    PROJECT_TYPES,
    PROJECTS,
    REPORT_TEXTS,
    SERVICE_TITLES,
    SOCIAL,
    UNITS,
    aware,
    split,
)
from party.models import (
    Alliance,
    InServiceMember,
    InServiceRecord,
    JointProject,
    MemberUnit,
    ProjectReport,
    ProjectStatus,
    UnitKind,
)


def _unit_names(rng) -> list[tuple[str, str]]:
    names = (
        [(f"和龙{n}", UnitKind.ORGAN) for n in ORGANS]
        + [(f"和龙{n}", UnitKind.INSTITUTION) for n in INSTITUTIONS]
        + [(n, UnitKind.ENTERPRISE) for n in ENTERPRISES]
        + [(n, UnitKind.SOCIAL) for n in SOCIAL]
    )
    assert len(names) >= UNITS
    return names[:UNITS]


def load_alliances(ctx, orgs, streets, grids_of, communities_of):
    rng = ctx.rng
    alliances = []
    for committee, street in zip(orgs["committees"], streets):
        for theme in ALLIANCE_THEMES:
            alliances.append(
                Alliance(
                    name=f"{street.name}{theme}党建联盟",
                    lead_id=committee.pk,
                    node_id=street.pk,
                    founded_on=datetime.date(rng.randint(2018, 2021), rng.randint(1, 12), 1),
                    description=f"{street.name}与驻区{theme}单位共驻共建、资源共享",
                )
            )
    Alliance.objects.bulk_create(alliances)
    assert len(alliances) == ALLIANCES

    street_grids = {
        street.pk: [g for c in communities_of[street.pk] for g in grids_of[c.pk]] for street in streets
    }
    names = _unit_names(rng)
    rng.shuffle(names)
    units = []
    for (name, kind), alliance in zip(names, [a for a in alliances for _ in range(UNITS // ALLIANCES)]):
        units.append(MemberUnit(alliance=alliance, name=name, kind=kind, contact_name=ctx.person_name()))
    MemberUnit.objects.bulk_create(units)
    MemberUnit.grids.through.objects.bulk_create(
        [
            MemberUnit.grids.through(memberunit_id=unit.pk, gridnode_id=grid.pk)
            for unit in units
            for grid in rng.sample(street_grids[unit.alliance.node_id], rng.randint(1, 3))
        ]
    )
    return units, alliances


def load_in_service(ctx, units, grids, today) -> list[InServiceMember]:
    rng = ctx.rng
    members = []
    for unit, count in zip(units, split(IN_SERVICE_MEMBERS, len(units), rng)):
        for _ in range(count):
            reported = today - datetime.timedelta(days=rng.randint(30, 1_000))
            members.append(
                InServiceMember(
                    unit=unit,
                    name=ctx.person_name(),
                    phone=f"1{rng.choice('3589')}{rng.randrange(10**9):09d}",
                    grid=rng.choice(grids),
                    reported_at=aware(reported, rng.randint(8, 17)),
                )
            )
    bulk_insert(members, batch_size=BATCH)
    records = []
    for member in members:
        for _ in range(rng.randint(0, 4)):
            records.append(
                InServiceRecord(
                    member=member,
                    grid_id=member.grid_id,
                    served_on=today - datetime.timedelta(days=rng.randint(0, 364)),
                    hours=Decimal(rng.choice(["1.0", "1.5", "2.0", "2.5", "3.0", "4.0"])),
                    description=rng.choice(SERVICE_TITLES),
                )
            )
    bulk_insert(records, batch_size=BATCH)
    _accounts(ctx, members)
    ctx.log(
        f"    {ALLIANCES} alliances, {len(units)} member units, {len(members)} in-service members "
        f"reporting to grids ({len(records)} service records); demo accounts `member` (an "
        "in-service Party member of the worker's grid) and `unitcontact` (its unit's contact)"
    )
    return members


def _accounts(ctx, members: list[InServiceMember]) -> None:
    """The demo `member`: an in-service member who reported to the `worker`'s grid, with a
    login of their own; `unitcontact`: the contact of that member's unit, who reads its records."""
    grid_id = Post.objects.filter(user__username="worker").values_list("node_id", flat=True).first()
    member = next((m for m in members if m.grid_id == grid_id), None)
    if member is None:
        return
    partymember = User(username="member", name=member.name, password=ctx.password_hash, phone="13900001003")
    partymember.save()
    InServiceMember.objects.filter(pk=member.pk).update(user=partymember)
    member.user = partymember
    contact = User.objects.create(
        username="unitcontact", name=member.unit.contact_name or ctx.person_name(), password=ctx.password_hash
    )
    MemberUnit.objects.filter(pk=member.unit_id).update(contact_user=contact)


def load_projects(ctx, alliances, units, communities_of, grids_of, today) -> None:
    rng = ctx.rng
    units_of = defaultdict(list)
    for unit in units:
        units_of[unit.alliance_id].append(unit)
    projects, links_units, links_grids, reports = [], [], [], []
    used: set[str] = set()
    for alliance, count in zip(alliances, split(PROJECTS, len(alliances), rng)):
        communities = communities_of[alliance.node_id]
        for _ in range(count):
            while True:
                community = rng.choice(communities)
                name = f"{community.name}{rng.choice(PROJECT_TYPES)}"
                if name not in used:
                    used.add(name)
                    break
            starts = today - datetime.timedelta(days=rng.randint(-60, 700))
            status = rng.choices(
                [
                    ProjectStatus.COMPLETED,
                    ProjectStatus.IN_PROGRESS,
                    ProjectStatus.PLANNED,
                    ProjectStatus.SUSPENDED,
                ],
                weights=[45, 40, 10, 5],
            )[0]
            if starts > today:
                status = ProjectStatus.PLANNED
            progress = {
                ProjectStatus.COMPLETED: 100,
                ProjectStatus.PLANNED: 0,
            }.get(status, rng.randint(10, 90))
            project = JointProject(
                alliance=alliance,
                node_id=alliance.node_id,
                name=name,
                description=f"由{alliance.name}成员单位共同出资、出人，在{community.name}实施",
                budget=Decimal(rng.randint(200, 20_000) * 100),
                status=status,
                progress=progress,
                starts_on=starts,
                ends_on=starts + datetime.timedelta(days=rng.randint(60, 365)),
            )
            projects.append(project)
            links_units.append(rng.sample(units_of[alliance.pk], rng.randint(1, 4)))
            links_grids.append(rng.sample(grids_of[community.pk], rng.randint(1, 3)))
            if status != ProjectStatus.PLANNED:
                steps = sorted(rng.sample(range(5, progress + 1), min(3, max(1, progress // 30)))) or [
                    progress
                ]
                if status == ProjectStatus.COMPLETED:
                    steps[-1] = 100
                for i, step in enumerate(steps):
                    day = min(today, starts + datetime.timedelta(days=30 * (i + 1)))
                    reports.append(
                        (
                            project,
                            step,
                            aware(day, 10),
                            rng.choice(REPORT_TEXTS),
                            (project.budget * step / 100).quantize(Decimal("0.01")),
                        )
                    )
    JointProject.objects.bulk_create(projects)
    JointProject.units.through.objects.bulk_create(
        [
            JointProject.units.through(jointproject_id=p.pk, memberunit_id=u.pk)
            for p, chosen in zip(projects, links_units)
            for u in chosen
        ]
    )
    JointProject.grids.through.objects.bulk_create(
        [
            JointProject.grids.through(jointproject_id=p.pk, gridnode_id=g.pk)
            for p, chosen in zip(projects, links_grids)
            for g in chosen
        ]
    )
    ProjectReport.objects.bulk_create(
        [
            ProjectReport(project=p, progress=step, reported_at=at, text=text, spent=spent)
            for p, step, at, text, spent in reports
        ]
    )
    ctx.log(f"    {len(projects)} joint projects ({len(reports)} progress reports)")
