from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PetitionsConfig(AppConfig):
    name = "petitions"
    verbose_name = _("Petitions")

    def ready(self):
        from hlgrid.sweeps import register_sweeper
        from petitions import tasks  # noqa: F401 — registers the tasks that services enqueue by name
        from petitions.sweep import sweep

        register_sweeper("petitions", sweep)

        from hlgrid.deadlines import register_deadline_source
        from petitions.services.calendar import petitions_reschedule, petitions_rescheduled_preview

        register_deadline_source(
            "petitions",
            title=_("Petitions being handled"),
            preview=petitions_rescheduled_preview,
            apply=petitions_reschedule,
        )

        from django.utils.translation import gettext

        from grids.territory import register_point_source
        from petitions.selectors import grid_points
        from petitions.services import petitions_move_grid

        register_point_source(
            "petitions", label=lambda: gettext("petitions"), rows=grid_points, move=petitions_move_grid
        )

        from petitions.services.listeners import register_event_listener
        from petitions.services.outbound import on_petition_event

        # Residents' text messages (tracking code, "resolved: please rate", the result).
        register_event_listener("notifier", on_petition_event)
