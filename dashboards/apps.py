from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "dashboards"
    verbose_name = _("Dashboards")

    def ready(self):
        from dashboards.cache import invalidate_grid, sweep_invalidate
        from hlgrid.changes import register_listener
        from hlgrid.sweeps import register_sweeper

        register_sweeper("dashboards", sweep_invalidate)
        register_listener(invalidate_grid, with_path=True)
