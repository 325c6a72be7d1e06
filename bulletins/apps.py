from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BulletinsConfig(AppConfig):
    name = "bulletins"
    verbose_name = _("Bulletins")

    def ready(self):
        from bulletins import builtin  # noqa: F401  (registers the built-in sections)
