from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HlgridConfig(AppConfig):
    name = "hlgrid"
    verbose_name = _("Platform")

    def ready(self):
        from hlgrid import fsm
        from hlgrid.idempotency import idempotency_sweep
        from hlgrid.notifier import channels  # noqa: F401 — registers the SMS and WeChat Work channels
        from hlgrid.notifier.services import deliveries_sweep
        from hlgrid.sweeps import register_sweeper

        fsm.install()  # before any migration renders a historical model
        register_sweeper("notifier", deliveries_sweep)
        register_sweeper("idempotency", idempotency_sweep)
