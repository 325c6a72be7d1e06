from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RollupsConfig(AppConfig):
    name = "rollups"
    verbose_name = _("Rollups")

    def ready(self):
        from django.db.models.signals import post_save

        from hlgrid.sweeps import register_sweeper
        from petitions.services.listeners import register_event_listener
        from residents.models import Visit
        from rollups import hooks

        register_event_listener("rollups", hooks.on_petition_event)
        post_save.connect(hooks.on_visit_saved, sender=Visit, dispatch_uid="rollups.visit")
        register_sweeper("rollups", hooks.overdue_sweeper)
