from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = _("Supervision")

    def ready(self) -> None:
        from hlgrid.panels import register_panel
        from hlgrid.sweeps import register_sweeper
        from supervision.panels import petition_panel, resolution_panel, whistle_panel
        from supervision.sweep import sweep

        register_sweeper("supervision", sweep)
        register_panel("petition", "supervision", petition_panel)
        register_panel("whistle", "supervision", whistle_panel)
        register_panel("resolution", "supervision", resolution_panel)
