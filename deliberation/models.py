"""议事协商: topics residents and staff raise for a node, the meetings that deliberate them, the
votes that decide them and the resolutions that carry them out.

Every row hangs on a `GridNode` (`node`, its first foreign key to the tree) so one policy,
grids.access, scopes it. Statuses change only through the django-fsm transitions below, called
by deliberation.services on locked rows.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import FSMField, FSMModelMixin, transition

from hlgrid.fields import actor_field
from hlgrid.lights import Light

# --- topics -----------------------------------------------------------------------------------


class TopicSource(models.TextChoices):
    RESIDENT = "RESIDENT", _("A resident (front door)")
    HEAD = "HEAD", _("A head")
    WORKER = "WORKER", _("A grid worker")
    VISIT = "VISIT", _("A household visit")
    PETITION = "PETITION", _("A petition")


class TopicStatus(models.TextChoices):
    SUBMITTED = "SUBMITTED", _("Waiting for screening")
    ACCEPTED = "ACCEPTED", _("Accepted for deliberation")
    MERGED = "MERGED", _("Merged into another topic")
    ANSWERED = "ANSWERED", _("Answered directly")
    PASSED = "PASSED", _("Decided: passed")
    REJECTED = "REJECTED", _("Decided: not passed")


OPEN_TOPIC_STATUSES = (TopicStatus.SUBMITTED, TopicStatus.ACCEPTED)
CLOSED_TOPIC_STATUSES = (TopicStatus.MERGED, TopicStatus.ANSWERED, TopicStatus.PASSED, TopicStatus.REJECTED)


class Topic(FSMModelMixin, models.Model):
    """A topic for deliberation (议题) at a node: a grid or a community, optionally narrowed to a
    building or a unit of a grid (加装电梯 concerns one unit's households)."""

    node = models.ForeignKey(
        "grids.GridNode", on_delete=models.PROTECT, related_name="deliberation_topics", verbose_name=_("node")
    )
    building = models.ForeignKey(
        "residents.Building",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("building"),
    )
    unit = models.ForeignKey(
        "residents.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("unit"),
    )
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"), max_length=4000)
    source = models.CharField(_("source"), max_length=10, choices=TopicSource.choices)
    household = models.ForeignKey(
        "residents.Household",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposing household"),
    )
    visit = models.ForeignKey(
        "residents.Visit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("visit"),
    )
    # A link by name only: deliberation never imports petitions (portal.deliberation_links reads it).
    petition = models.ForeignKey(
        "petitions.Petition",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("petition"),
    )
    proposer = actor_field(_("raised by"))
    tracking_code = models.CharField(_("tracking code"), max_length=12, unique=True)
    status = FSMField(
        _("status"), max_length=10, choices=TopicStatus.choices, default=TopicStatus.SUBMITTED, protected=True
    )
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged",
        verbose_name=_("merged into"),
    )
    answer = models.TextField(_("answer or reason"), blank=True)
    screened_by = actor_field(_("screened by"))
    screened_at = models.DateTimeField(_("screened at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("raised at"), db_index=True)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["node", "status"], name="topic_node_status"),
            models.Index(fields=["status", "created_at"], name="topic_status_time"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="MERGED", merged_into__isnull=False) | ~Q(status="MERGED"),
                name="topic_merged_names_target",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_TOPIC_STATUSES

    @transition(field=status, source=TopicStatus.SUBMITTED, target=TopicStatus.ACCEPTED)
    def accept(self):
        pass

    @transition(field=status, source=[TopicStatus.SUBMITTED, TopicStatus.ACCEPTED], target=TopicStatus.MERGED)
    def merge(self):
        pass

    @transition(field=status, source=TopicStatus.SUBMITTED, target=TopicStatus.ANSWERED)
    def answer_directly(self):
        pass

    @transition(field=status, source=TopicStatus.ACCEPTED, target=TopicStatus.PASSED)
    def pass_(self):
        pass

    @transition(field=status, source=TopicStatus.ACCEPTED, target=TopicStatus.REJECTED)
    def reject(self):
        pass


# --- meetings ---------------------------------------------------------------------------------


class ParticipantRole(models.TextChoices):
    RESIDENT_REP = "RESIDENT_REP", _("Resident representative")
    BUILDING_HEAD = "BUILDING_HEAD", _("Building head")
    UNIT_HEAD = "UNIT_HEAD", _("Unit head")
    PARTY_MEMBER = "PARTY_MEMBER", _("Party member")
    PROPERTY = "PROPERTY", _("Property management firm")
    DEPARTMENT = "DEPARTMENT", _("Department")
    STAFF = "STAFF", _("Grid staff")


class MeetingStatus(models.TextChoices):
    PLANNED = "PLANNED", pgettext_lazy("meeting", "Planned")
    HELD = "HELD", _("Held")
    CANCELLED = "CANCELLED", _("Cancelled")


class Meeting(FSMModelMixin, models.Model):
    """A deliberation meeting (议事会) of a node, with its agenda of topics."""

    node = models.ForeignKey(
        "grids.GridNode",
        on_delete=models.PROTECT,
        related_name="deliberation_meetings",
        verbose_name=_("node"),
    )
    title = models.CharField(_("title"), max_length=100)
    starts_at = models.DateTimeField(_("date and time"))
    place = models.CharField(_("place"), max_length=100)
    invited_roles = models.JSONField(_("invited roles"), default=list)
    topics = models.ManyToManyField(
        Topic, through="AgendaItem", related_name="meetings", verbose_name=_("agenda")
    )
    minutes = models.TextField(_("minutes"), blank=True)
    status = FSMField(
        _("status"),
        max_length=10,
        choices=MeetingStatus.choices,
        default=MeetingStatus.PLANNED,
        protected=True,
    )
    held_at = models.DateTimeField(_("held at"), null=True, blank=True)
    created_by = actor_field(_("called by"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["node", "starts_at"], name="meeting_node_time")]

    def __str__(self) -> str:
        return self.title

    @transition(field=status, source=MeetingStatus.PLANNED, target=MeetingStatus.HELD)
    def hold(self):
        pass

    @transition(field=status, source=MeetingStatus.PLANNED, target=MeetingStatus.CANCELLED)
    def cancel(self):
        pass


class AgendaItem(models.Model):
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="agenda", verbose_name=_("meeting")
    )
    topic = models.ForeignKey(
        Topic, on_delete=models.PROTECT, related_name="agenda_items", verbose_name=_("topic")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=1)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["meeting_id", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "topic"], name="agenda_topic_once")]

    def __str__(self) -> str:
        return f"{self.meeting} · {self.topic}"


class Participant(models.Model):
    """Someone invited to a meeting, in a role; a representative may vote for its household."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="participants", verbose_name=_("meeting")
    )
    role = models.CharField(_("role"), max_length=16, choices=ParticipantRole.choices)
    name = models.CharField(_("name"), max_length=64)
    household = models.ForeignKey(
        "residents.Household",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("household"),
    )
    attended = models.BooleanField(_("attended"), null=True, blank=True)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["meeting_id", "role", "id"]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.name}"


# --- votes ------------------------------------------------------------------------------------


class VoteRule(models.TextChoices):
    HOUSEHOLD = "HOUSEHOLD", _("One vote per household of the node")
    REPRESENTATIVE = "REPRESENTATIVE", _("One vote per resident representative")


class Share(models.TextChoices):
    """Shares of the quorum and the threshold as the property rules say them (民法典 第278条):
    过半数 is more than half, 三分之二以上 and 四分之三以上 include the share itself."""

    HALF = "1/2", _("more than half")
    TWO_THIRDS = "2/3", _("two thirds or more")
    THREE_QUARTERS = "3/4", _("three quarters or more")


class VoteStatus(models.TextChoices):
    OPEN = "OPEN", pgettext_lazy("vote", "Open")
    CLOSED = "CLOSED", pgettext_lazy("vote", "Closed")


class VoteResult(models.TextChoices):
    PASSED = "PASSED", _("Passed")
    REJECTED = "REJECTED", _("Not passed")
    NO_QUORUM = "NO_QUORUM", _("No quorum")


class Vote(FSMModelMixin, models.Model):
    """A vote on one topic: cast at the meeting or online within [opens_at, closes_at). The
    electorate is counted when the vote opens; the result is computed when it closes."""

    node = models.ForeignKey(
        "grids.GridNode", on_delete=models.PROTECT, related_name="deliberation_votes", verbose_name=_("node")
    )
    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, related_name="votes", verbose_name=_("meeting")
    )
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="votes", verbose_name=_("topic"))
    question = models.CharField(_("question"), max_length=200)
    rule = models.CharField(_("who votes"), max_length=16, choices=VoteRule.choices)
    quorum = models.CharField(
        _("quorum (share of the electorate taking part)"), max_length=3, choices=Share.choices
    )
    threshold = models.CharField(
        _("threshold (share of the votes cast saying yes)"), max_length=3, choices=Share.choices
    )
    electorate = models.PositiveIntegerField(_("electorate"))
    # When the electorate was counted: a household registered after it does not vote.
    counted_at = models.DateTimeField(_("electorate counted at"))
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    status = FSMField(
        _("status"), max_length=8, choices=VoteStatus.choices, default=VoteStatus.OPEN, protected=True
    )
    yes = models.PositiveIntegerField(_("yes"), default=0)
    no = models.PositiveIntegerField(_("no"), default=0)
    abstain = models.PositiveIntegerField(_("abstain"), default=0)
    result = models.CharField(_("result"), max_length=10, choices=VoteResult.choices, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_by = actor_field(_("opened by"))

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        ordering = ["-opens_at", "-id"]
        indexes = [
            models.Index(fields=["node", "status"], name="vote_node_status"),
            models.Index(fields=["status", "closes_at"], name="vote_status_close"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="vote_closes_after_open"
            ),
            models.UniqueConstraint(
                fields=["topic"], condition=Q(status="OPEN"), name="vote_one_open_per_topic"
            ),
        ]

    def __str__(self) -> str:
        return self.question

    @property
    def cast(self) -> int:
        return self.yes + self.no + self.abstain

    @transition(field=status, source=VoteStatus.OPEN, target=VoteStatus.CLOSED)
    def close(self):
        pass


class Choice(models.TextChoices):
    YES = "YES", pgettext_lazy("vote", "Yes")
    NO = "NO", pgettext_lazy("vote", "No")
    ABSTAIN = "ABSTAIN", pgettext_lazy("vote", "Abstain")


class Channel(models.TextChoices):
    MEETING = "MEETING", _("At the meeting")
    ONLINE = "ONLINE", _("Online")


class Ballot(models.Model):
    """One household's (or one representative's) vote. The unique constraints are what refuses
    a second vote, also when two are cast at the same moment."""

    vote = models.ForeignKey(Vote, on_delete=models.PROTECT, related_name="ballots", verbose_name=_("vote"))
    household = models.ForeignKey(
        "residents.Household",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("household"),
    )
    participant = models.ForeignKey(
        Participant,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ballots",
        verbose_name=_("representative"),
    )
    choice = models.CharField(_("choice"), max_length=8, choices=Choice.choices)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    cast_at = models.DateTimeField(_("cast at"))
    recorded_by = actor_field(_("recorded by"))

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        ordering = ["vote_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["vote", "household"],
                condition=Q(household__isnull=False),
                name="ballot_one_per_household",
            ),
            models.UniqueConstraint(
                fields=["vote", "participant"],
                condition=Q(participant__isnull=False),
                name="ballot_one_per_representative",
            ),
            models.CheckConstraint(
                condition=Q(household__isnull=False) | Q(participant__isnull=False),
                name="ballot_names_a_voter",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.vote_id}: {self.get_choice_display()}"


# --- resolutions ------------------------------------------------------------------------------


class ResolutionStatus(models.TextChoices):
    OPEN = "OPEN", pgettext_lazy("resolution", "In progress")
    DONE = "DONE", _("Done")


class Resolution(FSMModelMixin, models.Model):
    """A resolution (决议) of a passed vote: an owner carries it out by a deadline, tracked with
    the same yellow/red lights as petitions (hlgrid.lights) and swept by deliberation.sweep."""

    node = models.ForeignKey(
        "grids.GridNode",
        on_delete=models.PROTECT,
        related_name="deliberation_resolutions",
        verbose_name=_("node"),
    )
    topic = models.ForeignKey(
        Topic, on_delete=models.PROTECT, related_name="resolutions", verbose_name=_("topic")
    )
    vote = models.ForeignKey(
        Vote, on_delete=models.PROTECT, related_name="resolutions", verbose_name=_("vote")
    )
    text = models.TextField(_("resolution"), max_length=4000)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="deliberation_resolutions",
        verbose_name=_("owner"),
    )
    due_at = models.DateTimeField(_("due"))
    warn_at = models.DateTimeField(_("due soon from"))
    light = models.CharField(_("light"), max_length=8, choices=Light.choices, default=Light.GREEN)
    light_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    status = FSMField(
        _("status"),
        max_length=8,
        choices=ResolutionStatus.choices,
        default=ResolutionStatus.OPEN,
        protected=True,
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_note = models.TextField(_("what was done"), blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_by = actor_field(_("recorded by"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("resolution")
        verbose_name_plural = _("resolutions")
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["node", "status", "due_at"], name="resolution_node_due"),
            # the sweep's rows: only open resolutions still have a running clock
            models.Index(fields=["due_at"], condition=Q(status="OPEN"), name="resolution_open_due"),
            models.Index(fields=["owner", "status"], name="resolution_owner_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_at__gte=models.F("warn_at")), name="resolution_warn_before_due"
            ),
        ]

    def __str__(self) -> str:
        return self.text[:60]

    @transition(field=status, source=ResolutionStatus.OPEN, target=ResolutionStatus.DONE)
    def finish(self):
        pass


class NoticeKind(models.TextChoices):
    YELLOW = "YELLOW", _("A resolution is due soon")
    RED = "RED", _("A resolution is overdue")


class Notice(models.Model):
    """The app's own small inbox (the petitions' inbox belongs to petitions, which this floor may
    not import): written by the sweep when a resolution's light turns, once per deadline."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="deliberation_notices"
    )
    resolution = models.ForeignKey(Resolution, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=8, choices=NoticeKind.choices)
    due_at = models.DateTimeField()
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "resolution", "kind", "due_at"], name="deliberation_notice_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.resolution_id}"
