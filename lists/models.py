"""The four lists of a grid (四项清单) and the participants of 四社联动.

- Needs (需求清单): residents' needs, from a visit, a petition, a deliberation topic or a small
  wish (微心愿). A need links to its origin by kind and id, since those live in peer apps. It is
  matched to resources (NeedMatch), claimed by a unit, an in-service member or a social
  organisation, and becomes a joint project of party (Need.project) or is closed.
- Resources (资源清单): what a member unit or an alliance offers — a venue, staff hours, funds
  (Decimal yuan, to the fen), skills. A match commits part of a resource's hours or funds; the
  commitments never exceed what is offered.
- Projects (项目清单): party's JointProject, listed through the needs they answer.
- Responsibilities (责任清单): who answers for a need, a project or a resource.
- Social organisations and volunteer teams (社会组织, 志愿服务队) registered at a community or a
  street, who claim needs and run activities (OrgActivity).

A wish is claimed by one member unit or one in-service member, fulfilled with a photo and
confirmed by the resident (with its confirmation code, no login) or by the grid worker on the
resident's behalf (recorded as such)."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import FSMField, FSMModelMixin, transition

from hlgrid.crypto import EncryptedTextField, mask_phone
from hlgrid.fields import actor_field


class NeedOrigin(models.TextChoices):
    VISIT = "VISIT", _("Visit")
    PETITION = "PETITION", _("Petition")
    TOPIC = "TOPIC", _("Deliberation topic")
    WISH = "WISH", _("Small wish")
    OTHER = "OTHER", _("Other")


class NeedStatus(models.TextChoices):
    OPEN = "OPEN", pgettext_lazy("need or wish", "Open")
    MATCHED = "MATCHED", _("Matched")
    PROJECT = "PROJECT", _("Became a project")
    CLOSED = "CLOSED", _("Closed")


class OrgKind(models.TextChoices):
    SOCIAL_ORG = "SOCIAL_ORG", _("Social organisation")
    VOLUNTEER_TEAM = "VOLUNTEER_TEAM", _("Volunteer team")
    SOCIAL_WORK = "SOCIAL_WORK", _("Social work agency")


class SocialOrganization(models.Model):
    """A social organisation or volunteer team (四社联动) registered at a community or a street."""

    node = models.ForeignKey(
        "grids.GridNode", on_delete=models.PROTECT, related_name="+", verbose_name=_("registered at")
    )
    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=OrgKind.choices)
    services = models.CharField(_("what it offers"), max_length=200, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=64, blank=True)
    contact_phone = EncryptedTextField(_("contact phone"), blank=True)
    members = models.PositiveIntegerField(_("members"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = actor_field(_("registered by"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("social organisation")
        verbose_name_plural = _("social organisations")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["node", "is_active"])]

    def __str__(self) -> str:
        return self.name

    @property
    def contact_phone_masked(self) -> str:
        return mask_phone(self.contact_phone)


class Need(FSMModelMixin, models.Model):
    """A need of the grid's residents (需求清单)."""

    grid = models.ForeignKey(
        "grids.GridNode", on_delete=models.PROTECT, related_name="+", verbose_name=_("grid")
    )
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    origin_kind = models.CharField(_("origin"), max_length=16, choices=NeedOrigin.choices)
    origin_id = models.CharField(_("origin id"), max_length=40, blank=True)
    status = FSMField(_("status"), default=NeedStatus.OPEN, choices=NeedStatus.choices, protected=True)
    claimed_by_unit = models.ForeignKey(
        "party.MemberUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("claimed by unit"),
    )
    claimed_by_member = models.ForeignKey(
        "party.InServiceMember",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("claimed by member"),
    )
    claimed_by_org = models.ForeignKey(
        SocialOrganization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="claimed_needs",
        verbose_name=_("claimed by organisation"),
    )
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    project = models.ForeignKey(
        "party.JointProject",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("joint project"),
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_by = actor_field(_("recorded by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["grid", "status"]),
            models.Index(fields=["project"], name="lists_need_project"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(claimed_by_unit__isnull=False, claimed_by_member__isnull=False)
                & ~Q(claimed_by_unit__isnull=False, claimed_by_org__isnull=False)
                & ~Q(claimed_by_member__isnull=False, claimed_by_org__isnull=False),
                name="lists_need_one_claimant",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def claimant(self):
        return self.claimed_by_unit or self.claimed_by_member or self.claimed_by_org

    @transition(field=status, source=[NeedStatus.OPEN, NeedStatus.MATCHED], target=NeedStatus.MATCHED)
    def match(self) -> None:
        pass

    @transition(field=status, source=[NeedStatus.OPEN, NeedStatus.MATCHED], target=NeedStatus.PROJECT)
    def to_project(self) -> None:
        pass

    @transition(
        field=status,
        source=[NeedStatus.OPEN, NeedStatus.MATCHED, NeedStatus.PROJECT],
        target=NeedStatus.CLOSED,
    )
    def close(self) -> None:
        pass


class WishStatus(models.TextChoices):
    OPEN = "OPEN", pgettext_lazy("need or wish", "Open")
    CLAIMED = "CLAIMED", _("Claimed")
    FULFILLED = "FULFILLED", _("Fulfilled")
    CONFIRMED = "CONFIRMED", _("Confirmed")
    CANCELLED = "CANCELLED", _("Cancelled")


class Wish(FSMModelMixin, models.Model):
    """A small wish (微心愿) of a resident, claimed by a unit or an in-service member."""

    need = models.OneToOneField(Need, on_delete=models.PROTECT, related_name="wish", verbose_name=_("need"))
    resident_name = models.CharField(_("resident"), max_length=64)
    status = FSMField(_("status"), default=WishStatus.OPEN, choices=WishStatus.choices, protected=True)
    claimed_by_unit = models.ForeignKey(
        "party.MemberUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("claimed by unit"),
    )
    claimed_by_member = models.ForeignKey(
        "party.InServiceMember",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("claimed by member"),
    )
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    photo = models.FileField(_("photo"), upload_to="lists/wishes/", blank=True)
    photo_type = models.CharField(max_length=32, blank=True)
    fulfilled_at = models.DateTimeField(_("fulfilled at"), null=True, blank=True)
    confirmation_code = models.CharField(_("confirmation code"), max_length=16, unique=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed on the resident's behalf by"),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("small wish")
        verbose_name_plural = _("small wishes")
        ordering = ["-id"]
        indexes = [models.Index(fields=["status"], name="lists_wish_status")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(claimed_by_unit__isnull=False, claimed_by_member__isnull=False),
                name="lists_wish_one_claimant",
            )
        ]

    def __str__(self) -> str:
        return self.need.title

    @transition(field=status, source=WishStatus.OPEN, target=WishStatus.CLAIMED)
    def claim(self) -> None:
        pass

    @transition(field=status, source=WishStatus.CLAIMED, target=WishStatus.FULFILLED)
    def fulfil(self) -> None:
        pass

    @transition(field=status, source=WishStatus.FULFILLED, target=WishStatus.CONFIRMED)
    def confirm(self) -> None:
        pass

    @transition(field=status, source=[WishStatus.OPEN, WishStatus.CLAIMED], target=WishStatus.CANCELLED)
    def cancel(self) -> None:
        pass


class ResourceKind(models.TextChoices):
    VENUE = "VENUE", _("Venue")
    STAFF_HOURS = "STAFF_HOURS", _("Staff hours")
    FUNDS = "FUNDS", _("Funds")
    SKILL = "SKILL", _("Skill")


class Resource(models.Model):
    """What a member unit or an alliance offers (资源清单). Funds are in yuan (to the fen), staff
    hours in hours; a venue has a capacity, a skill a description. Placed at the alliance's node
    (a street) like the alliance's projects."""

    node = models.ForeignKey(
        "grids.GridNode",
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        verbose_name=_("grid node"),
    )
    unit = models.ForeignKey(
        "party.MemberUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("member unit"),
    )
    alliance = models.ForeignKey(
        "party.Alliance", on_delete=models.PROTECT, related_name="+", verbose_name=_("alliance")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ResourceKind.choices)
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    amount = models.DecimalField(_("funds (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True)
    hours = models.DecimalField(_("staff hours"), max_digits=8, decimal_places=1, null=True, blank=True)
    capacity = models.PositiveIntegerField(_("capacity (people)"), null=True, blank=True)
    is_active = models.BooleanField(_("offered"), default=True)
    created_by = actor_field(_("added by"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        ordering = ["alliance_id", "unit_id", "kind", "id"]
        indexes = [models.Index(fields=["node", "kind"], name="lists_resource_node_kind")]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0), name="lists_resource_amount"
            ),
            models.CheckConstraint(
                condition=Q(hours__isnull=True) | Q(hours__gte=0), name="lists_resource_hours"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def provider(self):
        return self.unit or self.alliance


class NeedMatch(models.Model):
    """A resource matched to a need, committing part of its funds or hours (or the venue/skill)."""

    need = models.ForeignKey(Need, on_delete=models.PROTECT, related_name="matches", verbose_name=_("need"))
    resource = models.ForeignKey(
        Resource, on_delete=models.PROTECT, related_name="matches", verbose_name=_("resource")
    )
    amount = models.DecimalField(_("funds (yuan)"), max_digits=14, decimal_places=2, default=Decimal("0"))
    hours = models.DecimalField(_("staff hours"), max_digits=8, decimal_places=1, default=Decimal("0"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = actor_field(_("matched by"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("match")
        verbose_name_plural = _("matches")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["need", "resource"], name="lists_match_once"),
            models.CheckConstraint(condition=Q(amount__gte=0) & Q(hours__gte=0), name="lists_match_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.need} ← {self.resource}"


class HolderKind(models.TextChoices):
    PERSON = "PERSON", _("Member of staff")
    UNIT = "UNIT", _("Member unit")
    ORG = "ORG", _("Social organisation")


class Responsibility(models.Model):
    """Who answers for an item of the lists (责任清单): a need, a joint project or a resource, held
    by a member of staff, a member unit or a social organisation. Placed at the item's node."""

    node = models.ForeignKey(
        "grids.GridNode",
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        verbose_name=_("grid node"),
    )
    need = models.ForeignKey(
        Need,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="responsibilities",
        verbose_name=_("need"),
    )
    project = models.ForeignKey(
        "party.JointProject",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("joint project"),
    )
    resource = models.ForeignKey(
        Resource,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="responsibilities",
        verbose_name=_("resource"),
    )
    holder_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("member of staff"),
    )
    holder_unit = models.ForeignKey(
        "party.MemberUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("member unit"),
    )
    holder_org = models.ForeignKey(
        SocialOrganization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("social organisation"),
    )
    duty = models.CharField(_("duty"), max_length=200)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    created_by = actor_field(_("assigned by"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("responsibility")
        verbose_name_plural = _("responsibilities")
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["node", "due_on"], name="lists_resp_node")]
        constraints = [
            models.CheckConstraint(
                condition=Q(need__isnull=False, project__isnull=True, resource__isnull=True)
                | Q(need__isnull=True, project__isnull=False, resource__isnull=True)
                | Q(need__isnull=True, project__isnull=True, resource__isnull=False),
                name="lists_resp_one_item",
            ),
            models.CheckConstraint(
                condition=Q(holder_user__isnull=False, holder_unit__isnull=True, holder_org__isnull=True)
                | Q(holder_user__isnull=True, holder_unit__isnull=False, holder_org__isnull=True)
                | Q(holder_user__isnull=True, holder_unit__isnull=True, holder_org__isnull=False),
                name="lists_resp_one_holder",
            ),
        ]

    def __str__(self) -> str:
        return self.duty

    @property
    def item(self):
        return self.need or self.project or self.resource

    @property
    def holder(self):
        return self.holder_user or self.holder_unit or self.holder_org


class OrgActivity(models.Model):
    """An activity a social organisation or volunteer team ran in a grid (四社联动), possibly
    for a need it claimed."""

    organization = models.ForeignKey(
        SocialOrganization,
        on_delete=models.PROTECT,
        related_name="activities",
        verbose_name=_("organisation"),
    )
    grid = models.ForeignKey(
        "grids.GridNode", on_delete=models.PROTECT, related_name="+", verbose_name=_("grid")
    )
    need = models.ForeignKey(
        Need,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("need"),
    )
    title = models.CharField(_("title"), max_length=120)
    held_on = models.DateField(_("held on"))
    participants = models.PositiveIntegerField(_("participants"), default=0)
    hours = models.DecimalField(_("volunteer hours"), max_digits=8, decimal_places=1, default=Decimal("0"))
    description = models.TextField(_("what was done"), blank=True)
    recorded_by = actor_field(_("recorded by"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("activity of an organisation")
        verbose_name_plural = _("activities of organisations")
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["grid", "held_on"], name="lists_orgact_grid")]

    def __str__(self) -> str:
        return self.title
