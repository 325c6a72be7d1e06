"""The rota of the rotating theme Party lectures (主题党课轮值): each month every grid Party
branch hears a lecture on the month's theme by a lecturer from the pool, none lecturing twice
in one month; the slot records the date, the place and who attended."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from party.models.chain import PartyMember, PartyOrganization
from party.models.common import created_by_field
from party.models.time_bank import Activity


class LectureSlot(models.Model):
    """One branch's lecture of one month. `node` is the branch's anchor node, for scoping;
    `month` is the first day of the month. Write only through party.services.lectures."""

    branch = models.ForeignKey(
        PartyOrganization, on_delete=models.PROTECT, related_name="lecture_slots", verbose_name=_("branch")
    )
    node = models.ForeignKey(
        "grids.GridNode",
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        verbose_name=_("grid node"),
    )
    month = models.DateField(_("month"))
    theme = models.CharField(_("theme"), max_length=100)
    lecturer = models.ForeignKey(
        PartyMember,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="lecture_slots",
        verbose_name=_("lecturer"),
    )
    scheduled_on = models.DateField(_("scheduled on"))
    place = models.CharField(_("place"), max_length=100, blank=True)
    activity = models.OneToOneField(
        Activity,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="lecture_slot",
        verbose_name=_("activity"),
    )
    attendees = models.ManyToManyField(
        PartyMember, blank=True, related_name="lectures_attended", verbose_name=_("members who attended")
    )
    attendance = models.PositiveIntegerField(_("attendance"), null=True, blank=True)
    created_by = created_by_field(_("scheduled by"))

    class Meta:
        verbose_name = _("lecture slot")
        verbose_name_plural = _("lecture slots")
        ordering = ["month", "branch__code"]
        constraints = [
            models.UniqueConstraint(fields=["branch", "month"], name="lecture_one_per_branch_month"),
            models.UniqueConstraint(
                fields=["lecturer", "month"],
                condition=Q(lecturer__isnull=False),
                name="lecture_lecturer_once_a_month",
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="lecture_month_is_first_day"),
        ]
        indexes = [models.Index(fields=["node", "month"], name="lecture_node_month")]

    def __str__(self) -> str:
        return f"{self.branch} · {self.month:%Y-%m} · {self.theme}"
