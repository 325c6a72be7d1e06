"""What the Party models share: the "who did it" column of the rows a service creates."""

from django.utils.translation import gettext_lazy as _

from hlgrid.fields import actor_field


def created_by_field(verbose_name=None):
    """The user whose service call created the row (hlgrid.fields.actor_field)."""
    return actor_field(verbose_name or _("created by"))
