"""A new petition's first mark (rollups.services.petition_created, after the intake commits):
the same counts as a rebuild from the source, once, and nothing when a later change's refresh
has counted the petition already."""

import pytest

from grids.access import SYSTEM
from rollups import services
from rollups.marks import MARK_SOURCE, mark_of
from rollups.models import GridDay, PetitionMark
from tests.petitions.factories import report

pytestmark = pytest.mark.django_db


def received(grid) -> int:
    return sum(GridDay.objects.filter(grid=grid).values_list("received", flat=True))


def test_a_report_counts_once_as_a_rebuild_would(city, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        petition = report()
    assert PetitionMark.objects.filter(petition_id=petition.pk).exists()
    assert received(city.grid_a1) == 1
    assert services.rollup_rebuild(actor=SYSTEM) == {"marks": 0, "rows": 0}
    # a repeat of the after-commit call adds nothing
    mark = mark_of({name: getattr(petition, name) for name in MARK_SOURCE})
    assert services.petition_created(mark=mark) == 0
    assert received(city.grid_a1) == 1


def test_a_refresh_that_ran_first_leaves_nothing_to_add(city, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        petition = report()
    services.petition_refresh(petition_id=petition.pk)  # a later change's refresh, first
    for callback in callbacks:
        callback()
    assert received(city.grid_a1) == 1
    assert services.rollup_rebuild(actor=SYSTEM) == {"marks": 0, "rows": 0}
