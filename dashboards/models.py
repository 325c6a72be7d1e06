from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TargetedAction(models.Model):
    """The action taken on a recurring problem of the targeted service list (靶向服务).

    A problem is a map cell (`place`, "lat,lng" rounded as dashboards.hotspots does) and a
    category in a grid; `kind` names the action of dashboards.targeted's registry and
    `object_id` the row it created (a deliberation topic, a joint project, ...).
    """

    grid = models.ForeignKey(
        "grids.GridNode", on_delete=models.PROTECT, related_name="+", verbose_name=_("grid")
    )
    place = models.CharField(_("place"), max_length=32)
    category = models.ForeignKey(
        "petitions.Category",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        verbose_name=_("category"),
    )
    kind = models.CharField(_("action"), max_length=32)
    object_id = models.BigIntegerField(_("created object"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, verbose_name=_("by")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("targeted action")
        verbose_name_plural = _("targeted actions")
        constraints = [
            models.UniqueConstraint(fields=["grid", "place", "category", "kind"], name="targeted_action_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.place}"
