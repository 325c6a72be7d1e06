"""The node dashboard's deliberation panel: open topics and overdue resolutions of the node's
subtree, counted independently; a fixed number of queries at two data sizes."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dashboards.deliberation_figures import figures
from deliberation import services
from deliberation.models import Resolution, Topic
from grids.access import SYSTEM
from tests.deliberation import factories as df

pytestmark = pytest.mark.django_db


@pytest.fixture
def place(city):
    return df.Place(city)


def _overdue(city, people, place):
    past = timezone.now() - datetime.timedelta(days=30)
    vote = df.passed_vote(people, city, place, now=past)
    return services.resolution_create(
        actor=people.gridhead, vote=vote, text="施工", owner=people.worker, working_days=3, now=past
    )


def test_the_panel_counts_open_topics_and_overdue_resolutions_of_the_nodes_subtree(city, people, place):
    _overdue(city, people, place)
    df.topic(people, city, accept=False, title="停车")
    services.topic_raise(actor=SYSTEM, node=city.grid_b1, title="外街道", description="只计入乙街道")
    now = timezone.now()
    for node in (city.grid_a1, city.community_a, city.street_a, city.city, city.street_b):
        got = figures(node=node, now=now)
        grids = [
            g.pk
            for g in city.grids
            if node.lft <= g.lft and g.rght <= node.rght and g.tree_id == node.tree_id
        ]
        topics = Topic.objects.filter(node_id__in=grids)
        assert got.open_topics == topics.filter(status__in=["SUBMITTED", "ACCEPTED"]).count()
        assert got.to_screen == topics.filter(status="SUBMITTED").count()
        overdue = Resolution.objects.filter(node_id__in=grids, status="OPEN", due_at__lte=now).count()
        assert got.overdue == overdue and len(got.most_overdue) == overdue
    assert figures(node=city.grid_a1, now=now).overdue == 1
    assert figures(node=city.street_b, now=now).open_topics == 1


def test_the_panel_reads_a_fixed_number_of_queries_at_two_sizes(city, people, place):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            figures(node=city.city, now=timezone.now())
        return len(ctx.captured_queries)

    _overdue(city, people, place)
    small = count()
    for i in range(5):
        df.topic(people, city, accept=False, title=f"议题{i}")
    _overdue(city, people, place)
    assert count() == small


def test_the_node_dashboard_shows_the_panel(city, people, place, client):
    _overdue(city, people, place)
    client.force_login(people.official)
    page = client.get(f"/dashboards/{city.street_a.pk}/").content.decode()
    assert 'data-testid="deliberation-panel"' in page
    assert 'data-figure="deliberation_overdue">1<' in page
