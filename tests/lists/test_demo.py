"""The Helong demo's four lists: resources of all 108 member units and 12 alliances, a need
behind each of the 118 joint projects (the seed's "118 joint projects matched to needs"), needs
from visits, petitions and topics, small wishes in every state, commitments within what each
resource offers, the `member` account, and the dashboard card showing the figures for the city."""

import pytest
from django.db.models import Count, F, Sum

from grids.models import GridNode, Post, PostKind
from lists import selectors
from lists.models import (
    Need,
    NeedMatch,
    NeedOrigin,
    Resource,
    ResourceKind,
    SocialOrganization,
    Wish,
    WishStatus,
)
from party.models import Alliance, InServiceMember, JointProject, MemberUnit

pytestmark = pytest.mark.django_db


def test_every_unit_and_alliance_offers_resources_and_118_projects_answer_needs(helong):
    assert MemberUnit.objects.count() == 108 and Alliance.objects.count() == 12
    assert (
        MemberUnit.objects.exclude(
            pk__in=Resource.objects.filter(unit__isnull=False).values("unit_id")
        ).count()
        == 0
    )
    assert (
        Alliance.objects.filter(pk__in=Resource.objects.filter(unit__isnull=True).values("alliance")).count()
        == 12
    )
    assert JointProject.objects.count() == 118
    assert Need.objects.filter(project__isnull=False).values("project").distinct().count() == 118
    origins = set(Need.objects.values_list("origin_kind", flat=True).distinct())
    assert {NeedOrigin.VISIT, NeedOrigin.PETITION, NeedOrigin.WISH} <= origins
    assert set(Wish.objects.values_list("status", flat=True).distinct()) == set(WishStatus.values)
    assert SocialOrganization.objects.count() == 25  # two per community, one per street, two city-wide


def test_no_resource_is_committed_beyond_what_it_offers(helong):
    over = (
        Resource.objects.annotate(used=Sum("matches__amount"), spent=Sum("matches__hours"))
        .filter(kind=ResourceKind.FUNDS, used__gt=F("amount"))
        .count()
    )
    assert over == 0
    assert NeedMatch.objects.count() > 0
    assert not Need.objects.annotate(n=Count("matches")).filter(n__gt=0, status="OPEN").exists()


def test_the_member_account_is_an_in_service_member_of_the_workers_grid(helong):
    member = InServiceMember.objects.get(user__username="member")
    worker_grid = Post.objects.get(user__username="worker", kind=PostKind.WORKER).node_id
    assert member.grid_id == worker_grid
    assert not Post.objects.filter(user__username="member").exists()
    open_here = selectors.member_board(member=member)["open_wishes"]
    assert len(open_here) >= 1
    assert "member" in helong


def test_the_dashboard_card_shows_the_four_lists_for_the_city(helong, client):
    from django.contrib.auth import get_user_model

    city = GridNode.objects.get(parent=None)
    figures = selectors.node_figures(node=city)
    assert figures["projects"] == 118 and figures["providers"] == 108
    client.force_login(get_user_model().objects.get(username="official"))
    street = Post.objects.get(user__username="official").node
    page = client.get(f"/dashboards/{street.pk}/")
    assert page.status_code == 200
    assert 'data-testid="lists-panel"' in page.content.decode()
