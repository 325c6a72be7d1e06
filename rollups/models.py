"""Figures per grid (leaf node), per local day and category, kept beside the source rows.

`GridDay` holds the counts the dashboards, trends and history sum over a node's subtree
(a join on the grid tree's lft/rght) instead of scanning every petition under the node.
`PetitionMark` is what each petition last contributed (its grid, category and the days of
its receipt, resolution and closing), so an update after commit applies exactly the
difference between the petition's new state and its mark, whatever changed.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

# Counts keyed by the day of receipt (the history's "by year of receipt" figures).
RECEIVED_MEASURES = (
    "received",
    "rec_resolved",
    "rec_on_time",
    "rec_closed",
    "rec_reworked",
    "rec_rated",
    "rec_satisfied",
)
# Keyed by the day of the (last) resolution.
RESOLVED_MEASURES = ("resolved", "on_time", "handled", "handling_us", "res_rated", "res_satisfied")
# Keyed by the day of closing (status CLOSED only).
CLOSED_MEASURES = ("closed", "rated", "satisfied", "reworked")
# Append-only facts: return events (day of the event), overdue rows (day of the deadline),
# visits (day of the visit).
FACT_MEASURES = ("returned", "overdue", "visits", "key_visits")
MEASURES = RECEIVED_MEASURES + RESOLVED_MEASURES + CLOSED_MEASURES + FACT_MEASURES


class GridDay(models.Model):
    """One grid's counts for one local day (Asia/Shanghai) and category (0: none)."""

    grid = models.ForeignKey("grids.GridNode", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    # Not a foreign key: 0 stands for "no category", so (grid, day, category) is a plain
    # unique key that INSERT ... ON CONFLICT can target on PostgreSQL and SQLite alike.
    category_id = models.IntegerField(default=0)
    received = models.IntegerField(default=0)
    rec_resolved = models.IntegerField(default=0)
    rec_on_time = models.IntegerField(default=0)
    rec_closed = models.IntegerField(default=0)
    rec_reworked = models.IntegerField(default=0)
    rec_rated = models.IntegerField(default=0)
    rec_satisfied = models.IntegerField(default=0)
    resolved = models.IntegerField(default=0)
    on_time = models.IntegerField(default=0)
    handled = models.IntegerField(default=0)
    handling_us = models.BigIntegerField(default=0)
    res_rated = models.IntegerField(default=0)
    res_satisfied = models.IntegerField(default=0)
    closed = models.IntegerField(default=0)
    rated = models.IntegerField(default=0)
    satisfied = models.IntegerField(default=0)
    reworked = models.IntegerField(default=0)
    returned = models.IntegerField(default=0)
    overdue = models.IntegerField(default=0)
    visits = models.IntegerField(default=0)
    key_visits = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("daily figures of a grid")
        verbose_name_plural = _("daily figures of grids")
        constraints = [
            models.UniqueConstraint(fields=["grid", "day", "category_id"], name="rollup_grid_day_category")
        ]
        indexes = [models.Index(fields=["day", "grid"], name="rollup_day_grid")]

    def __str__(self) -> str:
        return f"{self.grid_id} {self.day} {self.category_id}"


class PetitionMark(models.Model):
    """What one petition counts for in GridDay now (see rollups.marks.mark_of)."""

    petition_id = models.BigIntegerField(primary_key=True)
    grid_id = models.BigIntegerField()
    category_id = models.IntegerField(default=0)
    received_on = models.DateField(null=True)
    resolved_on = models.DateField(null=True)
    closed_on = models.DateField(null=True)
    is_closed = models.BooleanField(default=False)
    resolved_known = models.BooleanField(default=False)
    on_time = models.BooleanField(default=False)
    handling_us = models.BigIntegerField(null=True)
    rated = models.BooleanField(default=False)
    satisfied = models.BooleanField(default=False)
    reworked = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("petition's contribution")
        verbose_name_plural = _("petitions' contributions")

    def __str__(self) -> str:
        return str(self.petition_id)


class Watermark(models.Model):
    """How far an append-only source has been counted (the overdue rows, by id)."""

    name = models.CharField(max_length=32, primary_key=True)
    last_id = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("rollup watermark")
        verbose_name_plural = _("rollup watermarks")

    def __str__(self) -> str:
        return f"{self.name}: {self.last_id}"
