from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

# The nav item in templates/base.html (the "nav:deliberation" marker) takes its words from here.
NAV = [gettext_noop("Deliberation")]
# The node dashboard's deliberation panel (dashboards/_deliberation.html) takes its words from here.
PANEL = [
    gettext_noop("Open topics"),
    gettext_noop("To screen"),
    gettext_noop("Planned meetings"),
    gettext_noop("Open votes"),
    gettext_noop("Resolutions in progress"),
    gettext_noop("Overdue resolutions"),
]


class DeliberationConfig(AppConfig):
    name = "deliberation"
    verbose_name = _("Deliberation")

    def ready(self) -> None:
        from deliberation.sweep import sweep
        from hlgrid.sweeps import register_sweeper

        register_sweeper("deliberation", sweep)

        from deliberation.services.calendar import resolutions_reschedule, resolutions_rescheduled_preview
        from hlgrid.deadlines import register_deadline_source

        register_deadline_source(
            "deliberation",
            title=_("Resolutions in progress"),
            preview=resolutions_rescheduled_preview,
            apply=resolutions_reschedule,
        )
