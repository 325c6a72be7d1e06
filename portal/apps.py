from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The composing app: root urls, landing and home, navigation, token/me, the demo loader."""

    name = "portal"
    verbose_name = _("Portal")
