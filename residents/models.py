"""Where people live (buildings, units, households), residents and their personal data,
key people (五类人群) and grid workers' visits; and the access log of every unmasked view.
"""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grids.models import city_field
from hlgrid.crypto import EncryptedTextField, mask_id_number, mask_phone, mask_text
from hlgrid.fields import actor_field
from hlgrid.lights import Light  # noqa: F401 — a key membership's light (annotated, never stored)


class AppendOnlyQuerySet(models.QuerySet):
    """A queryset that refuses bulk UPDATE and DELETE: the rows are a record, not state."""

    def update(self, **kwargs):
        raise PermissionError(f"{self.model.__name__} rows cannot be changed")

    def delete(self):
        raise PermissionError(f"{self.model.__name__} rows cannot be deleted")

    def _raw_delete(self, using):
        raise PermissionError(f"{self.model.__name__} rows cannot be deleted")


class AccessLog(models.Model):
    """One row per unmasked view of a person's data (who, whom, which field, when, from where).

    Used by every app that reveals personal data (see residents.services.access_log_record).
    Append-only: the model refuses to save an existing row or delete one, and its queryset
    refuses bulk updates and deletes; the admin shows rows read-only.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="access_logs",
        verbose_name=_("who"),
    )
    subject_type = models.CharField(_("subject type"), max_length=64)
    subject_id = models.CharField(_("subject id"), max_length=64)
    subject_label = models.CharField(_("whom"), max_length=128, blank=True)
    field = models.CharField(_("field"), max_length=64)
    at = models.DateTimeField(_("when"), db_index=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=256, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["subject_type", "subject_id", "at"], name="accesslog_subject"),
            models.Index(fields=["actor", "at"], name="accesslog_actor_at"),
            models.Index(fields=["actor", "at"], name="accesslog_actor"),
        ]

    def __str__(self) -> str:
        whom = self.subject_label or self.subject_id
        return f"{self.actor_id} · {whom} · {self.field} · {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise PermissionError("access log rows cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("access log rows cannot be deleted")


# The large tables have no default ordering: every selector orders explicitly, and a default
# ORDER BY would leak into other apps' aggregate subqueries (GROUP BY errors on PostgreSQL).


class Building(models.Model):
    """A building (楼栋) in a GRID node: a micro-grid with its 楼栋长 (a resident)."""

    grid = models.ForeignKey(
        "grids.GridNode",
        on_delete=models.PROTECT,
        related_name="buildings",
        limit_choices_to={"kind": "GRID"},
        verbose_name=_("grid"),
    )
    number = models.CharField(_("number"), max_length=32)
    name = models.CharField(_("name"), max_length=64, blank=True)
    # The street address as residents say it (光明路12号): the public address search reads it.
    address = models.CharField(_("address"), max_length=128, blank=True)
    # A point of the building (inside its grid), so a resident who picks it gets a pin there.
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    head = models.ForeignKey(
        "Resident",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("building head"),
    )

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        constraints = [models.UniqueConstraint(fields=["grid", "number"], name="building_unique_number")]

    def __str__(self) -> str:
        return self.name or str(_("Building %(number)s") % {"number": self.number})


class Unit(models.Model):
    """A unit (单元) of a building, with its 单元长 and the link of its residents' group chat."""

    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, related_name="units", verbose_name=_("building")
    )
    number = models.CharField(_("number"), max_length=32)
    head = models.ForeignKey(
        "Resident",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("unit head"),
    )
    wechat_group_url = models.CharField(_("WeChat group link"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [models.UniqueConstraint(fields=["building", "number"], name="unit_unique_number")]

    def __str__(self) -> str:
        return str(_("Unit %(number)s") % {"number": self.number})


class Occupancy(models.TextChoices):
    """How a dwelling is used (一标三实: 实有房屋)."""

    OWNER = "OWNER", _("Owner-occupied")
    RENTED = "RENTED", _("Rented out")
    VACANT = "VACANT", _("Vacant")


class Household(models.Model):
    """A household (户) behind a door of a unit. `grid` repeats the building's grid for scoping.

    The door is also the dwelling (实有房屋): `occupancy` says whether its owner lives there,
    lets it or leaves it empty; a let dwelling names its `landlord`, the owner's own household
    when the owner is in the register, so the owner's household lists its tenant households.
    """

    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="households", verbose_name=_("unit")
    )
    door = models.CharField(_("door"), max_length=32)
    grid = models.ForeignKey(
        "grids.GridNode",
        on_delete=models.PROTECT,
        related_name="households",
        editable=False,
        verbose_name=_("grid"),
    )
    label = models.CharField(_("address"), max_length=128, editable=False)
    occupancy = models.CharField(
        _("occupancy"), max_length=8, choices=Occupancy.choices, default=Occupancy.OWNER
    )
    landlord = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tenant_households",
        verbose_name=_("landlord's household"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        constraints = [
            models.UniqueConstraint(fields=["unit", "door"], name="household_unique_door"),
            models.CheckConstraint(
                condition=models.Q(landlord__isnull=True) | models.Q(occupancy="RENTED"),
                name="household_landlord_only_if_rented",
            ),
        ]

    def __str__(self) -> str:
        return self.label


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class Ethnicity(models.TextChoices):
    """The 56 nationalities by their GB/T 3304 codes; 汉族 and 朝鲜族 first (Yanbian Korean
    Autonomous Prefecture), the others in the standard's order."""

    HAN = "01", _("Han")
    KOREAN = "10", _("Korean (Chaoxian)")
    MONGOL = "02", _("Mongol")
    HUI = "03", _("Hui")
    TIBETAN = "04", _("Tibetan")
    UYGHUR = "05", _("Uyghur")
    MIAO = "06", _("Miao")
    YI = "07", _("Yi")
    ZHUANG = "08", _("Zhuang")
    BUYEI = "09", _("Buyei")
    MANCHU = "11", _("Manchu")
    DONG = "12", _("Dong")
    YAO = "13", _("Yao")
    BAI = "14", _("Bai")
    TUJIA = "15", _("Tujia")
    HANI = "16", _("Hani")
    KAZAKH = "17", _("Kazakh")
    DAI = "18", _("Dai")
    LI = "19", _("Li")
    LISU = "20", _("Lisu")
    VA = "21", _("Va")
    SHE = "22", _("She")
    GAOSHAN = "23", _("Gaoshan")
    LAHU = "24", _("Lahu")
    SUI = "25", _("Sui")
    DONGXIANG = "26", _("Dongxiang")
    NAXI = "27", _("Naxi")
    JINGPO = "28", _("Jingpo")
    KYRGYZ = "29", _("Kyrgyz")
    TU = "30", _("Tu")
    DAUR = "31", _("Daur")
    MULAO = "32", _("Mulao")
    QIANG = "33", _("Qiang")
    BLANG = "34", _("Blang")
    SALAR = "35", _("Salar")
    MAONAN = "36", _("Maonan")
    GELAO = "37", _("Gelao")
    XIBE = "38", _("Xibe")
    ACHANG = "39", _("Achang")
    PUMI = "40", _("Pumi")
    TAJIK = "41", _("Tajik")
    NU = "42", _("Nu")
    UZBEK = "43", _("Uzbek")
    RUSSIAN = "44", _("Russian")
    EVENKI = "45", _("Evenki")
    DEANG = "46", _("De'ang")
    BONAN = "47", _("Bonan")
    YUGUR = "48", _("Yugur")
    GIN = "49", _("Gin")
    TATAR = "50", _("Tatar")
    DERUNG = "51", _("Derung")
    OROQEN = "52", _("Oroqen")
    HEZHEN = "53", _("Hezhen")
    MONBA = "54", _("Monba")
    LHOBA = "55", _("Lhoba")
    JINO = "56", _("Jino")


class Relationship(models.TextChoices):
    """与户主关系, coded after GB/T 4761 (家庭关系代码)."""

    HEAD = "02", _("Head of household")
    SPOUSE = "10", _("Spouse")
    CHILD = "20", _("Child")
    GRANDCHILD = "40", _("Grandchild")
    PARENT = "50", _("Parent")
    GRANDPARENT = "60", _("Grandparent")
    SIBLING = "70", _("Sibling")
    OTHER_RELATIVE = "97", _("Other relative")
    NOT_RELATED = "99", _("Not related")


class PoliticalStatus(models.TextChoices):
    """政治面貌, coded after GB/T 4762 (the eight democratic parties as one choice)."""

    PARTY_MEMBER = "01", _("CPC member")
    PROBATIONARY = "02", _("CPC probationary member")
    LEAGUE_MEMBER = "03", _("Communist Youth League member")
    DEMOCRATIC_PARTY = "04", _("Member of a democratic party")
    NON_PARTISAN = "12", _("Non-partisan")
    MASSES = "13", _("Ordinary citizen")


# The statuses that make a resident one of the Party's members (Resident.is_party_member).
PARTY_STATUSES = frozenset({PoliticalStatus.PARTY_MEMBER, PoliticalStatus.PROBATIONARY})


class ResidenceStatus(models.TextChoices):
    """人户状态: registered and living here, living here registered elsewhere, or registered
    here and living elsewhere."""

    REGISTERED = "REGISTERED", _("Registered resident")
    MIGRANT = "MIGRANT", _("Migrant (registered elsewhere)")
    SEPARATED = "SEPARATED", _("Registered here, living elsewhere")


class Resident(models.Model):
    """A person living in a household. ID number, phone and health details are encrypted at rest.

    `id_number_hash` (a keyed HMAC) finds a number exactly and keeps it unique; birth date
    and sex are derived from the number by residents.services.
    """

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="residents", verbose_name=_("household")
    )
    name = models.CharField(_("name"), max_length=64, db_index=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, editable=False)
    birth_date = models.DateField(_("birth date"), editable=False)
    id_number = EncryptedTextField(_("ID number"), editable=False)
    id_number_hash = models.CharField(max_length=64, unique=True, editable=False)
    phone = EncryptedTextField(_("phone"), blank=True)
    is_party_member = models.BooleanField(_("Party member"), default=False)
    # 一标三实 basics; blank means "not recorded" (rows registered before they were asked).
    ethnicity = models.CharField(_("ethnicity"), max_length=2, choices=Ethnicity.choices, blank=True)
    relationship = models.CharField(
        _("relationship to the head"), max_length=2, choices=Relationship.choices, blank=True
    )
    political_status = models.CharField(
        _("political status"), max_length=2, choices=PoliticalStatus.choices, blank=True
    )
    residence_status = models.CharField(
        _("residence status"), max_length=10, choices=ResidenceStatus.choices, blank=True
    )
    health = EncryptedTextField(_("health details"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=models.Q(relationship="02"),
                name="resident_one_head_per_household",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    @property
    def health_masked(self) -> str:
        return mask_text(self.health)


class KeyGroup(models.Model):
    """One of a city's key groups (五类人群) with how often its members must be visited."""

    city = city_field()
    name = models.CharField(_("name"), max_length=32)
    visit_interval_days = models.PositiveSmallIntegerField(_("visit interval (days)"))
    description = models.CharField(_("description"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("key group")
        verbose_name_plural = _("key groups")
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["city", "name"], name="keygroup_name_per_city"),
            models.CheckConstraint(
                condition=models.Q(visit_interval_days__gte=1), name="keygroup_interval_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class KeyMembership(models.Model):
    """A resident's membership of a key group: who looks after them, and when the next visit is due.

    The light is a pure function of `next_visit_due`, `warn_from` and today's date
    (hlgrid.lights.light_on, annotated by residents.keypeople.with_light); `warn_from` starts
    the last quarter of the interval.
    """

    resident = models.ForeignKey(
        Resident, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("resident")
    )
    group = models.ForeignKey(
        KeyGroup, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("group")
    )
    grid = models.ForeignKey(
        "grids.GridNode", on_delete=models.PROTECT, related_name="+", editable=False, verbose_name=_("grid")
    )
    condition = models.TextField(_("condition"), blank=True)
    measures = models.TextField(_("measures taken"), blank=True)
    guardian = models.CharField(_("guardian or contact"), max_length=64, blank=True)
    guardian_phone = EncryptedTextField(_("guardian's phone"), blank=True)
    since = models.DateField(_("since"))
    next_visit_due = models.DateField(_("next visit due"))
    warn_from = models.DateField(_("due soon from"))
    last_visited_at = models.DateTimeField(_("last visited"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("key membership")
        verbose_name_plural = _("key memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["resident", "group"],
                condition=models.Q(is_active=True),
                name="keymembership_one_active_per_group",
            )
        ]
        indexes = [
            models.Index(
                fields=["grid", "next_visit_due"],
                condition=models.Q(is_active=True),
                name="keymembership_due",
            )
        ]

    def __str__(self) -> str:
        return f"{self.resident} · {self.group}"


class VisitKind(models.TextChoices):
    ROUTINE = "ROUTINE", _("Routine visit")
    KEY_PERSON = "KEY_PERSON", _("Key person visit")
    PETITION_FOLLOW_UP = "PETITION_FOLLOW_UP", _("Petition follow-up")


class Visit(models.Model):
    """A grid worker's visit (走访) to a household. Immutable: a correction is a new visit
    that references the one it corrects."""

    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="visits", verbose_name=_("worker")
    )
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="visits", verbose_name=_("household")
    )
    grid = models.ForeignKey(
        "grids.GridNode", on_delete=models.PROTECT, related_name="+", editable=False, verbose_name=_("grid")
    )
    visited_at = models.DateTimeField(_("visited at"), db_index=True)
    kind = models.CharField(_("kind"), max_length=24, choices=VisitKind.choices, default=VisitKind.ROUTINE)
    people_seen = models.ManyToManyField(
        Resident, blank=True, related_name="visits_seen", verbose_name=_("people seen")
    )
    notes = models.TextField(_("notes"), blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    problem_found = models.BooleanField(_("problem found"), default=False)
    problem_description = models.TextField(_("problem"), blank=True)
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name=_("corrects"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        indexes = [
            models.Index(fields=["worker", "visited_at"], name="visit_worker_time"),
            models.Index(fields=["grid", "visited_at"], name="visit_grid_time"),
            models.Index(fields=["household", "visited_at"], name="visit_household_time"),
        ]

    def __str__(self) -> str:
        return f"{self.household} · {self.visited_at:%Y-%m-%d}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("a visit is immutable once saved; log a correction instead")
        super().save(*args, **kwargs)


def _photo_path(instance, filename: str) -> str:
    # The cleaner keeps the photo's format (JPEG, PNG or WebP) and names the file after it.
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    return f"visits/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{extension}"


class VisitPhoto(models.Model):
    """A photo taken on a visit, re-encoded by hlgrid.photos without its EXIF data (no GPS trail)."""

    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="photos", verbose_name=_("visit"))
    image = models.ImageField(_("photo"), upload_to=_photo_path, width_field="width", height_field="height")
    width = models.PositiveIntegerField(editable=False)
    height = models.PositiveIntegerField(editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("visit photo")
        verbose_name_plural = _("visit photos")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.image.name

    def get_absolute_url(self) -> str:
        """The checked view (scope of the visit), never the file's own /media/ address."""
        return reverse("residents:visit_photo", args=[self.pk])


class ChatGroup(models.Model):
    """A micro-grid's WeChat Work group (the seed's 专属微信群) reached through its group robot
    (企业微信群机器人): a grid's, or one building's or unit's in it. The webhook URL holds the
    robot's key, a secret: encrypted at rest, shown only masked."""

    name = models.CharField(_("name"), max_length=64)
    grid = models.ForeignKey(
        "grids.GridNode",
        on_delete=models.PROTECT,
        related_name="chat_groups",
        limit_choices_to={"kind": "GRID"},
        verbose_name=_("grid"),
    )
    building = models.ForeignKey(
        Building,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="chat_groups",
        verbose_name=_("building"),
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="chat_groups",
        verbose_name=_("unit"),
    )
    webhook_url = EncryptedTextField(_("robot webhook URL"))
    webhook_hint = models.CharField(_("robot (masked)"), max_length=64, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = actor_field(_("added by"))
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("WeChat group")
        verbose_name_plural = _("WeChat groups")
        indexes = [models.Index(fields=["grid", "is_active"], name="chatgroup_grid_active")]

    def __str__(self) -> str:
        return self.name


class HeadAccount(models.Model):
    """A 楼栋长's or 单元长's login: a user linked to the resident who heads a building or a unit.

    It is a post below the grid kept out of grids.Post on purpose: such a user holds no Post,
    so every staff scope gives it nothing; residents.heads scopes what it sees to its building
    (a building head) or its unit (a unit head, `unit` set)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="head_accounts",
        verbose_name=_("user"),
    )
    resident = models.ForeignKey(
        Resident, on_delete=models.PROTECT, related_name="head_accounts", verbose_name=_("resident")
    )
    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, related_name="head_accounts", verbose_name=_("building")
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="head_accounts",
        verbose_name=_("unit"),
    )
    grid = models.ForeignKey(
        "grids.GridNode", on_delete=models.PROTECT, related_name="+", editable=False, verbose_name=_("grid")
    )
    granted_by = actor_field(_("granted by"))
    created_at = models.DateTimeField(_("granted"), auto_now_add=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ended by"),
    )

    class Meta:
        verbose_name = _("head account")
        verbose_name_plural = _("head accounts")
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(ended_at__isnull=True),
                name="headaccount_one_active_per_user",
            )
        ]
        indexes = [models.Index(fields=["grid", "ended_at"], name="headaccount_grid_active")]

    def __str__(self) -> str:
        return f"{self.resident.name} · {self.unit or self.building}"


class Sighting(models.Model):
    """A head's confirmation that a key person of its building was seen (见到了), shown to the
    grid's worker next to the visits. Immutable once saved."""

    account = models.ForeignKey(
        HeadAccount, on_delete=models.PROTECT, related_name="sightings", verbose_name=_("head account")
    )
    resident = models.ForeignKey(
        Resident, on_delete=models.PROTECT, related_name="sightings", verbose_name=_("key person")
    )
    grid = models.ForeignKey(
        "grids.GridNode", on_delete=models.PROTECT, related_name="+", editable=False, verbose_name=_("grid")
    )
    seen_at = models.DateTimeField(_("seen at"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("sighting")
        verbose_name_plural = _("sightings")
        indexes = [models.Index(fields=["grid", "seen_at"], name="sighting_grid_time")]

    def __str__(self) -> str:
        return f"{self.resident.name} · {self.seen_at:%Y-%m-%d}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("a sighting is immutable once saved")
        super().save(*args, **kwargs)
