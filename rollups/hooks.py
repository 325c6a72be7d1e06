"""How the rollups hear of changes, without petitions or residents importing them.

- petitions' event listeners (`petitions.services.listeners`): every petition change writes an
  event; after the commit its mark is refreshed, and a return (退单) adds its count;
- a visit (immutable once written) adds its count after the commit (Django's post_save);
- the sweep's registry (`hlgrid.sweeps`): the overdue rows the petitions' sweep wrote.

Every update runs after commit (never for a rolled-back change) and is `robust`: a failure is
logged and leaves a drift that the nightly rebuild corrects, never a failed request.
"""

from functools import partial

from django.db import transaction

from residents.models import VisitKind
from rollups import services
from rollups.marks import local_day


def on_petition_event(petition, event) -> None:
    transaction.on_commit(partial(services.petition_refresh, petition_id=petition.pk), robust=True)
    if event.action == "return":
        transaction.on_commit(
            partial(
                services.fact_add,
                grid_id=petition.grid_id,
                day=local_day(event.at),
                category_id=petition.category_id,
                returned=1,
            ),
            robust=True,
        )


def on_visit_saved(sender, instance, created, raw=False, **kwargs) -> None:
    if not created or raw:
        return
    transaction.on_commit(
        partial(
            services.fact_add,
            grid_id=instance.grid_id,
            day=local_day(instance.visited_at),
            visits=1,
            key_visits=int(instance.kind == VisitKind.KEY_PERSON),
        ),
        robust=True,
    )


def overdue_sweeper(*, now) -> dict:
    return services.overdue_catch_up(now=now)
