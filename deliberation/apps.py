from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

# The nav item in templates/base.html (the "nav:deliberation" marker) takes its words from here.
NAV = [gettext_noop("Deliberation")]


class DeliberationConfig(AppConfig):
    name = "deliberation"
    verbose_name = _("Deliberation")

    def ready(self) -> None:
        from deliberation.sweep import sweep
        from hlgrid.sweeps import register_sweeper

        register_sweeper("deliberation", sweep)
