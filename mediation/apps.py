from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

# The nav item in templates/base.html (the "nav:mediation" marker) takes its word from here.
NAV = [gettext_noop("Disputes")]
# The dashboards' lights board names a dispute item with this word (dashboards/_board.html).
BOARD = [gettext_noop("Dispute")]
# The words of mediation's hookups elsewhere: the petition page's link (petitions/detail.html)
# and the portal's petition-to-case flow (portal.mediation_links).
ELSEWHERE = [
    gettext_noop("Mediate as a dispute"),
    gettext_noop("This petition cannot be turned into a dispute case."),
]


class MediationConfig(AppConfig):
    name = "mediation"
    verbose_name = _("Dispute mediation")

    def ready(self) -> None:
        from hlgrid.sweeps import register_sweeper
        from mediation.sweep import sweep

        register_sweeper("mediation", sweep)

        from hlgrid.deadlines import register_deadline_source
        from mediation.services.calendar import cases_reschedule, cases_rescheduled_preview

        register_deadline_source(
            "mediation",
            title=_("Disputes being mediated"),
            preview=cases_rescheduled_preview,
            apply=cases_reschedule,
        )
