"""The Helong demo reproduces the seed's figures: 10 红心物业 firms serving 27 compounds, other
compounds self-managed or without a firm, 23 renovated old compounds whose budgets total a little
over 13,000,000 yuan, consistent with the grids (a compound's buildings stand in its community),
and the dashboard card shows them for the city."""

from decimal import Decimal

import pytest
from django.db.models import F, Sum

from grids.models import GridNode, NodeKind
from property import selectors
from property.models import (
    BoardStatus,
    BudgetLine,
    Compound,
    CompoundBuilding,
    CompoundKind,
    PropertyFirm,
    RenovationProject,
    Service,
    SpendingEntry,
    StarBoard,
)
from property.services import CREDIT_CODE

pytestmark = pytest.mark.django_db


def test_the_demo_has_the_seeds_firms_compounds_and_renovations(helong):
    red_heart = PropertyFirm.objects.filter(party_joined_on__isnull=False)
    assert red_heart.count() == PropertyFirm.objects.count() == 10
    assert all(CREDIT_CODE.match(code) for code in PropertyFirm.objects.values_list("credit_code", flat=True))
    assert Compound.objects.filter(firm__in=red_heart).count() == 27
    assert Compound.objects.filter(service__in=[Service.SELF, Service.NONE]).exists()
    renovated = Compound.objects.filter(renovations__isnull=False).distinct()
    assert renovated.count() == 23
    assert not renovated.exclude(kind=CompoundKind.OLD).exists()
    total = BudgetLine.objects.aggregate(t=Sum("amount"))["t"]
    assert Decimal("13000000") < total < Decimal("13100000")
    assert total == total.quantize(Decimal("0.01"))
    # every compound's buildings stand in its community; a firm serves compounds of its own street
    assert not CompoundBuilding.objects.exclude(building__grid__parent=F("compound__community")).exists()
    assert (
        not Compound.objects.filter(firm__isnull=False).exclude(community__parent=F("firm__street")).exists()
    )
    assert Compound.objects.filter(links__isnull=True).count() == 0
    # nothing spent over budget without a reason
    for project in selectors.with_money(RenovationProject.objects.all()):
        assert project.spent_total <= project.budget_total
    assert not SpendingEntry.objects.exclude(over_budget_reason="").exists()


def test_the_demo_has_star_boards_and_the_dashboard_figures_for_the_city(helong):
    streets = GridNode.objects.filter(kind=NodeKind.STREET).count()
    assert StarBoard.objects.filter(status=BoardStatus.PUBLISHED).count() == streets
    assert StarBoard.objects.filter(status=BoardStatus.DRAFT).count() == streets
    city = GridNode.objects.get(kind=NodeKind.CITY)
    figures = selectors.node_figures(node=city)
    assert (figures["firms"], figures["red_heart"], figures["renovated"]) == (10, 27, 23)
    assert figures["budget"] == BudgetLine.objects.aggregate(t=Sum("amount"))["t"]
    assert figures["budget"] > Decimal("13000000")
