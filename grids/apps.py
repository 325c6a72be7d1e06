from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GridsConfig(AppConfig):
    name = "grids"
    verbose_name = _("Grids")

    def ready(self):
        from grids import calendar
        from hlgrid import workdays

        # The cities' working calendars are stored here; the ground floor's clocks read them.
        workdays.register_store(calendar.stored_years)
