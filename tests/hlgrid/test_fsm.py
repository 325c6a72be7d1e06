"""The migrations' historical models keep their FSM fields but connect no transition collector
(hlgrid.fsm): rendered again and again by the executor, they made every `migrate` crawl."""

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.models.signals import class_prepared
from django_fsm import FSMField

pytestmark = pytest.mark.django_db


def _live_receivers() -> int:
    return sum(1 for _key, receiver, *_ in class_prepared.receivers if receiver() is not None)


def test_rendering_the_project_state_connects_no_receiver_for_its_fsm_fields():
    loader = MigrationLoader(connection)
    before = _live_receivers()
    state = loader.project_state()
    petition = state.apps.get_model("petitions", "Petition")
    assert isinstance(petition._meta.get_field("status"), FSMField)
    assert _live_receivers() == before


def test_the_real_models_still_collect_their_transitions():
    from petitions.models import Petition

    names = {t.name for t in Petition._meta.get_field("status").get_all_transitions(Petition)}
    assert {"verify", "classify"} <= names
