"""What each user sees of the four lists and of the organisations (四社联动).

Needs, wishes and activities are placed at their grid and seen over it (grids.access). Resources,
social organisations and joint projects are placed at a street or a community, and are seen by
who is over that node and also by the staff of the grids inside it (a grid worker matches a need
to the resources offered in its street): that union is named in ALSO_IN_SCOPE of
tests/hardening/test_access_matrix.py. An in-service member without a post sees the open wishes
and needs of the grid it reported to, and its own and its unit's claims. Every list is one query
whatever its length; figures are aggregates in SQL.
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
from lists.models import (
    Need,
    NeedMatch,
    NeedStatus,
    OrgActivity,
    Resource,
    ResourceKind,
    Responsibility,
    SocialOrganization,
    Wish,
    WishStatus,
)
from party.models import InServiceMember, JointProject, MemberUnit

ZERO = Value(Decimal("0"), output_field=DecimalField(max_digits=14, decimal_places=2))
ZERO_HOURS = Value(Decimal("0"), output_field=DecimalField(max_digits=8, decimal_places=1))


def _under(node: GridNode | None, path: str) -> Q:
    if node is None:
        return Q()
    p = f"{path}__" if path else ""
    return Q(**{f"{p}tree_id": node.tree_id, f"{p}lft__gte": node.lft, f"{p}rght__lte": node.rght})


def _related(node: GridNode) -> Q:
    """Rows at a node above `node` or inside it (a street's resources for a grid, and back)."""
    return Q(node__tree_id=node.tree_id) & (
        Q(node__lft__lte=node.lft, node__rght__gte=node.rght)
        | Q(node__lft__gte=node.lft, node__rght__lte=node.rght)
    )


def _over(grid: GridNode) -> Q:
    return Q(node__tree_id=grid.tree_id, node__lft__lte=grid.lft, node__rght__gte=grid.rght)


CLAIMED = (
    Q(claimed_by_unit__isnull=False) | Q(claimed_by_member__isnull=False) | Q(claimed_by_org__isnull=False)
)


def _over_or_inside(user, queryset: QuerySet, *, node_path: str) -> QuerySet:
    """Rows at a node the user's posts cover, or at a node above a grid the user's posts cover
    (the resources and organisations of the street or community a worker's grid is in)."""
    scoped = access.scope_queryset(user, queryset, node_path=node_path)
    grids = access.scope_queryset(user, GridNode.objects.filter(kind=NodeKind.GRID), node_path="")
    inside = grids.filter(
        tree_id=OuterRef(f"{node_path}__tree_id"),
        lft__gte=OuterRef(f"{node_path}__lft"),
        rght__lte=OuterRef(f"{node_path}__rght"),
    )
    if not getattr(user, "is_authenticated", False):
        return queryset.none()
    return queryset.filter(Q(pk__in=scoped.values("pk")) | Q(Exists(inside)))


def _committed() -> dict:
    matches = NeedMatch.objects.filter(resource=OuterRef("pk")).values("resource")
    return {
        "committed_amount": Coalesce(Subquery(matches.annotate(s=Sum("amount")).values("s")[:1]), ZERO),
        "committed_hours": Coalesce(Subquery(matches.annotate(s=Sum("hours")).values("s")[:1]), ZERO_HOURS),
        "match_count": Coalesce(
            Subquery(matches.annotate(n=Count("*")).values("n")[:1]), 0, output_field=IntegerField()
        ),
    }


# --- needs --------------------------------------------------------------------------------------


def need_list(*, user) -> QuerySet:
    return access.scope_queryset(user, Need.objects.select_related("grid"), node_path="grid")


def need_list_page(
    *, user, node: GridNode | None = None, status: str = "", origin: str = "", claimed: str = ""
) -> QuerySet:
    matches = NeedMatch.objects.filter(need=OuterRef("pk")).values("need")
    queryset = (
        need_list(user=user)
        .filter(_under(node, "grid"))
        .select_related(
            "claimed_by_unit", "claimed_by_member", "claimed_by_org", "project", "wish", "grid__parent"
        )
        .annotate(
            matched_amount=Coalesce(Subquery(matches.annotate(s=Sum("amount")).values("s")[:1]), ZERO),
            match_count=Coalesce(
                Subquery(matches.annotate(n=Count("*")).values("n")[:1]), 0, output_field=IntegerField()
            ),
        )
    )
    if status in NeedStatus.values:
        queryset = queryset.filter(status=status)
    if origin:
        queryset = queryset.filter(origin_kind=origin)
    if claimed == "yes":
        queryset = queryset.filter(
            Q(claimed_by_unit__isnull=False)
            | Q(claimed_by_member__isnull=False)
            | Q(claimed_by_org__isnull=False)
        )
    elif claimed == "no":
        queryset = queryset.filter(
            claimed_by_unit__isnull=True, claimed_by_member__isnull=True, claimed_by_org__isnull=True
        )
    return queryset.order_by("-created_at", "-id")


def need_get(*, user, pk) -> Need:
    return access.get_scoped_or_404(user, need_list_page(user=user), node_path="grid", pk=pk)


def need_matches(*, need: Need) -> QuerySet:
    return NeedMatch.objects.filter(need=need).select_related("resource__unit", "resource__alliance")


def need_responsibilities(*, need: Need) -> QuerySet:
    return need.responsibilities.select_related("holder_user", "holder_unit", "holder_org")


def resources_for_need(*, user, need: Need) -> QuerySet:
    """The active resources offered over the need's grid, with what is left of each."""
    grid = need.grid
    return (
        resource_list_page(user=user)
        .filter(
            is_active=True, node__tree_id=grid.tree_id, node__lft__lte=grid.lft, node__rght__gte=grid.rght
        )
        .exclude(matches__need=need)
    )


def units_for_grid(*, grid: GridNode) -> QuerySet:
    return MemberUnit.objects.filter(grids=grid).order_by("name")


def organizations_for_grid(*, grid: GridNode) -> QuerySet:
    return SocialOrganization.objects.filter(_over(grid), is_active=True).order_by("name")


def members_for_grid(*, grid: GridNode) -> QuerySet:
    return InServiceMember.objects.filter(grid=grid).select_related("unit").order_by("name", "id")


# --- wishes -------------------------------------------------------------------------------------


def wish_list(*, user) -> QuerySet:
    return access.scope_queryset(
        user,
        Wish.objects.select_related("need__grid", "claimed_by_unit", "claimed_by_member"),
        node_path="need__grid",
    )


def wish_list_page(*, user, node: GridNode | None = None, status: str = "") -> QuerySet:
    queryset = wish_list(user=user).filter(_under(node, "need__grid"))
    if status in WishStatus.values:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-id")


def wish_get(*, user, pk) -> Wish:
    return access.get_scoped_or_404(user, wish_list(user=user), node_path="need__grid", pk=pk)


def wish_counts(*, user, node: GridNode | None = None) -> dict:
    rows = wish_list(user=user).filter(_under(node, "need__grid")).values("status").annotate(n=Count("id"))
    counts = dict.fromkeys(WishStatus.values, 0)
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def public_wish(*, code: str) -> Wish | None:
    """The wish a resident's code names, with only what the public page shows (no names)."""
    code = (code or "").strip().upper()
    if not code or len(code) > 16:
        return None
    return (
        Wish.objects.filter(confirmation_code=code)
        .select_related("need__grid", "claimed_by_unit")
        .only(
            "id",
            "status",
            "photo",
            "photo_type",
            "claimed_at",
            "fulfilled_at",
            "confirmed_at",
            "confirmation_code",
            "claimed_by_member_id",
            "claimed_by_unit__name",
            "need__title",
            "need__grid__name",
        )
        .first()
    )


# --- an in-service member's own pages ---------------------------------------------------------


def member_of(user) -> InServiceMember | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return InServiceMember.objects.select_related("grid", "unit").filter(user_id=user.pk).first()


def member_board(*, member: InServiceMember) -> dict:
    """What a member may claim (the open wishes and needs of the grid it reported to) and what
    it claimed itself."""
    if member.grid_id is None:
        open_wishes = Wish.objects.none()
        open_needs = Need.objects.none()
    else:
        open_wishes = Wish.objects.filter(
            need__grid_id=member.grid_id, status=WishStatus.OPEN
        ).select_related("need")
        open_needs = Need.objects.filter(
            grid_id=member.grid_id,
            status=NeedStatus.OPEN,
            wish__isnull=True,
            claimed_by_unit__isnull=True,
            claimed_by_member__isnull=True,
            claimed_by_org__isnull=True,
        )
    return {
        "open_wishes": open_wishes.order_by("-id")[:50],
        "open_needs": open_needs.order_by("-id")[:50],
        "my_wishes": Wish.objects.filter(claimed_by_member=member)
        .select_related("need__grid")
        .order_by("-id")[:50],
        "my_needs": Need.objects.filter(claimed_by_member=member).select_related("grid").order_by("-id")[:50],
    }


def member_wish(*, member: InServiceMember, pk) -> Wish:
    """A wish the member may act on: open in its grid, or claimed by it; else 404."""
    found = (
        Wish.objects.select_related("need__grid")
        .filter(pk=pk)
        .filter(Q(need__grid_id=member.grid_id or 0, status=WishStatus.OPEN) | Q(claimed_by_member=member))
        .first()
    )
    if found is None:
        raise Http404
    return found


def member_need(*, member: InServiceMember, pk) -> Need:
    found = (
        Need.objects.select_related("grid")
        .filter(pk=pk, grid_id=member.grid_id or 0, wish__isnull=True)
        .first()
    )
    if found is None:
        raise Http404
    return found


# --- resources, projects, responsibilities, organisations ------------------------------------


def resource_list(*, user) -> QuerySet:
    return _over_or_inside(user, Resource.objects.all(), node_path="node")


def resource_list_page(
    *, user, node: GridNode | None = None, kind: str = "", unit_id: int | None = None, alliance_id=None
) -> QuerySet:
    queryset = resource_list(user=user).select_related("unit", "alliance", "node").annotate(**_committed())
    if node is not None:
        # Offered over the node (its street) or inside it.
        queryset = queryset.filter(_related(node))
    if kind in ResourceKind.values:
        queryset = queryset.filter(kind=kind)
    if unit_id:
        queryset = queryset.filter(unit_id=unit_id)
    if alliance_id:
        queryset = queryset.filter(alliance_id=alliance_id)
    return queryset.order_by("alliance__name", "unit__name", "kind", "id")


def resource_get(*, user, pk) -> Resource:
    found = resource_list_page(user=user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def project_list(*, user) -> QuerySet:
    """Joint projects over the user's posts, and those working in a grid the user sees."""
    scoped = access.scope_queryset(user, JointProject.objects.all(), node_path="node")
    grids = access.scope_queryset(user, GridNode.objects.filter(kind=NodeKind.GRID), node_path="")
    working = JointProject.grids.through.objects.filter(
        jointproject_id=OuterRef("pk"), gridnode_id__in=grids.values("pk")
    )
    if not getattr(user, "is_authenticated", False):
        return JointProject.objects.none()
    return JointProject.objects.filter(Q(pk__in=scoped.values("pk")) | Q(Exists(working)))


def project_list_page(*, user, node: GridNode | None = None, status: str = "", matched: str = "") -> QuerySet:
    needs = Need.objects.filter(project=OuterRef("pk")).values("project").annotate(n=Count("*")).values("n")
    queryset = (
        project_list(user=user)
        .select_related("alliance")
        .annotate(need_count=Coalesce(Subquery(needs[:1]), 0, output_field=IntegerField()))
    )
    if node is not None:
        inside = JointProject.grids.through.objects.filter(jointproject_id=OuterRef("pk")).filter(
            _under(node, "gridnode")
        )
        queryset = queryset.filter(Exists(inside))
    if status:
        queryset = queryset.filter(status=status)
    if matched == "yes":
        queryset = queryset.filter(need_count__gt=0)
    elif matched == "no":
        queryset = queryset.filter(need_count=0)
    return queryset.order_by("-starts_on", "-id")


def project_get(*, user, pk) -> JointProject:
    found = project_list_page(user=user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def responsibility_list(*, user) -> QuerySet:
    return access.scope_queryset(user, Responsibility.objects.all(), node_path="node")


def responsibility_list_page(*, user, node: GridNode | None = None, item: str = "") -> QuerySet:
    queryset = (
        responsibility_list(user=user)
        .select_related("need", "project", "resource", "holder_user", "holder_unit", "holder_org", "node")
        .filter(_under(node, "node"))
    )
    if item == "need":
        queryset = queryset.filter(need__isnull=False)
    elif item == "project":
        queryset = queryset.filter(project__isnull=False)
    elif item == "resource":
        queryset = queryset.filter(resource__isnull=False)
    return queryset.order_by("due_on", "id")


def organization_list(*, user) -> QuerySet:
    return _over_or_inside(user, SocialOrganization.objects.all(), node_path="node")


def organization_list_page(*, user, node: GridNode | None = None, kind: str = "") -> QuerySet:
    activities = (
        OrgActivity.objects.filter(organization=OuterRef("pk"))
        .values("organization")
        .annotate(n=Count("*"))
        .values("n")
    )
    claims = (
        Need.objects.filter(claimed_by_org=OuterRef("pk")).values("claimed_by_org").annotate(n=Count("*"))
    )
    queryset = (
        organization_list(user=user)
        .select_related("node")
        .annotate(
            activity_count=Coalesce(Subquery(activities[:1]), 0, output_field=IntegerField()),
            claim_count=Coalesce(Subquery(claims.values("n")[:1]), 0, output_field=IntegerField()),
        )
    )
    if node is not None:
        queryset = queryset.filter(_related(node))
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset.order_by("name", "id")


def organization_get(*, user, pk) -> SocialOrganization:
    found = organization_list_page(user=user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def activity_list(*, user) -> QuerySet:
    return access.scope_queryset(
        user, OrgActivity.objects.select_related("organization", "grid", "need"), node_path="grid"
    )


# --- a unit's claims --------------------------------------------------------------------------


def unit_get(*, user, pk) -> MemberUnit:
    """A member unit the user sees: over its alliance, or in a grid it is paired with."""
    scoped = access.scope_queryset(user, MemberUnit.objects.all(), node_path="alliance__node")
    grids = access.scope_queryset(user, GridNode.objects.filter(kind=NodeKind.GRID), node_path="")
    found = (
        MemberUnit.objects.select_related("alliance")
        .filter(pk=pk)
        .filter(Q(pk__in=scoped.values("pk")) | Q(grids__in=grids))
        .distinct()
        .first()
    )
    if found is None:
        raise Http404
    return found


def unit_claims(*, user, unit: MemberUnit) -> dict:
    """The unit's claims the user sees: wishes claimed by the unit or by its in-service members,
    needs it claimed, its resources and what they committed."""
    wishes = wish_list(user=user).filter(Q(claimed_by_unit=unit) | Q(claimed_by_member__unit=unit))
    return {
        "wishes": wishes.order_by("-id")[:100],
        "needs": need_list(user=user)
        .filter(Q(claimed_by_unit=unit) | Q(claimed_by_member__unit=unit))
        .select_related("claimed_by_member")
        .order_by("-id")[:100],
        "resources": Resource.objects.filter(unit=unit).annotate(**_committed()).order_by("kind", "id"),
        "counts": wishes.aggregate(
            total=Count("id"),
            confirmed=Count("id", filter=Q(status=WishStatus.CONFIRMED)),
        ),
    }


# --- the figures of a node --------------------------------------------------------------------


def counts_for_node(*, node) -> dict:
    """Needs by status under a node, in one aggregate query."""
    qs = Need.objects.filter(grid__tree_id=node.tree_id, grid__lft__gte=node.lft, grid__rght__lte=node.rght)
    return qs.aggregate(
        needs=Count("id"),
        open=Count("id", filter=Q(status="OPEN")),
        matched=Count("id", filter=Q(status="MATCHED")),
        wishes=Count("id", filter=Q(origin_kind="WISH")),
    )


def node_figures(*, node: GridNode) -> dict:
    """The four lists of a node for its dashboard card, in four aggregate queries: needs by
    status, wishes done, projects matched to needs, resources offered over or inside the node,
    and duties assigned."""
    needs = Need.objects.filter(_under(node, "grid")).aggregate(
        needs=Count("id"),
        open=Count("id", filter=Q(status=NeedStatus.OPEN)),
        wishes=Count("id", filter=Q(origin_kind="WISH")),
        wishes_done=Count("id", filter=Q(wish__status=WishStatus.CONFIRMED)),
        projects=Count("project", distinct=True),
    )
    related = Q(node__tree_id=node.tree_id) & (
        Q(node__lft__lte=node.lft, node__rght__gte=node.rght)
        | Q(node__lft__gte=node.lft, node__rght__lte=node.rght)
    )
    resources = Resource.objects.filter(related, is_active=True).aggregate(
        resources=Count("id"),
        funds=Coalesce(Sum("amount", filter=Q(kind=ResourceKind.FUNDS)), ZERO),
        providers=Count("unit", distinct=True),
    )
    duties = Responsibility.objects.filter(_under(node, "node")).count()
    organizations = SocialOrganization.objects.filter(related, is_active=True).count()
    return {**needs, **resources, "duties": duties, "organizations": organizations}
