"""Everything that changes the four lists: needs and small wishes, resources and their matches,
claims by units, in-service members and social organisations, needs turned into joint projects,
responsibilities, and the organisations' activities.

Every function is keyword-only with an explicit `actor`, checked through lists.policy (grids.access
underneath), and runs in one transaction; rows whose state races (a wish, a need, a resource's
remaining funds) are locked with select_for_update, so of two claims at once one wins and the
other is refused, and two matches never commit more than a resource offers. Money is Decimal
yuan exact to the fen: an amount with a part of a fen is refused, never rounded.
"""

import datetime
import secrets
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from grids import access
from grids.models import GridNode, NodeKind
from hlgrid import inputs, photos
from hlgrid.errors import Forbidden, InvalidInput, NotFound, TransitionNotAllowed
from lists import policy
from lists.models import (
    Need,
    NeedMatch,
    NeedOrigin,
    NeedStatus,
    OrgActivity,
    OrgKind,
    Resource,
    ResourceKind,
    Responsibility,
    SocialOrganization,
    Wish,
)
from party.models import Alliance, InServiceMember, JointProject, MemberUnit
from party.services import alliances as party_alliances

FEN = Decimal("0.01")
TENTH = Decimal("0.1")
MAX_YUAN = Decimal("999999999999.99")


def _code() -> str:
    return secrets.token_hex(4).upper()


def yuan(field: str, value, *, allow_none: bool = False) -> Decimal | None:
    """An amount of yuan, at least 0, exact to the fen (a part of a fen is refused)."""
    if allow_none and (value is None or value == ""):
        return None
    amount = inputs.decimal(field, value, minimum=Decimal("0"))
    if amount != amount.quantize(FEN):
        raise InvalidInput.field(field, _("An amount of yuan goes to the fen (two decimals) at most."))
    if amount > MAX_YUAN:
        raise InvalidInput.field(field, _("The amount is too large."))
    return amount.quantize(FEN)


def _hours(field: str, value, *, allow_none: bool = False) -> Decimal | None:
    if allow_none and (value is None or value == ""):
        return None
    hours = inputs.decimal(field, value, minimum=Decimal("0"))
    if hours != hours.quantize(TENTH):
        raise InvalidInput.field(field, _("Hours go to the tenth at most."))
    if hours > Decimal("9999999"):
        raise InvalidInput.field(field, _("The number is too large."))
    return hours.quantize(TENTH)


def _covers_grid(node: GridNode, grid: GridNode) -> bool:
    return node.tree_id == grid.tree_id and node.lft <= grid.lft and node.rght >= grid.rght


def _step(obj, name: str, message: str) -> None:
    method = getattr(obj, name)
    if not can_proceed(method):
        raise TransitionNotAllowed(message)
    method()


def _need_refused() -> str:
    return _("The need does not allow this in its current state.")


def _wish_refused() -> str:
    return _("The wish does not allow this in its current state.")


# --- needs --------------------------------------------------------------------------------------


def need_create(
    *,
    actor,
    grid: GridNode,
    title: str,
    description: str = "",
    origin_kind: str = NeedOrigin.OTHER,
    origin_id="",
) -> Need:
    policy.require_staff(actor, grid)
    if grid.kind != NodeKind.GRID:
        raise InvalidInput.field("grid", _("A need belongs to a grid."))
    if origin_kind not in NeedOrigin.values:
        raise InvalidInput.field("origin_kind", _("Unknown origin."))
    title = inputs.required("title", title)
    if len(title) > 120:
        raise InvalidInput.field("title", _("At most 120 characters."))
    return Need.objects.create(
        grid=grid,
        title=title,
        description=(description or "").strip()[:4000],
        origin_kind=origin_kind,
        origin_id=str(origin_id or "")[:40],
        created_by=access.recorded(actor),
    )


def _locked_need(need: Need) -> Need:
    return Need.objects.select_for_update(of=("self",)).select_related("grid").get(pk=need.pk)


def need_claim(
    *,
    actor,
    need: Need,
    unit: MemberUnit | None = None,
    member: InServiceMember | None = None,
    organization: SocialOrganization | None = None,
) -> Need:
    """Claim a need for one unit paired with the grid, one in-service member who reported to the
    grid (the member itself, or grid staff) or one social organisation of the area. A wish is
    claimed through wish_claim."""
    if sum(x is not None for x in (unit, member, organization)) != 1:
        raise InvalidInput.field(
            "claimant", _("A need is claimed by one unit, one member or one organisation.")
        )
    with transaction.atomic():
        need = _locked_need(need)
        grid = need.grid
        if not policy.is_own(actor, member):
            policy.require_staff(actor, grid)
        if hasattr(need, "wish"):
            raise InvalidInput.field("need", _("A small wish is claimed on the wish board."))
        _check_claimant(grid, unit=unit, member=member, organization=organization)
        if need.claimant is not None:
            raise TransitionNotAllowed(_("The need is claimed already."))
        _step(need, "match", _need_refused())
        need.claimed_by_unit, need.claimed_by_member, need.claimed_by_org = unit, member, organization
        need.claimed_at = timezone.now()
        need.save()
        return need


def _check_claimant(grid, *, unit=None, member=None, organization=None) -> None:
    if unit is not None and not unit.grids.filter(pk=grid.pk).exists():
        raise InvalidInput.field("unit", _("The unit is not paired with this grid."))
    if member is not None and member.grid_id != grid.pk:
        raise InvalidInput.field("member", _("The member has not reported to this grid."))
    if organization is not None:
        org_node = GridNode.objects.get(pk=organization.node_id)
        if not organization.is_active or not _covers_grid(org_node, grid):
            raise InvalidInput.field("organization", _("The organisation does not serve this grid."))


def need_match(
    *, actor, need: Need, resource: Resource, amount=None, hours=None, note: str = ""
) -> NeedMatch:
    """Match a resource to a need, committing `amount` yuan of a fund or `hours` of staff time;
    the commitments to a resource never exceed what it offers."""
    with transaction.atomic():
        need = _locked_need(need)
        policy.require_staff(actor, need.grid)
        resource = Resource.objects.select_for_update(of=("self",)).select_related("node").get(pk=resource.pk)
        if not resource.is_active or not _covers_grid(resource.node, need.grid):
            raise InvalidInput.field("resource", _("The resource is not offered in this grid."))
        if NeedMatch.objects.filter(need=need, resource=resource).exists():
            raise InvalidInput.field("resource", _("This resource is matched to the need already."))
        amount = yuan("amount", amount if amount not in (None, "") else "0")
        hours = _hours("hours", hours if hours not in (None, "") else "0")
        committed = NeedMatch.objects.filter(resource=resource).aggregate(a=Sum("amount"), h=Sum("hours"))
        if resource.kind == ResourceKind.FUNDS:
            if amount <= 0:
                raise InvalidInput.field("amount", _("Name the funds this need takes."))
            if (committed["a"] or Decimal("0")) + amount > (resource.amount or Decimal("0")):
                raise InvalidInput.field("amount", _("More than the resource has left."))
        elif amount:
            raise InvalidInput.field("amount", _("Only a fund commits money."))
        if resource.kind == ResourceKind.STAFF_HOURS:
            if hours <= 0:
                raise InvalidInput.field("hours", _("Name the hours this need takes."))
            if (committed["h"] or Decimal("0")) + hours > (resource.hours or Decimal("0")):
                raise InvalidInput.field("hours", _("More than the resource has left."))
        elif hours:
            raise InvalidInput.field("hours", _("Only staff hours commit hours."))
        _step(need, "match", _need_refused())
        need.save()
        return NeedMatch.objects.create(
            need=need,
            resource=resource,
            amount=amount,
            hours=hours,
            note=(note or "").strip()[:200],
            created_by=access.recorded(actor),
        )


def need_unmatch(*, actor, match: NeedMatch) -> None:
    with transaction.atomic():
        need = _locked_need(match.need)
        policy.require_staff(actor, need.grid)
        if need.status not in (NeedStatus.OPEN, NeedStatus.MATCHED):
            raise TransitionNotAllowed(_need_refused())
        NeedMatch.objects.filter(pk=match.pk).delete()


def need_to_project(
    *,
    actor,
    need: Need,
    alliance: Alliance,
    name: str = "",
    budget=None,
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
) -> JointProject:
    """Turn a matched need into a joint project of an alliance over its grid (party's service
    creates it; officials and administrators over the alliance do this). The budget defaults to
    the funds matched to the need, the units to the providers of its matched resources."""
    with transaction.atomic():
        need = _locked_need(need)
        policy.require_staff(actor, need.grid)
        alliance_node = GridNode.objects.get(pk=alliance.node_id)
        if not _covers_grid(alliance_node, need.grid):
            raise InvalidInput.field("alliance", _("The alliance does not cover this grid."))
        if not can_proceed(need.to_project):
            raise TransitionNotAllowed(_need_refused())
        matches = list(NeedMatch.objects.filter(need=need).select_related("resource"))
        if budget in (None, ""):
            budget = sum((m.amount for m in matches), Decimal("0"))
        budget = yuan("budget", budget)
        units = {
            m.resource.unit_id
            for m in matches
            if m.resource.unit_id and m.resource.alliance_id == alliance.pk
        }
        if need.claimed_by_unit_id and need.claimed_by_unit.alliance_id == alliance.pk:
            units.add(need.claimed_by_unit_id)
        project = party_alliances.project_create(
            actor=actor,
            alliance=alliance,
            name=(name or need.title),
            budget=budget,
            units=MemberUnit.objects.filter(pk__in=units),
            grids=[need.grid],
            description=need.description,
            starts_on=starts_on,
            ends_on=ends_on,
        )
        need.to_project()
        need.project = project
        need.save()
        return project


def need_link_project(*, actor, need: Need, project: JointProject) -> Need:
    """Answer a need by a joint project under way that covers its grid."""
    with transaction.atomic():
        need = _locked_need(need)
        policy.require_staff(actor, need.grid)
        project_node = GridNode.objects.get(pk=project.node_id)
        if not _covers_grid(project_node, need.grid):
            raise InvalidInput.field("project", _("The project does not cover this grid."))
        _step(need, "to_project", _need_refused())
        need.project = project
        need.save()
        return need


def need_close(*, actor, need: Need) -> Need:
    with transaction.atomic():
        need = _locked_need(need)
        policy.require_staff(actor, need.grid)
        if hasattr(need, "wish"):
            raise InvalidInput.field("need", _("A small wish closes with the resident's confirmation."))
        _step(need, "close", _need_refused())
        need.closed_at = timezone.now()
        need.save()
        return need


# --- small wishes -------------------------------------------------------------------------------


def wish_create(*, actor, grid: GridNode, title: str, resident_name: str, description: str = "") -> Wish:
    with transaction.atomic():
        need = need_create(
            actor=actor, grid=grid, title=title, description=description, origin_kind=NeedOrigin.WISH
        )
        return Wish.objects.create(
            need=need,
            resident_name=inputs.required("resident_name", resident_name)[:64],
            confirmation_code=_code(),
        )


def _locked(wish: Wish) -> Wish:
    return Wish.objects.select_for_update(of=("self",)).select_related("need__grid").get(pk=wish.pk)


def wish_claim(
    *, actor, wish: Wish, unit: MemberUnit | None = None, member: InServiceMember | None = None
) -> Wish:
    """Claim for a unit paired with the grid (grid staff do it) or for an in-service member who
    reported to the grid (the member itself, or grid staff)."""
    if (unit is None) == (member is None):
        raise InvalidInput.field("claimant", _("A wish is claimed by one unit or one member."))
    with transaction.atomic():
        wish = _locked(wish)
        grid = wish.need.grid
        if not policy.is_own(actor, member):
            policy.require_staff(actor, grid)
        _check_claimant(grid, unit=unit, member=member)
        _step(wish, "claim", _wish_refused())
        wish.claimed_by_unit = unit
        wish.claimed_by_member = member
        wish.claimed_at = timezone.now()
        wish.save()
        Need.objects.filter(pk=wish.need_id, status=NeedStatus.OPEN).update(status=NeedStatus.MATCHED)
        return wish


def _claimant_account(wish: Wish) -> int | None:
    if wish.claimed_by_member_id is None:
        return None
    return (
        InServiceMember.objects.filter(pk=wish.claimed_by_member_id).values_list("user_id", flat=True).first()
    )


def wish_fulfil(*, actor, wish: Wish, photo) -> Wish:
    """The grid's staff, or the in-service member who claimed it, mark it done with a photo."""
    policy.require_actor(actor)
    with transaction.atomic():
        wish = _locked(wish)
        account = _claimant_account(wish)
        if account is None or account != getattr(actor, "pk", None):
            policy.require_staff(actor, wish.need.grid)
        if not photo:
            raise InvalidInput.field("photo", _("A fulfilled wish needs a photo."))
        _step(wish, "fulfil", _wish_refused())
        clean = photos.clean(photo)
        wish.photo.save(clean.content.name, clean.content, save=False)
        wish.photo_type = clean.content_type
        wish.fulfilled_at = timezone.now()
        wish.save()
        return wish


def wish_confirm_by_code(*, code: str) -> Wish:
    """The resident confirms with the code given to them; an unknown code names nothing (404)."""
    code = (code or "").strip().upper()
    if not code or len(code) > 16:
        raise NotFound()
    with transaction.atomic():
        wish = Wish.objects.select_for_update().filter(confirmation_code=code).first()
        if wish is None:
            raise NotFound()
        _step(wish, "confirm", _wish_refused())
        wish.confirmed_at = timezone.now()
        wish.save()
        Need.objects.filter(pk=wish.need_id).update(status=NeedStatus.CLOSED, closed_at=wish.confirmed_at)
        return wish


def wish_confirm_on_behalf(*, actor, wish: Wish) -> Wish:
    """Grid staff confirm after a visit; recorded with who confirmed."""
    with transaction.atomic():
        wish = _locked(wish)
        policy.require_staff(actor, wish.need.grid)
        if access.is_system(actor):
            raise Forbidden(_("Confirmation on the resident's behalf names the staff member."))
        _step(wish, "confirm", _wish_refused())
        wish.confirmed_at = timezone.now()
        wish.confirmed_by = actor
        wish.save()
        Need.objects.filter(pk=wish.need_id).update(status=NeedStatus.CLOSED, closed_at=wish.confirmed_at)
        return wish


def wish_cancel(*, actor, wish: Wish) -> Wish:
    with transaction.atomic():
        wish = _locked(wish)
        policy.require_staff(actor, wish.need.grid)
        _step(wish, "cancel", _wish_refused())
        wish.save()
        Need.objects.filter(pk=wish.need_id).update(status=NeedStatus.CLOSED, closed_at=timezone.now())
        return wish


# --- resources ----------------------------------------------------------------------------------


def _resource_values(kind: str, title: str, amount, hours, capacity) -> dict:
    if kind not in ResourceKind.values:
        raise InvalidInput.field("kind", _("Unknown kind of resource."))
    title = inputs.required("title", title)
    if len(title) > 120:
        raise InvalidInput.field("title", _("At most 120 characters."))
    values = {"kind": kind, "title": title, "amount": None, "hours": None, "capacity": None}
    if kind == ResourceKind.FUNDS:
        values["amount"] = yuan("amount", amount)
    elif kind == ResourceKind.STAFF_HOURS:
        values["hours"] = _hours("hours", hours)
    elif kind == ResourceKind.VENUE and capacity not in (None, ""):
        try:
            values["capacity"] = int(capacity)
        except (TypeError, ValueError):
            raise InvalidInput.field("capacity", _("Enter a whole number.")) from None
        if not 0 < values["capacity"] < 100_000:
            raise InvalidInput.field("capacity", _("Enter a whole number."))
    return values


def resource_create(
    *,
    actor,
    kind: str,
    title: str,
    unit: MemberUnit | None = None,
    alliance: Alliance | None = None,
    description: str = "",
    amount=None,
    hours=None,
    capacity=None,
) -> Resource:
    """A member unit's or an alliance's offer (资源清单), kept by officials over the alliance."""
    if (unit is None) == (alliance is None):
        raise InvalidInput.field("provider", _("A resource is offered by one unit or one alliance."))
    alliance = alliance or Alliance.objects.get(pk=unit.alliance_id)
    node = GridNode.objects.get(pk=alliance.node_id)
    policy.require_setup(actor, node)
    values = _resource_values(kind, title, amount, hours, capacity)
    return Resource.objects.create(
        node=node,
        unit=unit,
        alliance=alliance,
        description=(description or "").strip()[:4000],
        created_by=access.recorded(actor),
        **values,
    )


def resource_update(
    *,
    actor,
    resource: Resource,
    kind: str,
    title: str,
    description: str = "",
    amount=None,
    hours=None,
    capacity=None,
    is_active: bool = True,
) -> Resource:
    """Edit an offer; what is committed to needs stays within what is offered."""
    with transaction.atomic():
        resource = Resource.objects.select_for_update(of=("self",)).select_related("node").get(pk=resource.pk)
        policy.require_setup(actor, resource.node)
        values = _resource_values(kind, title, amount, hours, capacity)
        committed = NeedMatch.objects.filter(resource=resource).aggregate(a=Sum("amount"), h=Sum("hours"))
        if committed["a"] and (values["amount"] or Decimal("0")) < committed["a"]:
            raise InvalidInput.field(
                "amount", _("%(amount)s yuan is committed to needs already.") % {"amount": committed["a"]}
            )
        if committed["h"] and (values["hours"] or Decimal("0")) < committed["h"]:
            raise InvalidInput.field(
                "hours", _("%(hours)s hours are committed to needs already.") % {"hours": committed["h"]}
            )
        for name, value in values.items():
            setattr(resource, name, value)
        resource.description = (description or "").strip()[:4000]
        resource.is_active = bool(is_active)
        resource.save()
        return resource


# --- social organisations and their activities ------------------------------------------------


def organization_create(
    *,
    actor,
    node: GridNode,
    name: str,
    kind: str,
    services: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    members=0,
) -> SocialOrganization:
    """Register a social organisation or volunteer team at a community or a street."""
    policy.require_setup(actor, node)
    if node.kind not in (NodeKind.COMMUNITY, NodeKind.STREET, NodeKind.CITY):
        raise InvalidInput.field("node", _("An organisation is registered at a community or a street."))
    values = _organization_values(name, kind, services, contact_name, contact_phone, members)
    if SocialOrganization.objects.filter(name=values["name"]).exists():
        raise InvalidInput.field("name", _("An organisation with this name exists."))
    return SocialOrganization.objects.create(node=node, created_by=access.recorded(actor), **values)


def _organization_values(name, kind, services, contact_name, contact_phone, members) -> dict:
    if kind not in OrgKind.values:
        raise InvalidInput.field("kind", _("Unknown kind of organisation."))
    name = inputs.required("name", name)
    if len(name) > 100:
        raise InvalidInput.field("name", _("At most 100 characters."))
    try:
        members = int(members or 0)
    except (TypeError, ValueError):
        raise InvalidInput.field("members", _("Enter a whole number.")) from None
    if not 0 <= members < 1_000_000:
        raise InvalidInput.field("members", _("Enter a whole number."))
    return {
        "name": name,
        "kind": kind,
        "services": (services or "").strip()[:200],
        "contact_name": (contact_name or "").strip()[:64],
        "contact_phone": inputs.phone(contact_phone, field="contact_phone"),
        "members": members,
    }


def organization_update(
    *,
    actor,
    organization: SocialOrganization,
    name: str,
    kind: str,
    services: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    members=0,
    is_active: bool = True,
) -> SocialOrganization:
    with transaction.atomic():
        organization = SocialOrganization.objects.select_for_update().get(pk=organization.pk)
        policy.require_setup(actor, GridNode.objects.get(pk=organization.node_id))
        values = _organization_values(name, kind, services, contact_name, contact_phone, members)
        if SocialOrganization.objects.filter(name=values["name"]).exclude(pk=organization.pk).exists():
            raise InvalidInput.field("name", _("An organisation with this name exists."))
        for field, value in values.items():
            setattr(organization, field, value)
        organization.is_active = bool(is_active)
        organization.save()
        return organization


def activity_record(
    *,
    actor,
    organization: SocialOrganization,
    grid: GridNode,
    title: str,
    held_on: datetime.date,
    participants=0,
    hours="0",
    description: str = "",
    need: Need | None = None,
) -> OrgActivity:
    """An activity an organisation ran in a grid, recorded by the grid's staff."""
    policy.require_staff(actor, grid)
    if grid.kind != NodeKind.GRID:
        raise InvalidInput.field("grid", _("An activity is held in a grid."))
    _check_claimant(grid, organization=organization)
    title = inputs.required("title", title)[:120]
    if not isinstance(held_on, datetime.date):
        raise InvalidInput.field("held_on", _("Enter a date."))
    if held_on > timezone.localdate():
        raise InvalidInput.field("held_on", _("The date is in the future."))
    if need is not None and need.grid_id != grid.pk:
        raise InvalidInput.field("need", _("The need is of another grid."))
    try:
        participants = int(participants or 0)
    except (TypeError, ValueError):
        raise InvalidInput.field("participants", _("Enter a whole number.")) from None
    if not 0 <= participants < 100_000:
        raise InvalidInput.field("participants", _("Enter a whole number."))
    return OrgActivity.objects.create(
        organization=organization,
        grid=grid,
        need=need,
        title=title,
        held_on=held_on,
        participants=participants,
        hours=_hours("hours", hours or "0"),
        description=(description or "").strip()[:4000],
        recorded_by=access.recorded(actor),
    )


# --- responsibilities ---------------------------------------------------------------------------


def responsibility_assign(
    *,
    actor,
    duty: str,
    need: Need | None = None,
    project: JointProject | None = None,
    resource: Resource | None = None,
    holder_user=None,
    holder_unit: MemberUnit | None = None,
    holder_org: SocialOrganization | None = None,
    due_on: datetime.date | None = None,
) -> Responsibility:
    """Name who answers for a need, a joint project or a resource (责任清单)."""
    if sum(x is not None for x in (need, project, resource)) != 1:
        raise InvalidInput.field("item", _("A duty is for one need, one project or one resource."))
    if sum(x is not None for x in (holder_user, holder_unit, holder_org)) != 1:
        raise InvalidInput.field("holder", _("A duty is held by one person, one unit or one organisation."))
    node_id = need.grid_id if need else project.node_id if project else resource.node_id
    node = GridNode.objects.get(pk=node_id)
    policy.require_leading(actor, node)
    duty = inputs.required("duty", duty)[:200]
    if holder_user is not None and not access.reaches(holder_user, node, kinds=policy.STAFF_KINDS):
        raise InvalidInput.field("holder", _("The person holds no post here."))
    if holder_unit is not None:
        alliance_node = GridNode.objects.get(pk=Alliance.objects.get(pk=holder_unit.alliance_id).node_id)
        if not (_covers_grid(alliance_node, node) or _covers_grid(node, alliance_node)):
            raise InvalidInput.field("holder", _("The unit does not serve this area."))
    if holder_org is not None:
        org_node = GridNode.objects.get(pk=holder_org.node_id)
        if not (_covers_grid(org_node, node) or _covers_grid(node, org_node)):
            raise InvalidInput.field("holder", _("The organisation does not serve this area."))
    return Responsibility.objects.create(
        node=node,
        need=need,
        project=project,
        resource=resource,
        holder_user=holder_user,
        holder_unit=holder_unit,
        holder_org=holder_org,
        duty=duty,
        due_on=due_on,
        created_by=access.recorded(actor),
    )


def responsibility_remove(*, actor, responsibility: Responsibility) -> None:
    with transaction.atomic():
        found = Responsibility.objects.select_for_update().select_related("node").get(pk=responsibility.pk)
        policy.require_leading(actor, found.node)
        found.delete()
