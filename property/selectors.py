"""Reads of compounds, firms, boards and renovations, all scoped by grids.access.

Who sees what (the policy's scope over two paths):
- a compound: staff over its community (heads, officials up the tree) and staff over any grid
  of its buildings (the grid's worker and head);
- a firm: staff over its supervising street, and staff who see one of its compounds;
- a star board: a draft to staff over its street; a published one to every member of staff
  at, above or inside the street;
- a renovation project: whoever sees its compound.
Every aggregate is SQL (Count/Sum/Avg over Decimal), a fixed number of queries per page.
"""

from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from grids import access
from grids.models import GridNode, NodeKind
from grids.subtree import in_subtree
from hlgrid.ordering import numbered
from property.models import (
    MONEY,
    BoardStatus,
    BudgetLine,
    Compound,
    CompoundBuilding,
    FirmInspection,
    FirmRating,
    MilestonePhoto,
    PropertyFirm,
    RenovationProject,
    SpendingEntry,
    StarBoard,
    SurveyAnswer,
)
from property.policy import READ_KINDS
from residents.models import Building

ZERO = Value(Decimal("0.00"), output_field=DecimalField(**MONEY))


def _money(expression):
    return Coalesce(expression, ZERO, output_field=DecimalField(**MONEY))


def _money_sum(queryset: QuerySet, field: str, outer: str):
    """SUM(field) of `queryset` rows whose `outer` is the outer row, as one correlated subquery."""
    inner = (
        queryset.filter(**{outer: OuterRef("pk")})
        .order_by()
        .values(outer)
        .annotate(total=Sum(field, output_field=DecimalField(**MONEY)))
        .values("total")[:1]
    )
    return _money(Subquery(inner, output_field=DecimalField(**MONEY)))


# --- compounds --------------------------------------------------------------------------------


def compound_list(*, user, node: GridNode | None = None) -> QuerySet:
    by_community = access.scope_queryset(
        user, Compound.objects.all(), node_path="community", post_kinds=READ_KINDS
    )
    by_building = access.scope_queryset(
        user, CompoundBuilding.objects.all(), node_path="building__grid", post_kinds=READ_KINDS
    )
    queryset = Compound.objects.filter(
        Q(pk__in=by_community.values("pk")) | Q(pk__in=by_building.values("compound_id"))
    )
    if node is not None:
        if node.kind == NodeKind.GRID:
            queryset = queryset.filter(links__building__grid=node).distinct()
        else:
            queryset = queryset.filter(in_subtree(node, "community"))
    return queryset


def compound_list_page(*, user, node: GridNode | None = None, kind: str = "", service: str = "") -> QuerySet:
    queryset = compound_list(user=user, node=node)
    if kind:
        queryset = queryset.filter(kind=kind)
    if service:
        queryset = queryset.filter(service=service)
    buildings = (
        CompoundBuilding.objects.filter(compound=OuterRef("pk"))
        .order_by()
        .values("compound")
        .annotate(n=Count("id"))
        .values("n")[:1]
    )
    renovations = (
        RenovationProject.objects.filter(compound=OuterRef("pk"))
        .order_by()
        .values("compound")
        .annotate(n=Count("id"))
        .values("n")[:1]
    )
    return (
        queryset.select_related("community", "firm")
        .annotate(
            building_count=Coalesce(Subquery(buildings, output_field=IntegerField()), 0),
            renovation_count=Coalesce(Subquery(renovations, output_field=IntegerField()), 0),
        )
        .order_by("community__code", "name", "id")
    )


def compound_get(*, user, pk) -> Compound:
    try:
        return compound_list(user=user).select_related("community", "firm").get(pk=pk)
    except (Compound.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def compound_buildings(*, compound: Compound) -> QuerySet:
    return (
        Building.objects.filter(compound_link__compound=compound)
        .select_related("grid")
        .order_by("grid__code", *numbered("number"), "id")
    )


def compound_grids(*, compound: Compound) -> QuerySet:
    """The grids the compound's buildings stand in."""
    grid_ids = CompoundBuilding.objects.filter(compound=compound).values("building__grid_id")
    return GridNode.objects.filter(pk__in=grid_ids).order_by("code")


def buildings_to_link(*, user, compound: Compound) -> QuerySet:
    """Buildings of the compound's community that belong to no compound yet, in the user's scope."""
    return (
        access.scope_queryset(
            user,
            Building.objects.filter(in_subtree(compound.community, "grid"), compound_link__isnull=True),
            node_path="grid",
            post_kinds=READ_KINDS,
        )
        .select_related("grid")
        .order_by("grid__code", *numbered("number"), "id")
    )


# --- firms ------------------------------------------------------------------------------------


def firm_list(*, user) -> QuerySet:
    by_street = access.scope_queryset(
        user, PropertyFirm.objects.all(), node_path="street", post_kinds=READ_KINDS
    )
    served = compound_list(user=user).filter(firm__isnull=False).values("firm_id")
    return PropertyFirm.objects.filter(Q(pk__in=by_street.values("pk")) | Q(pk__in=served))


def firm_list_page(*, user, node: GridNode | None = None, red_heart: bool | None = None) -> QuerySet:
    queryset = firm_list(user=user)
    if node is not None:
        queryset = queryset.filter(
            Q(pk__in=compound_list(user=user, node=node).values("firm_id"))
            | Q(street__tree_id=node.tree_id, street__lft__gte=node.lft, street__rght__lte=node.rght)
        )
    if red_heart is not None:
        queryset = queryset.filter(party_joined_on__isnull=not red_heart)
    compounds = (
        Compound.objects.filter(firm=OuterRef("pk"))
        .order_by()
        .values("firm")
        .annotate(n=Count("id"))
        .values("n")[:1]
    )
    latest = FirmRating.objects.filter(firm=OuterRef("pk")).order_by("-year", "-quarter")
    return (
        queryset.select_related("street")
        .annotate(
            compound_count=Coalesce(Subquery(compounds, output_field=IntegerField()), 0),
            latest_stars=Subquery(latest.values("stars")[:1]),
            latest_score=Subquery(latest.values("score")[:1]),
        )
        .order_by("street__code", "name", "id")
    )


def firm_get(*, user, pk) -> PropertyFirm:
    try:
        return firm_list(user=user).select_related("street").get(pk=pk)
    except (PropertyFirm.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def firm_ratings(*, firm: PropertyFirm) -> QuerySet:
    return FirmRating.objects.filter(firm=firm).select_related("board").order_by("-year", "-quarter")


# --- star boards ------------------------------------------------------------------------------


def board_list(*, user) -> QuerySet:
    over = access.scope_queryset(user, StarBoard.objects.all(), node_path="street", post_kinds=READ_KINDS)
    inside = access.scope_queryset(
        user,
        GridNode.objects.filter(
            tree_id=OuterRef("street__tree_id"),
            lft__gte=OuterRef("street__lft"),
            rght__lte=OuterRef("street__rght"),
        ),
        node_path="",
    )
    return StarBoard.objects.filter(
        Q(pk__in=over.values("pk")) | Q(Exists(inside), status=BoardStatus.PUBLISHED)
    ).select_related("street")


def board_get(*, user, pk) -> StarBoard:
    try:
        return board_list(user=user).get(pk=pk)
    except (StarBoard.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def board_rows(*, board: StarBoard) -> QuerySet:
    return (
        FirmRating.objects.filter(board=board)
        .select_related("firm")
        .order_by("-stars", "-score", "firm__name", "firm_id")
    )


def streets_for_boards(*, user) -> QuerySet:
    """The streets whose boards the user may compute (heads and officials over the street)."""
    return access.scope_queryset(
        user, GridNode.objects.filter(kind=NodeKind.STREET), node_path="", post_kinds=access.LEADING_KINDS
    ).order_by("code")


# --- renovations ------------------------------------------------------------------------------


def renovation_list(*, user, node: GridNode | None = None) -> QuerySet:
    return RenovationProject.objects.filter(compound__in=compound_list(user=user, node=node))


def with_money(queryset: QuerySet) -> QuerySet:
    return queryset.annotate(
        budget_total=_money_sum(BudgetLine.objects.all(), "amount", "project"),
        spent_total=_money_sum(SpendingEntry.objects.all(), "amount", "project"),
    )


def renovation_list_page(*, user, node: GridNode | None = None, status: str = "") -> QuerySet:
    queryset = renovation_list(user=user, node=node)
    if status:
        queryset = queryset.filter(status=status)
    return with_money(queryset.select_related("compound__community")).order_by(
        "-year", "compound__community__code", "name", "id"
    )


def renovation_get(*, user, pk) -> RenovationProject:
    try:
        return with_money(
            renovation_list(user=user).select_related("compound__community", "compound__firm", "topic")
        ).get(pk=pk)
    except (RenovationProject.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def survey_figures(*, project: RenovationProject) -> dict:
    agg = SurveyAnswer.objects.filter(project=project).aggregate(
        answers=Count("id"), satisfied=Count("id", filter=Q(satisfied=True))
    )
    rate = None
    if agg["answers"]:
        rate = (Decimal(agg["satisfied"] * 100) / agg["answers"]).quantize(Decimal("0.1"))
    return {**agg, "rate": rate}


def renovation_totals(*, user) -> dict:
    """Budget and spending per street and for the whole of what the user sees, exact to the fen:
    two GROUP BY queries over the scoped projects."""
    projects = renovation_list(user=user)
    budget = (
        BudgetLine.objects.filter(project__in=projects)
        .order_by()
        .values("project__compound__community__parent")
        .annotate(
            total=Sum("amount", output_field=DecimalField(**MONEY)), projects=Count("project", distinct=True)
        )
    )
    spent = (
        SpendingEntry.objects.filter(project__in=projects)
        .order_by()
        .values("project__compound__community__parent")
        .annotate(total=Sum("amount", output_field=DecimalField(**MONEY)))
    )
    counts = (
        projects.order_by()
        .values("compound__community__parent")
        .annotate(n=Count("id"), completed=Count("id", filter=Q(status="COMPLETED")))
    )
    rows: dict[int, dict] = {}
    streets = {
        s.pk: s
        for s in GridNode.objects.filter(pk__in=projects.values("compound__community__parent")).order_by(
            "code"
        )
    }
    for pk, street in streets.items():
        rows[pk] = {
            "street": street,
            "projects": 0,
            "completed": 0,
            "budget": Decimal("0.00"),
            "spent": Decimal("0.00"),
        }
    for row in counts:
        entry = rows[row["compound__community__parent"]]
        entry["projects"], entry["completed"] = row["n"], row["completed"]
    for row in budget:
        rows[row["project__compound__community__parent"]]["budget"] = row["total"]
    for row in spent:
        rows[row["project__compound__community__parent"]]["spent"] = row["total"]
    city = {
        "projects": sum(r["projects"] for r in rows.values()),
        "completed": sum(r["completed"] for r in rows.values()),
        **projects.aggregate(
            budget=_money(Sum("budget_lines__amount", output_field=DecimalField(**MONEY))),
        ),
        **SpendingEntry.objects.filter(project__in=projects).aggregate(
            spent=_money(Sum("amount", output_field=DecimalField(**MONEY)))
        ),
    }
    ordered = sorted(rows.values(), key=lambda r: r["street"].code)
    return {"streets": ordered, "city": city}


def photo_get(*, user, pk) -> MilestonePhoto:
    try:
        return MilestonePhoto.objects.filter(milestone__project__in=renovation_list(user=user)).get(pk=pk)
    except (MilestonePhoto.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def spending_get(*, user, pk) -> SpendingEntry:
    try:
        return SpendingEntry.objects.filter(project__in=renovation_list(user=user)).get(pk=pk)
    except (SpendingEntry.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def inspection_get(*, user, pk) -> FirmInspection:
    try:
        return FirmInspection.objects.filter(compound__in=compound_list(user=user)).get(pk=pk)
    except (FirmInspection.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


# --- the dashboards' card ---------------------------------------------------------------------


def node_figures(*, node: GridNode) -> dict:
    """Unscoped figures of a node's subtree for its dashboard (the dashboard checked the node):
    the 红心物业 firms serving there, compounds (and those in 红心物业), renovated compounds and
    their budget. Three queries."""
    compounds = Compound.objects.filter(in_subtree(node, "community"))
    if node.kind == NodeKind.GRID:
        compounds = Compound.objects.filter(links__building__grid=node).distinct()
    agg = Compound.objects.filter(pk__in=compounds.values("pk")).aggregate(
        compounds=Count("id"),
        red_heart=Count("id", filter=Q(firm__party_joined_on__isnull=False)),
        firms=Count("firm", distinct=True, filter=Q(firm__party_joined_on__isnull=False)),
    )
    projects = RenovationProject.objects.filter(compound__in=compounds.values("pk"))
    renovated = projects.aggregate(compounds=Count("compound", distinct=True))["compounds"]
    budget = BudgetLine.objects.filter(project__in=projects.values("pk")).aggregate(
        total=_money(Sum("amount", output_field=DecimalField(**MONEY)))
    )["total"]
    return {**agg, "renovated": renovated, "budget": budget}
