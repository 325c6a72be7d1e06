from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GridsConfig(AppConfig):
    name = "grids"
    verbose_name = _("Grids")

    def ready(self):
        from grids import calendar, versions
        from hlgrid import workdays
        from hlgrid.changes import register_listener

        # Whoever keeps derived data keys it by the nodes' versions: a change in a grid bumps
        # the grid's and its ancestors' after the commit.
        register_listener(versions.grid_changed, with_path=True)

        # The cities' working calendars are stored here; the ground floor's clocks read them.
        workdays.register_store(calendar.stored_years)
