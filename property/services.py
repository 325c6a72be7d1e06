"""Every write of compounds, firms, samples, inspections, star boards and renovations.

Keyword-only, with an explicit `actor` checked through property.policy (grids.access); each in
one transaction; bad input raises InvalidInput on its field and changes nothing. Money is
Decimal yuan with two places (hlgrid.inputs.decimal); spending that would take a project
over its budget needs an explicit reason, checked with the project row locked so two entries
recorded at once cannot both slip under the line.
"""

import datetime
import re
from collections.abc import Iterable
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import DecimalField, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from grids import access
from grids.models import GridNode, NodeKind
from grids.subtree import in_subtree
from hlgrid import inputs, photos
from hlgrid.crypto import lookup_hash, mask_phone
from hlgrid.errors import InvalidInput, TransitionNotAllowed
from property import policy, rating, selectors
from property.models import (
    MONEY,
    BoardStatus,
    BudgetLine,
    Compound,
    CompoundBuilding,
    CompoundKind,
    FirmInspection,
    FirmSatisfactionSample,
    FundingSource,
    Milestone,
    MilestonePhoto,
    PartyForm,
    PhotoStage,
    ProjectStatus,
    PropertyFirm,
    RenovationProject,
    ScopeItem,
    Service,
    SpendingEntry,
    StarBoard,
    SurveyAnswer,
)
from residents.models import Building

CREDIT_CODE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
CENT = Decimal("0.01")
MAX_MONEY = Decimal("999999999999.99")


def _visible_compound(actor, compound: Compound) -> None:
    policy.require_visible(actor, selectors.compound_list(user=actor).filter(pk=compound.pk).exists())


def _choice(field: str, value, choices) -> str:
    if value not in choices.values:
        raise InvalidInput.field(field, _("Choose one of the listed values."))
    return value


def _money(field: str, value, *, positive: bool) -> Decimal:
    amount = inputs.decimal(field, value, minimum=Decimal("0"))
    if amount != amount.quantize(CENT):
        raise InvalidInput.field(field, _("Enter an amount in yuan with at most two decimal places (fen)."))
    if positive and amount <= 0:
        raise InvalidInput.field(field, _("Enter an amount greater than zero."))
    if amount > MAX_MONEY:
        raise InvalidInput.field(field, _("This amount is too large."))
    return amount.quantize(CENT)


def _year(field: str, value, *, required: bool) -> int | None:
    if value in (None, ""):
        if required:
            raise InvalidInput.field(field, _("This field is required."))
        return None
    try:
        year = int(value)
    except (TypeError, ValueError):
        raise InvalidInput.field(field, _("Enter a year.")) from None
    if not 1900 <= year <= timezone.localdate().year + 5:
        raise InvalidInput.field(field, _("Enter a year between 1900 and a few years from now."))
    return year


def _day(field: str, value, *, required: bool = True) -> datetime.date | None:
    if value in (None, ""):
        if required:
            raise InvalidInput.field(field, _("This field is required."))
        return None
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        raise InvalidInput.field(field, _("Enter a date as YYYY-MM-DD.")) from None


# --- compounds --------------------------------------------------------------------------------


def _service_and_firm(*, actor, service: str, firm: PropertyFirm | None, community: GridNode):
    _choice("service", service, Service)
    if service == Service.FIRM:
        if firm is None:
            raise InvalidInput.field("firm", _("Choose the property firm that serves the compound."))
        # a firm the actor sees, or any firm of the community's street (a new one serves nothing yet)
        if (
            firm.street_id != community.parent_id
            and not selectors.firm_list(user=actor).filter(pk=firm.pk).exists()
        ):
            raise InvalidInput.field("firm", _("Unknown firm, or outside your scope."))
        if not firm.is_active:
            raise InvalidInput.field("firm", _("This firm is no longer active."))
        return firm
    if firm is not None:
        raise InvalidInput.field("firm", _("Only a compound served by a firm names a firm."))
    return None


@transaction.atomic
def compound_create(
    *,
    actor,
    community: GridNode,
    name: str,
    kind: str,
    service: str,
    firm: PropertyFirm | None = None,
    year_built=None,
    address: str = "",
    buildings: Iterable[Building] = (),
) -> Compound:
    if community.kind != NodeKind.COMMUNITY:
        raise InvalidInput.field("community", _("A compound is registered at a community."))
    policy.require_edit(actor, community)
    name = inputs.required("name", name)[:100]
    _choice("kind", kind, CompoundKind)
    firm = _service_and_firm(actor=actor, service=service, firm=firm, community=community)
    if Compound.objects.filter(community=community, name=name).exists():
        raise InvalidInput.field("name", _("This community already has a compound of this name."))
    compound = Compound.objects.create(
        community=community,
        name=name,
        kind=kind,
        service=service,
        firm=firm,
        year_built=_year("year_built", year_built, required=False),
        address=(address or "").strip()[:200],
    )
    if buildings:
        _link(compound, list(buildings))
    return compound


@transaction.atomic
def compound_update(
    *,
    actor,
    compound: Compound,
    name: str,
    kind: str,
    service: str,
    firm: PropertyFirm | None = None,
    year_built=None,
    address: str = "",
) -> Compound:
    _visible_compound(actor, compound)
    policy.require_edit(actor, compound.community)
    compound = Compound.objects.select_for_update().get(pk=compound.pk)
    name = inputs.required("name", name)[:100]
    _choice("kind", kind, CompoundKind)
    compound.firm = _service_and_firm(actor=actor, service=service, firm=firm, community=compound.community)
    if Compound.objects.filter(community=compound.community, name=name).exclude(pk=compound.pk).exists():
        raise InvalidInput.field("name", _("This community already has a compound of this name."))
    compound.name, compound.kind, compound.service = name, kind, service
    compound.year_built = _year("year_built", year_built, required=False)
    compound.address = (address or "").strip()[:200]
    compound.save()
    return compound


def _link(compound: Compound, buildings: list[Building]) -> None:
    wanted = {b.pk for b in buildings}
    inside = set(
        Building.objects.filter(pk__in=wanted)
        .filter(in_subtree(compound.community, "grid"))
        .values_list("pk", flat=True)
    )
    if inside != wanted:
        raise InvalidInput.field("buildings", _("A compound's buildings stand in its own community."))
    taken = CompoundBuilding.objects.filter(building_id__in=wanted).exclude(compound=compound)
    if taken.exists():
        raise InvalidInput.field(
            "buildings", _("Some of these buildings already belong to another compound.")
        )
    CompoundBuilding.objects.filter(compound=compound).exclude(building_id__in=wanted).delete()
    have = set(CompoundBuilding.objects.filter(compound=compound).values_list("building_id", flat=True))
    try:
        with transaction.atomic():
            CompoundBuilding.objects.bulk_create(
                [CompoundBuilding(compound=compound, building_id=pk) for pk in sorted(wanted - have)]
            )
    except IntegrityError:  # another compound took one meanwhile
        raise InvalidInput.field(
            "buildings", _("Some of these buildings already belong to another compound.")
        ) from None


@transaction.atomic
def compound_buildings_set(*, actor, compound: Compound, buildings: Iterable[Building]) -> Compound:
    _visible_compound(actor, compound)
    policy.require_edit(actor, compound.community)
    compound = Compound.objects.select_for_update().get(pk=compound.pk)
    _link(compound, list(buildings))
    return compound


# --- firms ------------------------------------------------------------------------------------


def _firm_fields(
    *, name, credit_code, contact_name, contact_phone, party_joined_on, party_form, party_instructor
) -> dict:
    name = inputs.required("name", name)[:100]
    code = inputs.required("credit_code", credit_code).upper()
    if not CREDIT_CODE.match(code):
        raise InvalidInput.field("credit_code", _("Enter the 18-character unified social credit code."))
    phone = inputs.phone(contact_phone or "", field="contact_phone")
    joined = _day("party_joined_on", party_joined_on, required=False)
    form = party_form or ""
    if form:
        _choice("party_form", form, PartyForm)
    if joined and not form:
        raise InvalidInput.field(
            "party_form", _("A firm joins 红心物业 with a Party branch of its own or an instructor.")
        )
    instructor = (party_instructor or "").strip()[:50]
    if form == PartyForm.INSTRUCTOR and not instructor:
        raise InvalidInput.field("party_instructor", _("Name the Party-building instructor."))
    return {
        "name": name,
        "credit_code": code,
        "contact_name": (contact_name or "").strip()[:50],
        "contact_phone": phone,
        "contact_phone_hint": mask_phone(phone),
        "contact_phone_hash": lookup_hash(phone) if phone else "",
        "party_joined_on": joined,
        "party_form": form,
        "party_instructor": instructor,
    }


@transaction.atomic
def firm_create(
    *,
    actor,
    street: GridNode,
    name: str,
    credit_code: str,
    contact_name: str = "",
    contact_phone: str = "",
    party_joined_on=None,
    party_form: str = "",
    party_instructor: str = "",
    in_joint_committee: bool = False,
) -> PropertyFirm:
    if street.kind != NodeKind.STREET:
        raise InvalidInput.field("street", _("A firm is registered at the street that supervises it."))
    policy.require_edit(actor, street, _("Only heads and officials over the street register its firms."))
    fields = _firm_fields(
        name=name,
        credit_code=credit_code,
        contact_name=contact_name,
        contact_phone=contact_phone,
        party_joined_on=party_joined_on,
        party_form=party_form,
        party_instructor=party_instructor,
    )
    if PropertyFirm.objects.filter(credit_code=fields["credit_code"]).exists():
        raise InvalidInput.field("credit_code", _("A firm with this credit code is already registered."))
    return PropertyFirm.objects.create(street=street, in_joint_committee=bool(in_joint_committee), **fields)


@transaction.atomic
def firm_update(
    *,
    actor,
    firm: PropertyFirm,
    name: str,
    credit_code: str,
    contact_name: str = "",
    contact_phone: str = "",
    party_joined_on=None,
    party_form: str = "",
    party_instructor: str = "",
    in_joint_committee: bool = False,
    is_active: bool = True,
) -> PropertyFirm:
    policy.require_visible(actor, selectors.firm_list(user=actor).filter(pk=firm.pk).exists())
    policy.require_edit(actor, firm.street, _("Only heads and officials over the street edit its firms."))
    firm = PropertyFirm.objects.select_for_update().get(pk=firm.pk)
    fields = _firm_fields(
        name=name,
        credit_code=credit_code,
        contact_name=contact_name,
        contact_phone=contact_phone,
        party_joined_on=party_joined_on,
        party_form=party_form,
        party_instructor=party_instructor,
    )
    if PropertyFirm.objects.filter(credit_code=fields["credit_code"]).exclude(pk=firm.pk).exists():
        raise InvalidInput.field("credit_code", _("A firm with this credit code is already registered."))
    for key, value in fields.items():
        setattr(firm, key, value)
    firm.in_joint_committee = bool(in_joint_committee)
    firm.is_active = bool(is_active)
    firm.save()
    return firm


def _score(field: str, value, low: int, high: int) -> int:
    try:
        score = int(value)
    except (TypeError, ValueError):
        raise InvalidInput.field(field, _("Enter a whole number.")) from None
    if not low <= score <= high:
        raise InvalidInput.field(
            field, _("Enter a number from %(low)s to %(high)s.") % {"low": low, "high": high}
        )
    return score


def _not_future(field: str, day: datetime.date) -> datetime.date:
    if day > timezone.localdate():
        raise InvalidInput.field(field, _("This date is in the future."))
    return day


@transaction.atomic
def sample_record(
    *, actor, compound: Compound, score, sampled_on=None, visit=None, note: str = ""
) -> FirmSatisfactionSample:
    """A resident's score (1–5) of the firm serving the compound, taken by any staff who sees it."""
    _visible_compound(actor, compound)
    if compound.firm_id is None:
        raise InvalidInput.field("compound", _("No property firm serves this compound."))
    day = _not_future("sampled_on", _day("sampled_on", sampled_on or timezone.localdate()))
    return FirmSatisfactionSample.objects.create(
        firm_id=compound.firm_id,
        compound=compound,
        score=_score("score", score, 1, 5),
        sampled_on=day,
        visit=visit,
        note=(note or "").strip()[:300],
        recorded_by=access.recorded(actor),
    )


@transaction.atomic
def inspection_record(
    *, actor, compound: Compound, score, inspected_on=None, findings: str = "", photo=None
) -> FirmInspection:
    _visible_compound(actor, compound)
    policy.require_edit(actor, compound.community)
    if compound.firm_id is None:
        raise InvalidInput.field("compound", _("No property firm serves this compound."))
    day = _not_future("inspected_on", _day("inspected_on", inspected_on or timezone.localdate()))
    inspection = FirmInspection(
        firm_id=compound.firm_id,
        compound=compound,
        inspected_on=day,
        score=_score("score", score, 0, 100),
        findings=(findings or "").strip()[:4000],
        inspector=access.recorded(actor),
    )
    if photo:
        clean = photos.clean(photo)
        inspection.photo.save(clean.content.name, clean.content, save=False)
        inspection.photo_type = clean.content_type
    inspection.save()
    return inspection


# --- star boards ------------------------------------------------------------------------------


@transaction.atomic
def board_compute(*, actor, street: GridNode, year, quarter) -> StarBoard:
    """(Re)compute a street's quarterly ratings into its draft board; a published board is final."""
    if street.kind != NodeKind.STREET:
        raise InvalidInput.field("street", _("Star boards are kept per street."))
    policy.require_edit(actor, street, _("Only heads and officials over the street compute its star board."))
    year = _year("year", year, required=True)
    quarter = _score("quarter", quarter, 1, 4)
    if rating.quarter_start(year, quarter) > timezone.localdate():
        raise InvalidInput.field("quarter", _("This quarter has not begun."))
    board, _created = StarBoard.objects.get_or_create(street=street, year=year, quarter=quarter)
    board = StarBoard.objects.select_for_update().get(pk=board.pk)
    if board.status == BoardStatus.PUBLISHED:
        raise TransitionNotAllowed(_("This star board is published; it can no longer be recomputed."))
    now = timezone.now()
    rating.compute(board=board, now=now)
    board.computed_at, board.computed_by = now, access.recorded(actor)
    board.save(update_fields=["computed_at", "computed_by"])
    return board


@transaction.atomic
def board_publish(*, actor, board: StarBoard) -> StarBoard:
    policy.require_visible(actor, selectors.board_list(user=actor).filter(pk=board.pk).exists())
    board = StarBoard.objects.select_for_update().select_related("street").get(pk=board.pk)
    policy.require_publish(actor, board.street)
    if board.status == BoardStatus.PUBLISHED:
        raise TransitionNotAllowed(_("This star board is already published."))
    if board.computed_at is None:
        raise TransitionNotAllowed(_("Compute the star board before publishing it."))
    board.status = BoardStatus.PUBLISHED
    board.published_at, board.published_by = timezone.now(), access.recorded(actor)
    board.save(update_fields=["status", "published_at", "published_by"])
    return board


# --- renovation -------------------------------------------------------------------------------


def _scope(value) -> list[str]:
    items = list(dict.fromkeys(value or []))
    if not items:
        raise InvalidInput.field("scope", _("Choose at least one item of work."))
    for item in items:
        _choice("scope", item, ScopeItem)
    return [i for i in ScopeItem.values if i in items]


def _topic(actor, compound: Compound, topic_id):
    """A deliberation topic of the compound's community (by id: property never imports deliberation)."""
    if topic_id in (None, ""):
        return None
    model = RenovationProject._meta.get_field("topic").related_model
    try:
        topic = model.objects.select_related("node").get(pk=int(topic_id))
    except (model.DoesNotExist, TypeError, ValueError, OverflowError):
        raise InvalidInput.field("topic", _("Unknown topic, or outside this compound's community.")) from None
    node = topic.node
    community = compound.community
    if not (node.tree_id == community.tree_id and community.lft <= node.lft and node.rght <= community.rght):
        raise InvalidInput.field("topic", _("Unknown topic, or outside this compound's community."))
    return topic


def _edit_project(actor, project: RenovationProject) -> RenovationProject:
    policy.require_visible(actor, selectors.renovation_list(user=actor).filter(pk=project.pk).exists())
    locked = (
        RenovationProject.objects.select_for_update().select_related("compound__community").get(pk=project.pk)
    )
    policy.require_edit(actor, locked.compound.community)
    return locked


@transaction.atomic
def renovation_create(
    *, actor, compound: Compound, name: str, year, scope, started_on=None, topic=None
) -> RenovationProject:
    _visible_compound(actor, compound)
    policy.require_edit(actor, compound.community)
    started = _day("started_on", started_on, required=False)
    return RenovationProject.objects.create(
        compound=compound,
        name=inputs.required("name", name)[:120],
        year=_year("year", year, required=True),
        scope=_scope(scope),
        status=ProjectStatus.UNDERWAY if started else ProjectStatus.PLANNED,
        started_on=started,
        topic=_topic(actor, compound, topic),
        created_by=access.recorded(actor),
    )


@transaction.atomic
def renovation_update(
    *,
    actor,
    project: RenovationProject,
    name: str,
    year,
    scope,
    status: str,
    started_on=None,
    completed_on=None,
    topic=None,
) -> RenovationProject:
    project = _edit_project(actor, project)
    _choice("status", status, ProjectStatus)
    started = _day("started_on", started_on, required=False)
    completed = _day("completed_on", completed_on, required=False)
    if status == ProjectStatus.COMPLETED and completed is None:
        raise InvalidInput.field("completed_on", _("A completed project has its completion date."))
    if status != ProjectStatus.COMPLETED and completed is not None:
        raise InvalidInput.field("status", _("A project with a completion date is completed."))
    if status != ProjectStatus.PLANNED and started is None:
        raise InvalidInput.field("started_on", _("A project under way has its start date."))
    if started and completed and completed < started:
        raise InvalidInput.field("completed_on", _("The project cannot end before it starts."))
    if completed:
        _not_future("completed_on", completed)
    project.name = inputs.required("name", name)[:120]
    project.year = _year("year", year, required=True)
    project.scope = _scope(scope)
    project.status, project.started_on, project.completed_on = status, started, completed
    project.topic = _topic(actor, project.compound, topic)
    project.save()
    return project


def _budget_total(project: RenovationProject) -> Decimal:
    return BudgetLine.objects.filter(project=project).aggregate(
        total=Sum("amount", output_field=DecimalField(**MONEY))
    )["total"] or Decimal("0.00")


def _spent_total(project: RenovationProject) -> Decimal:
    return SpendingEntry.objects.filter(project=project).aggregate(
        total=Sum("amount", output_field=DecimalField(**MONEY))
    )["total"] or Decimal("0.00")


@transaction.atomic
def budget_line_set(*, actor, project: RenovationProject, source: str, amount) -> BudgetLine:
    """The amount a funding source gives the project (0.00 removes the source's line). A budget
    cut below what is already spent is refused: the spending would be over budget unexplained."""
    project = _edit_project(actor, project)
    _choice("source", source, FundingSource)
    amount = _money("amount", amount, positive=False)
    others = _budget_total(project) - (
        BudgetLine.objects.filter(project=project, source=source).values_list("amount", flat=True).first()
        or Decimal("0.00")
    )
    if others + amount < _spent_total(project):
        raise InvalidInput.field("amount", _("The budget cannot be cut below what has been spent."))
    line, _created = BudgetLine.objects.update_or_create(
        project=project, source=source, defaults={"amount": amount, "set_by": access.recorded(actor)}
    )
    return line


@transaction.atomic
def spending_record(
    *,
    actor,
    project: RenovationProject,
    spent_on,
    amount,
    what: str,
    voucher=None,
    over_budget_reason: str = "",
) -> SpendingEntry:
    """Record what was spent. When the entry takes the spending over the budget it needs an
    explicit reason (`over_budget_reason`), kept on the entry; without one it is refused."""
    project = _edit_project(actor, project)  # locked: entries of one project are serialised
    amount = _money("amount", amount, positive=True)
    day = _not_future("spent_on", _day("spent_on", spent_on))
    what = inputs.required("what", what)[:200]
    reason = (over_budget_reason or "").strip()[:300]
    if _spent_total(project) + amount > _budget_total(project):
        if not reason:
            raise InvalidInput.field(
                "over_budget_reason",
                _("This takes the spending over the budget: give the reason to record it anyway."),
            )
    else:
        reason = ""
    entry = SpendingEntry(
        project=project,
        spent_on=day,
        amount=amount,
        what=what,
        over_budget_reason=reason,
        recorded_by=access.recorded(actor),
    )
    if voucher:
        clean = photos.clean(voucher)
        entry.voucher.save(clean.content.name, clean.content, save=False)
        entry.voucher_type = clean.content_type
    entry.save()
    return entry


@transaction.atomic
def milestone_record(
    *, actor, project: RenovationProject, title: str, reached_on, note: str = "", before=(), after=()
) -> Milestone:
    project = _edit_project(actor, project)
    title = inputs.required("title", title)[:120]
    day = _not_future("reached_on", _day("reached_on", reached_on))
    cleaned = photos.clean_all([*before, *after])
    milestone = Milestone.objects.create(
        project=project,
        title=title,
        reached_on=day,
        note=(note or "").strip()[:300],
        recorded_by=access.recorded(actor),
    )
    stages = [PhotoStage.BEFORE] * len(before) + [PhotoStage.AFTER] * len(after)
    for stage, clean in zip(stages, cleaned, strict=True):
        photo = MilestonePhoto(milestone=milestone, stage=stage, content_type=clean.content_type)
        photo.file.save(clean.content.name, clean.content, save=False)
        photo.save()
    return milestone


@transaction.atomic
def survey_answer_record(
    *, actor, project: RenovationProject, satisfied: bool, answered_on=None, note: str = ""
) -> SurveyAnswer:
    """A resident's answer to the completion survey, recorded by staff who see the project."""
    policy.require_visible(actor, selectors.renovation_list(user=actor).filter(pk=project.pk).exists())
    project = RenovationProject.objects.get(pk=project.pk)
    if project.status != ProjectStatus.COMPLETED:
        raise TransitionNotAllowed(_("The residents' survey is taken once the project is completed."))
    if not isinstance(satisfied, bool):
        raise InvalidInput.field("satisfied", _("Say whether the resident is satisfied."))
    return SurveyAnswer.objects.create(
        project=project,
        satisfied=satisfied,
        answered_on=_not_future("answered_on", _day("answered_on", answered_on or timezone.localdate())),
        note=(note or "").strip()[:300],
        recorded_by=access.recorded(actor),
    )
