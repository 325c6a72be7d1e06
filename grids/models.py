from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from mptt.models import MPTTModel, TreeForeignKey

from hlgrid.fields import actor_field
from hlgrid.models import DayKind


class NodeKind(models.TextChoices):
    CITY = "CITY", _("City")
    STREET = "STREET", _("Street (level-1 grid)")
    COMMUNITY = "COMMUNITY", _("Community (level-2 grid)")
    GRID = "GRID", _("Grid (level-3 grid)")


# A child is exactly one kind below its parent.
KIND_ORDER = [NodeKind.CITY, NodeKind.STREET, NodeKind.COMMUNITY, NodeKind.GRID]
CHILD_KIND = {KIND_ORDER[i]: KIND_ORDER[i + 1] for i in range(len(KIND_ORDER) - 1)}


class GridNode(MPTTModel):
    """A cell of the territory: the city, a street, a community or a grid.

    Write it only through grids.services (the tree lock); read subtrees with
    tree_id/lft/rght. `boundary` is a GeoJSON Polygon/MultiPolygon in WGS 84
    (lng, lat); its bounding box and centroid are stored for cheap filtering.
    """

    parent = TreeForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=NodeKind.choices)
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=64)
    boundary = models.JSONField(_("boundary (GeoJSON)"), null=True, blank=True)
    min_lng = models.FloatField(null=True, editable=False)
    min_lat = models.FloatField(null=True, editable=False)
    max_lng = models.FloatField(null=True, editable=False)
    max_lat = models.FloatField(null=True, editable=False)
    centroid_lng = models.FloatField(null=True, editable=False)
    centroid_lat = models.FloatField(null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class MPTTMeta:
        order_insertion_by = ["code"]

    class Meta:
        verbose_name = _("grid node")
        verbose_name_plural = _("grid nodes")
        indexes = [
            models.Index(fields=["tree_id", "lft", "rght"], name="gridnode_subtree"),
            models.Index(fields=["kind", "tree_id", "lft"], name="gridnode_kind_subtree"),
            models.Index(fields=["min_lng", "max_lng", "min_lat", "max_lat"], name="gridnode_bbox"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def child_kind(self) -> str | None:
        return CHILD_KIND.get(self.kind)

    @property
    def head_title(self) -> str:
        return HEAD_TITLES.get(self.kind, _("Head"))


HEAD_TITLES = {
    NodeKind.CITY: _("City grid chief"),
    NodeKind.STREET: _("Street head"),
    NodeKind.COMMUNITY: _("Road head"),
    NodeKind.GRID: _("Grid head"),
}


def city_field(**options):
    """The CITY node a piece of configuration belongs to (a department, a category, a key group,
    an assessment scheme or period): one deployment serves many cities, and each city's
    officials see and change only their own (grids.access.scope_to_cities)."""
    return models.ForeignKey(
        "grids.GridNode",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("city"),
        limit_choices_to={"kind": NodeKind.CITY},
        **options,
    )


class Department(models.Model):
    """A functional department (城管, 民政, ...) of a city that handles escalated petitions."""

    city = city_field()
    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=64)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["city", "code"], name="department_code_per_city"),
            models.UniqueConstraint(fields=["city", "name"], name="department_name_per_city"),
        ]

    def __str__(self) -> str:
        return self.name


class PostKind(models.TextChoices):
    WORKER = "WORKER", _("Grid worker")
    HEAD = "HEAD", _("Head")
    OFFICIAL = "OFFICIAL", _("Official")
    DEPARTMENT = "DEPARTMENT", _("Department staff")
    ASSESSOR = "ASSESSOR", _("Assessor")
    ADMIN = "ADMIN", _("Administrator")


# Where each kind of post may be held.
POST_NODE_KINDS = {
    PostKind.WORKER: {NodeKind.GRID},
    PostKind.HEAD: {NodeKind.STREET, NodeKind.COMMUNITY, NodeKind.GRID},
    PostKind.OFFICIAL: {NodeKind.CITY, NodeKind.STREET, NodeKind.COMMUNITY},
    PostKind.DEPARTMENT: {NodeKind.CITY, NodeKind.STREET},
    PostKind.ASSESSOR: {NodeKind.CITY, NodeKind.STREET},
    PostKind.ADMIN: {NodeKind.CITY},
}


class Post(models.Model):
    """A user's role at a node of the grid tree; a post covers the node's whole subtree.

    A post is not edited: it is ended, and a new one is granted.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="posts",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=PostKind.choices)
    node = models.ForeignKey(GridNode, on_delete=models.PROTECT, related_name="posts", verbose_name=_("node"))
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="posts",
        verbose_name=_("department"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("since"), auto_now_add=True)
    # The post's history: who granted and who ended it (NULL: the system, or before this was
    # recorded). Set only by grids.services.post_assign / post_end.
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="posts_granted",
        verbose_name=_("granted by"),
    )
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True, editable=False)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="posts_ended",
        verbose_name=_("ended by"),
    )

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["node__tree_id", "node__lft", "kind"]
        indexes = [models.Index(fields=["user", "is_active"], name="post_user_active")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="DEPARTMENT") & Q(department__isnull=False))
                | (~Q(kind="DEPARTMENT") & Q(department__isnull=True)),
                name="post_department_iff_department_kind",
            ),
            models.UniqueConstraint(
                fields=["node"],
                condition=Q(kind="HEAD", is_active=True),
                name="post_one_active_head_per_node",
            ),
            models.UniqueConstraint(
                fields=["user", "kind", "node"],
                condition=Q(is_active=True, department__isnull=True),
                name="post_unique_active_role",
            ),
            models.UniqueConstraint(
                fields=["user", "node", "department"],
                condition=Q(is_active=True, department__isnull=False),
                name="post_unique_active_department_role",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.title} · {self.node}"

    @property
    def title(self) -> str:
        if self.kind == PostKind.HEAD:
            return str(HEAD_TITLES.get(self.node.kind, PostKind.HEAD.label))
        if self.kind == PostKind.DEPARTMENT and self.department_id:
            return f"{self.department.name} · {PostKind.DEPARTMENT.label}"
        return str(PostKind(self.kind).label)


class CalendarYear(models.Model):
    """A year of a city's working calendar that its office keeps itself (see hlgrid.workdays).

    Once a city loads a year (copied from the statutory calendar of the `holidays` package), its
    CalendarDay rows are the whole truth of that year for the city besides ordinary weekends: a
    removed row is a removed holiday or make-up day. A year not loaded follows the package.
    """

    city = city_field()
    year = models.PositiveSmallIntegerField(_("year"))
    loaded_by = actor_field(_("loaded by"))
    loaded_at = models.DateTimeField(_("loaded"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        ordering = ["city", "year"]
        constraints = [models.UniqueConstraint(fields=["city", "year"], name="calendar_year_per_city")]

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(models.Model):
    """One exception of a city's calendar to the weekend rule: a day off on a weekday (a
    statutory holiday, a local one such as Yanbian's 州庆 on 3 September) or a working weekend
    day (调休)."""

    city = city_field()
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=8, choices=DayKind.choices)
    name = models.CharField(_("name"), max_length=64)
    statutory = models.BooleanField(_("from the statutory calendar"), default=False)
    created_by = actor_field(_("entered by"))
    created_at = models.DateTimeField(_("entered"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["city", "date"]
        constraints = [models.UniqueConstraint(fields=["city", "date"], name="calendar_day_per_city")]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.kind} {self.name}"
