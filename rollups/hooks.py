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

from petitions.models import Status
from residents.models import VisitKind
from rollups import services
from rollups.marks import MARK_SOURCE, local_day, mark_of


def on_petition_event(petition, event) -> None:
    if event.action == "intake" and not event.from_status and petition.status != Status.DRAFT:
        # A petition created by this transaction (intake from nothing, not a draft submitted):
        # its mark is known from the row as written, and no mark can be stored for it yet
        # unless a later change's refresh ran first; one statement instead of reading it back.
        mark = mark_of({name: getattr(petition, name) for name in MARK_SOURCE})
        transaction.on_commit(partial(services.petition_created, mark=mark), robust=True)
        return
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
