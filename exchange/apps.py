from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

# The exchange's words shown elsewhere: the settings hub's entry (portal.settings_views) and the
# petitions' source that its orders carry (petitions.models.Source.PARTNER).
ELSEWHERE = [
    gettext_noop("The hotline platforms that send work orders, their keys, and the failed pushes."),
    gettext_noop("12345 hotline platform"),
]


class ExchangeConfig(AppConfig):
    name = "exchange"
    verbose_name = _("12345 hotline exchange")

    def ready(self) -> None:
        from exchange import schema, tasks  # noqa: F401 — the task enqueued by name; the API's auth scheme
        from exchange.selectors import order_panel
        from exchange.services import exchange_sweep, on_petition_event
        from hlgrid.panels import register_panel
        from hlgrid.sweeps import register_sweeper
        from petitions.services.listeners import register_event_listener

        register_event_listener("exchange", on_petition_event)
        register_panel("petition", "exchange", order_panel)
        register_sweeper("exchange", exchange_sweep)
