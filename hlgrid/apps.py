from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HlgridConfig(AppConfig):
    name = "hlgrid"
    verbose_name = _("Platform")
