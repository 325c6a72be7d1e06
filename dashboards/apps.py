from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "dashboards"
    verbose_name = _("Dashboards")

    def ready(self):
        from dashboards.cache import sweep_invalidate
        from hlgrid.sweeps import register_sweeper

        # The figures' keys embed the grid tree's versions (grids.versions), which the grids
        # app bumps after every change; the sweep bumps those whose lights changed.
        register_sweeper("dashboards", sweep_invalidate)
