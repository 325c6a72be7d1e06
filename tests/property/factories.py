"""Compounds, firms and renovations for tests: buildings through the ORM, the rest through the
services (as SYSTEM) so the rules hold in the data too."""

import itertools

from grids.access import SYSTEM
from property import services
from property.models import CompoundKind, PartyForm, Service
from residents.models import Building

_codes = itertools.count(1)


def building(grid, number=None) -> Building:
    return Building.objects.create(grid=grid, number=number or f"B{next(_codes)}")


def credit_code() -> str:
    return f"91222406{next(_codes):010d}"


def firm(street, *, name=None, red_heart=True, actor=SYSTEM, **extra):
    fields = {
        "name": name or f"物业公司{next(_codes)}",
        "credit_code": credit_code(),
        "contact_name": "李经理",
        "contact_phone": "13904331234",
    }
    if red_heart:
        fields |= {"party_joined_on": "2023-05-01", "party_form": PartyForm.BRANCH}
    return services.firm_create(actor=actor, street=street, **(fields | extra))


def compound(community, *, firm=None, buildings=(), kind=CompoundKind.COMMERCIAL, name=None, actor=SYSTEM):
    return services.compound_create(
        actor=actor,
        community=community,
        name=name or f"小区{next(_codes)}",
        kind=kind,
        service=Service.FIRM if firm else Service.NONE,
        firm=firm,
        year_built=1995,
        buildings=buildings,
    )


def renovation(compound, *, budget=None, actor=SYSTEM, **extra):
    project = services.renovation_create(
        actor=actor,
        compound=compound,
        name=extra.pop("name", f"{compound.name}改造"),
        year=extra.pop("year", 2024),
        scope=extra.pop("scope", ["ROOF", "PIPES"]),
        **extra,
    )
    for source, amount in (budget or {}).items():
        services.budget_line_set(actor=SYSTEM, project=project, source=source, amount=amount)
    return project
