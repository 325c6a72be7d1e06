"""The Party organisation chain (一核): organisations of the five kinds, their territories, their
contacts and their members.

Tree writes run inside hlgrid.trees.tree_write("party"), which serialises writers (django-mptt
takes no locks). Officials and administrators over the node set the chain up (party.policy).
"""

import datetime
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from grids import access
from grids.models import GridNode, NodeKind
from hlgrid.errors import InvalidInput, TransitionNotAllowed
from hlgrid.inputs import required
from hlgrid.trees import tree_write
from party import policy
from party.models import ORG_CHILD_KIND, MemberRole, OrgKind, PartyMember, PartyOrganization
from residents.models import Building, Household, Resident

TREE = "party"


def _territory(
    *,
    kind: str,
    parent: PartyOrganization | None,
    node: GridNode | None,
    grids: list[GridNode],
    buildings: list[Building],
    household: Household | None,
    contacts: list[Household],
    exclude_id: int | None = None,
) -> GridNode:
    """Check the territory against the kind and the parent's territory; return the anchor node."""
    if kind == OrgKind.WORKING_COMMITTEE:
        if node is None or node.kind != NodeKind.STREET:
            raise InvalidInput.field("node", _("A working committee covers a street."))
        return node
    if kind == OrgKind.GENERAL_BRANCH:
        if node is None or node.kind != NodeKind.COMMUNITY:
            raise InvalidInput.field("node", _("A general branch covers a community."))
        if not node.is_descendant_of(parent.node, include_self=True):
            raise InvalidInput.field(
                "node",
                _("The community %(name)s is outside the territory of %(parent)s.")
                % {"name": node.name, "parent": parent.name},
            )
        return node
    if kind == OrgKind.GRID_BRANCH:
        if not grids:
            raise InvalidInput.field("grids", _("A grid branch covers at least one grid."))
        for grid in grids:
            if grid.kind != NodeKind.GRID:
                raise InvalidInput.field("grids", _("%(name)s is not a grid.") % {"name": grid.name})
            if not grid.is_descendant_of(parent.node, include_self=True):
                raise InvalidInput.field(
                    "grids",
                    _("The grid %(name)s is outside the territory of %(parent)s.")
                    % {"name": grid.name, "parent": parent.name},
                )
        taken = PartyOrganization.objects.filter(kind=OrgKind.GRID_BRANCH, grids__in=grids)
        if exclude_id is not None:
            taken = taken.exclude(pk=exclude_id)
        clash = taken.values_list("name", "grids__name").filter(grids__in=grids).first()
        if clash:
            raise InvalidInput.field(
                "grids",
                _("The grid %(grid)s already belongs to %(branch)s.")
                % {"grid": clash[1], "branch": clash[0]},
            )
        return grids[0] if len(grids) == 1 else parent.node
    if kind == OrgKind.BUILDING_GROUP:
        if not buildings:
            raise InvalidInput.field("buildings", _("A building group covers at least one building."))
        allowed = set(parent.grids.values_list("pk", flat=True))
        for building in buildings:
            if building.grid_id not in allowed:
                raise InvalidInput.field(
                    "buildings",
                    _("The building %(name)s is outside the territory of %(parent)s.")
                    % {"name": building, "parent": parent.name},
                )
        grid_ids = {b.grid_id for b in buildings}
        return GridNode.objects.get(pk=grid_ids.pop()) if len(grid_ids) == 1 else parent.node
    if kind == OrgKind.CENTRAL_HOUSEHOLD:
        if household is None:
            raise InvalidInput.field("household", _("A central household is a household."))
        allowed = set(parent.buildings.values_list("pk", flat=True))
        for field, items in (("household", [household]), ("contact_households", contacts)):
            for item in items:
                if item.unit.building_id not in allowed:
                    raise InvalidInput.field(
                        field,
                        _("The household %(name)s is outside the territory of %(parent)s.")
                        % {"name": item, "parent": parent.name},
                    )
        if household in contacts:
            raise InvalidInput.field(
                "contact_households", _("A household does not keep contact with itself.")
            )
        return household.grid
    raise InvalidInput.field("kind", _("Unknown kind %(kind)s.") % {"kind": kind})


def _check_kind(*, kind: str, parent: PartyOrganization | None) -> None:
    if kind not in OrgKind.values:
        raise InvalidInput.field("kind", _("Unknown kind %(kind)s.") % {"kind": kind})
    if parent is None:
        if kind != OrgKind.WORKING_COMMITTEE:
            raise InvalidInput.field("parent", _("Only a working committee stands at the top of the chain."))
        return
    expected = ORG_CHILD_KIND.get(parent.kind)
    if expected is None:
        raise InvalidInput.field("parent", _("A central household has no organisations under it."))
    if kind != expected:
        raise InvalidInput.field(
            "kind",
            _("Under a %(parent)s comes a %(expected)s, not a %(kind)s.")
            % {
                "parent": OrgKind(parent.kind).label,
                "expected": OrgKind(expected).label,
                "kind": OrgKind(kind).label,
            },
        )


def org_create(
    *,
    actor,
    parent: PartyOrganization | None,
    kind: str,
    code: str,
    name: str,
    node: GridNode | None = None,
    grids: Iterable[GridNode] = (),
    buildings: Iterable[Building] = (),
    household: Household | None = None,
    contact_households: Iterable[Household] = (),
) -> PartyOrganization:
    """A new organisation under `parent` (a working committee has none), over its territory.

    Officials and administrators covering the parent's node (a top one: the street) set up
    the chain; whoever sees nothing there is answered 404.
    """
    policy.require_actor(actor)
    where = parent.node if parent is not None else node
    if where is not None:
        policy.require_setup(actor, where)
    name = required("name", name)
    code = required("code", code)
    grids, buildings, contacts = list(grids), list(buildings), list(contact_households)
    with tree_write(TREE):
        if parent is not None:
            parent = PartyOrganization.objects.select_related("node").get(pk=parent.pk)  # fresh lft/rght
        _check_kind(kind=kind, parent=parent)
        if PartyOrganization.objects.filter(code=code).exists():
            raise InvalidInput.field("code", _("The code %(code)s is already used.") % {"code": code})
        anchor = _territory(
            kind=kind,
            parent=parent,
            node=node,
            grids=grids,
            buildings=buildings,
            household=household,
            contacts=contacts,
        )
        org = PartyOrganization(
            parent=parent,
            kind=kind,
            code=code,
            name=name,
            node=anchor,
            household=household,
            created_by=access.recorded(actor),
        )
        org.save()
        if grids:
            org.grids.set(grids)
        if buildings:
            org.buildings.set(buildings)
        if contacts:
            org.contact_households.set(contacts)
    return org


def org_set_contacts(*, actor, org: PartyOrganization, households: Iterable[Household]) -> PartyOrganization:
    """Replace the neighbouring households a central household keeps contact with."""
    households = list(households)
    with tree_write(TREE):
        org = PartyOrganization.objects.select_related("parent", "household", "node").get(pk=org.pk)
        policy.require_setup(actor, org.node)
        if org.kind != OrgKind.CENTRAL_HOUSEHOLD:
            raise InvalidInput.field("kind", _("Only a central household keeps contact with households."))
        _territory(
            kind=org.kind,
            parent=org.parent,
            node=None,
            grids=[],
            buildings=[],
            household=org.household,
            contacts=households,
        )
        org.contact_households.set(households)
    return org


def org_delete(*, actor, org: PartyOrganization) -> None:
    """Dissolve an organisation that has no organisations and no active members under it."""
    with tree_write(TREE):
        org = PartyOrganization.objects.select_related("node").get(pk=org.pk)
        policy.require_setup(actor, org.node)
        if not org.is_leaf_node():
            raise TransitionNotAllowed(_("Dissolve or move the organisations under it first."))
        if org.members.filter(is_active=True).exists():
            raise TransitionNotAllowed(_("Move its members to another organisation first."))
        if org.alliances.exists() or org.activities.exists():
            raise TransitionNotAllowed(_("It leads alliances or activities; it cannot be dissolved."))
        org.grids.clear()
        org.buildings.clear()
        org.contact_households.clear()
        org.delete()


def member_add(
    *,
    actor,
    organization: PartyOrganization,
    name: str = "",
    resident: Resident | None = None,
    user=None,
    role: str = MemberRole.MEMBER,
    joined_on: datetime.date | None = None,
) -> PartyMember:
    """Add a Party member to an organisation. A resident member must be a Party member and live
    within the organisation's territory."""
    policy.require_setup(actor, organization.node)
    if role not in MemberRole.values:
        raise InvalidInput.field("role", _("Unknown role %(role)s.") % {"role": role})
    if resident is not None:
        resident = Resident.objects.select_related("household__grid").get(pk=resident.pk)
        if not resident.is_party_member:
            raise InvalidInput.field(
                "resident", _("%(name)s is not a Party member.") % {"name": resident.name}
            )
        if not resident.household.grid.is_descendant_of(organization.node, include_self=True):
            raise InvalidInput.field(
                "resident",
                _("%(name)s does not live within the territory of %(org)s.")
                % {"name": resident.name, "org": organization.name},
            )
        name = name or resident.name
    name = required("name", name)
    try:
        with transaction.atomic():
            return PartyMember.objects.create(
                organization=organization,
                resident=resident,
                user=user,
                name=name,
                role=role,
                joined_on=joined_on,
                created_by=access.recorded(actor),
            )
    except IntegrityError:
        if role == MemberRole.SECRETARY:
            raise InvalidInput.field("role", _("This organisation already has a secretary.")) from None
        raise InvalidInput.field("resident", _("This resident already belongs to an organisation.")) from None
