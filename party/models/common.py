"""What the Party models share: the "who did it" column of the rows a service creates."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def created_by_field(verbose_name=None) -> models.ForeignKey:
    """The user whose service call created the row; NULL when the system did (demo, scripts).

    Not editable: it is written once, by the service, from its `actor`.
    """
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=verbose_name or _("created by"),
    )
