from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

# The nav items in templates/base.html (the "# nav:party" marker) take their words from here.
NAV = [gettext_noop("Party building"), gettext_noop("Time bank")]


class PartyConfig(AppConfig):
    name = "party"
    verbose_name = _("Party building")

    def ready(self) -> None:
        from hlgrid.sweeps import register_sweeper
        from party.services.time_bank import activity_close_finished

        register_sweeper("party_activities", activity_close_finished)
