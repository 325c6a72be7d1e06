"""Model fields every app declares the same way."""

from django.conf import settings
from django.db import models


def actor_field(verbose_name, *, related_name: str = "+") -> models.ForeignKey:
    """Who did it: the user of the service call that wrote the row, NULL when the system did
    (the demo, scripts, the sweep). Not editable: the service writes it once, from its `actor`."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name=related_name,
        verbose_name=verbose_name,
    )
