"""Deliberation test data, built through the services (the same path as the pages, the API
and the demo). Set-up acts as the personas; what a test checks about permissions it checks
with their accounts."""

import datetime

import time_machine
from django.utils import timezone

from deliberation import services
from deliberation.models import ParticipantRole, Share, VoteRule
from tests.residents import factories as rf

PHONE = "13900001111"
# A point inside grid A-1 of the small city (tests.factories.SmallCity)
POINT_A1 = (42.505, 129.01)


class Place:
    """Unit 1-1 of building 1 in grid A-1 with four households (one resident each), a second
    unit with two households, and a household in grid B-1 (another street)."""

    # Registered long ago: votes counted at the tests' (past or present) moments include them.
    REGISTERED = datetime.datetime(2026, 1, 5, 9, 0, tzinfo=datetime.UTC)

    def __init__(self, city):
        with time_machine.travel(self.REGISTERED, tick=False):
            self._build(city)

    def _build(self, city):
        self.homes = [rf.household(city.grid_a1, building="1", unit="1", door=f"{i}01") for i in range(1, 5)]
        self.neighbours = [
            rf.household(city.grid_a1, building="1", unit="2", door=f"{i}01") for i in range(1, 3)
        ]
        for n, home in enumerate(self.homes + self.neighbours):
            rf.resident(home, name=f"居民{n}", phone=PHONE if n == 0 else f"1390000{2000 + n}")
        self.unit = self.homes[0].unit
        self.building = self.unit.building
        self.foreign = rf.household(city.grid_b1, building="9", unit="1", door="101")


def topic(people, city, *, title="加装电梯", unit=None, accept=True, actor=None):
    raised = services.topic_raise(
        actor=actor or people.worker,
        node=city.grid_a1,
        title=title,
        description="老人上下楼困难，提议加装电梯。",
        unit=unit,
    )
    if accept:
        raised = services.topic_screen(actor=people.gridhead, topic=raised, decision="accept")
    return raised


def meeting(people, city, topics, *, starts_at=None):
    return services.meeting_create(
        actor=people.gridhead,
        node=city.grid_a1,
        title="居民议事会",
        starts_at=starts_at or timezone.now() + datetime.timedelta(hours=1),
        place="议事厅",
        invited_roles=[ParticipantRole.RESIDENT_REP, ParticipantRole.PROPERTY],
        topics=topics,
    )


def household_vote(
    people, meeting_, topic_, *, quorum=Share.TWO_THIRDS, threshold=Share.THREE_QUARTERS, hours=2, now=None
):
    now = now or timezone.now()
    return services.vote_open(
        actor=people.gridhead,
        meeting=meeting_,
        topic=topic_,
        question="是否同意加装电梯",
        rule=VoteRule.HOUSEHOLD,
        quorum=quorum,
        threshold=threshold,
        opens_at=now,
        closes_at=now + datetime.timedelta(hours=hours),
        now=now,
    )


def representatives(people, meeting_, households):
    return [
        services.participant_add(
            actor=people.worker,
            meeting=meeting_,
            role=ParticipantRole.RESIDENT_REP,
            name=f"代表{i}",
            household=h,
        )
        for i, h in enumerate(households)
    ]


def passed_vote(people, city, place, *, now=None):
    """A unit's elevator vote, every household yes, closed: passed."""
    t = topic(people, city, unit=place.unit)
    m = meeting(people, city, [t])
    v = household_vote(people, m, t, now=now)
    for home in place.homes:
        services.ballot_cast(actor=people.worker, vote=v, choice="YES", household=home, now=now)
    return services.vote_close(actor=people.gridhead, vote=v, now=now)
