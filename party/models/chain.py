"""The Party organisation chain over the grids (一核): five kinds of organisation in one MPTT
tree, each anchored at the grid node that holds its territory, and their members."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from mptt.models import MPTTModel, TreeForeignKey

from party.models.common import created_by_field


class OrgKind(models.TextChoices):
    WORKING_COMMITTEE = "WORKING_COMMITTEE", _("Street Party working committee")
    GENERAL_BRANCH = "GENERAL_BRANCH", _("Community Party general branch")
    GRID_BRANCH = "GRID_BRANCH", _("Grid Party branch")
    BUILDING_GROUP = "BUILDING_GROUP", _("Building Party group")
    CENTRAL_HOUSEHOLD = "CENTRAL_HOUSEHOLD", _("Party member central household")


ORG_KIND_ORDER = [
    OrgKind.WORKING_COMMITTEE,
    OrgKind.GENERAL_BRANCH,
    OrgKind.GRID_BRANCH,
    OrgKind.BUILDING_GROUP,
    OrgKind.CENTRAL_HOUSEHOLD,
]
ORG_CHILD_KIND = {ORG_KIND_ORDER[i]: ORG_KIND_ORDER[i + 1] for i in range(len(ORG_KIND_ORDER) - 1)}


class PartyOrganization(MPTTModel):
    """One organisation of the five-level chain, with the territory it covers.

    Territory by kind: a working committee covers a STREET (`node`), a general branch a
    COMMUNITY (`node`), a grid branch one or more GRIDs (`grids`), a building group one or
    more buildings (`buildings`), a central household one household (`household`) and the
    neighbouring households it keeps contact with (`contact_households`). `node` is always
    the lowest grid node that holds the whole territory (the anchor used for scoping).
    Write only through party.services (tree lock, kind and territory checks).
    """

    parent = TreeForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    kind = models.CharField(_("kind"), max_length=24, choices=OrgKind.choices)
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    node = models.ForeignKey(
        "grids.GridNode",
        on_delete=models.PROTECT,
        related_name="party_organizations",
        verbose_name=_("grid node"),
    )
    grids = models.ManyToManyField(
        "grids.GridNode",
        blank=True,
        related_name="party_branches",
        verbose_name=_("grids"),
    )
    buildings = models.ManyToManyField(
        "residents.Building",
        blank=True,
        related_name="party_groups",
        verbose_name=_("buildings"),
    )
    household = models.ForeignKey(
        "residents.Household",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="central_household_orgs",
        verbose_name=_("household"),
    )
    contact_households = models.ManyToManyField(
        "residents.Household",
        blank=True,
        related_name="party_contacts",
        verbose_name=_("households in contact"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = created_by_field()

    class MPTTMeta:
        order_insertion_by = ["code"]

    class Meta:
        verbose_name = _("Party organisation")
        verbose_name_plural = _("Party organisations")
        indexes = [
            models.Index(fields=["tree_id", "lft", "rght"], name="partyorg_subtree"),
            models.Index(fields=["kind"], name="partyorg_kind"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="CENTRAL_HOUSEHOLD", household__isnull=False)
                | (~Q(kind="CENTRAL_HOUSEHOLD") & Q(household__isnull=True)),
                name="partyorg_household_iff_central_household",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class MemberRole(models.TextChoices):
    SECRETARY = "SECRETARY", _("Secretary")
    DEPUTY = "DEPUTY", _("Deputy secretary")
    COMMITTEE = "COMMITTEE", _("Committee member")
    MEMBER = "MEMBER", _("Member")


class PartyMember(models.Model):
    """A Party member belonging to an organisation of the chain (a resident, or a cadre
    without a residence record, such as a working committee's secretary)."""

    organization = models.ForeignKey(
        PartyOrganization, on_delete=models.PROTECT, related_name="members", verbose_name=_("organisation")
    )
    resident = models.OneToOneField(
        "residents.Resident",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="party_membership",
        verbose_name=_("resident"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="party_memberships",
        verbose_name=_("account"),
    )
    name = models.CharField(_("name"), max_length=64)
    role = models.CharField(_("role"), max_length=16, choices=MemberRole.choices, default=MemberRole.MEMBER)
    joined_on = models.DateField(_("joined the Party on"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = created_by_field(_("added by"))

    class Meta:
        verbose_name = _("Party member")
        verbose_name_plural = _("Party members")
        ordering = ["organization_id", "role", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization"],
                condition=Q(role="SECRETARY", is_active=True),
                name="partymember_one_secretary",
            )
        ]

    def __str__(self) -> str:
        return self.name
