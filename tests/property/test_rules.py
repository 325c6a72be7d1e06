"""The rules of compounds, firms and renovations, through the services: scope (an outsider is
answered 404, staff without the right post 403), money to the fen, the over-budget reason."""

from decimal import Decimal

import pytest
from django.db.models import Sum

from grids.access import SYSTEM
from grids.models import PostKind
from grids.services import post_assign
from hlgrid.errors import Forbidden, InvalidInput, NotFound
from property import selectors, services
from property.models import BudgetLine, Compound, CompoundKind, Service, SpendingEntry
from tests.factories import UserFactory
from tests.property import factories

pytestmark = pytest.mark.django_db


def official_of(node, username):
    user = UserFactory(username=username)
    post_assign(actor=SYSTEM, user=user, kind=PostKind.OFFICIAL, node=node)
    return user


def test_a_community_official_does_not_see_another_communitys_compounds(city, place):
    official_a = official_of(city.community_a, "c_official_a")
    assert list(selectors.compound_list(user=official_a)) == [place.compound_a]
    with pytest.raises(Exception) as caught:
        selectors.compound_get(user=official_a, pk=place.compound_b.pk)
    assert caught.type.__name__ == "Http404"
    with pytest.raises(NotFound):
        services.compound_update(
            actor=official_a,
            compound=place.compound_b,
            name="改名",
            kind=CompoundKind.OLD,
            service=Service.NONE,
        )
    with pytest.raises(NotFound):
        services.renovation_create(
            actor=official_a, compound=place.compound_b, name="x", year=2024, scope=["ROOF"]
        )
    with pytest.raises(NotFound):
        services.budget_line_set(actor=official_a, project=place.project_b, source="CITY", amount="1.00")
    assert list(selectors.renovation_list(user=official_a)) == [place.project_a]
    assert list(selectors.firm_list(user=official_a)) == [place.firm_a]


def test_a_grid_worker_reads_the_compounds_of_their_grid_but_may_not_edit_them(city, people, place):
    assert list(selectors.compound_list(user=people.worker)) == [place.compound_a]
    assert list(selectors.firm_list(user=people.worker)) == [place.firm_a]
    with pytest.raises(Forbidden):
        services.budget_line_set(actor=people.worker, project=place.project_a, source="CITY", amount="1.00")
    # but any staff who sees the compound records a resident's score of its firm (on a visit)
    sample = services.sample_record(actor=people.worker, compound=place.compound_a, score=4)
    assert sample.firm == place.firm_a and sample.recorded_by == people.worker
    with pytest.raises(NotFound):
        services.sample_record(actor=people.worker, compound=place.compound_b, score=4)


def test_no_actor_is_refused(place):
    with pytest.raises(Forbidden):
        services.sample_record(actor=None, compound=place.compound_a, score=3)


def test_a_compound_links_only_buildings_of_its_community_and_a_building_to_one_compound(city, people, place):
    other = factories.building(city.grid_b1)
    with pytest.raises(InvalidInput) as caught:
        services.compound_buildings_set(actor=people.official, compound=place.compound_a, buildings=[other])
    assert "buildings" in caught.value.errors
    with pytest.raises(InvalidInput):
        factories.compound(city.community_a, buildings=[place.a1_building])
    assert Compound.objects.count() == 2
    assert [g.code for g in selectors.compound_grids(compound=place.compound_a)] == ["T-A-1-1", "T-A-1-2"]


def test_a_compound_served_by_a_firm_names_it_and_only_then(city, people):
    with pytest.raises(InvalidInput) as caught:
        services.compound_create(
            actor=people.official, community=city.community_a, name="无名", kind="OLD", service=Service.FIRM
        )
    assert "firm" in caught.value.errors
    firm = factories.firm(city.street_a)
    with pytest.raises(InvalidInput):
        services.compound_create(
            actor=people.official,
            community=city.community_a,
            name="无名",
            kind="OLD",
            service=Service.SELF,
            firm=firm,
        )
    assert not Compound.objects.exists()


def test_a_firms_phone_is_encrypted_and_masked_and_its_credit_code_checked(city, people):
    firm = factories.firm(city.street_a, contact_phone="139-0433-1234")
    assert firm.contact_phone_hint == "139****1234"
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT contact_phone FROM property_propertyfirm WHERE id = %s", [firm.pk])
        assert "13904331234" not in cursor.fetchone()[0]
    with pytest.raises(InvalidInput) as caught:
        factories.firm(city.street_a, credit_code="123")
    assert "credit_code" in caught.value.errors
    with pytest.raises(InvalidInput) as caught:
        factories.firm(city.street_a, party_form="")
    assert "party_form" in caught.value.errors


def test_budget_and_spending_add_up_to_the_fen(city, people, place):
    project = place.project_a  # budget 100.00 central
    for source, amount in [("PROVINCIAL", "0.10"), ("CITY", "0.20"), ("RESIDENTS", "0.01")]:
        services.budget_line_set(actor=people.official, project=project, source=source, amount=amount)
    for amount in ["0.10", "0.20", "0.01", "99.99"]:
        services.spending_record(
            actor=people.official, project=project, spent_on="2024-05-01", amount=amount, what="材料"
        )
    row = selectors.renovation_get(user=people.official, pk=project.pk)
    assert row.budget_total == Decimal("100.31")
    assert row.spent_total == Decimal("100.30")
    totals = selectors.renovation_totals(user=SYSTEM)
    by_street = {r["street"].code: r for r in totals["streets"]}
    assert by_street["T-A"]["budget"] == Decimal("100.31")
    assert by_street["T-A"]["spent"] == Decimal("100.30")
    assert by_street["T-B"]["budget"] == Decimal("50.00")
    assert totals["city"]["budget"] == Decimal("150.31")
    assert totals["city"]["spent"] == Decimal("100.30")
    assert totals["city"]["projects"] == 2
    assert BudgetLine.objects.aggregate(t=Sum("amount"))["t"] == Decimal("150.31")


def test_amounts_are_yuan_with_at_most_two_places_and_positive(people, place):
    for bad in ["0.001", "-1", "abc", "NaN", "0"]:
        with pytest.raises(InvalidInput) as caught:
            services.spending_record(
                actor=people.official, project=place.project_a, spent_on="2024-05-01", amount=bad, what="x"
            )
        assert "amount" in caught.value.errors
    assert not SpendingEntry.objects.exists()


def test_spending_over_the_budget_needs_an_explicit_reason(people, place):
    project = place.project_a  # 100.00
    services.spending_record(
        actor=people.official, project=project, spent_on="2024-05-01", amount="100.00", what="屋面"
    )
    with pytest.raises(InvalidInput) as caught:
        services.spending_record(
            actor=people.official, project=project, spent_on="2024-05-02", amount="0.01", what="追加"
        )
    assert "over_budget_reason" in caught.value.errors
    assert SpendingEntry.objects.filter(project=project).count() == 1
    entry = services.spending_record(
        actor=people.official,
        project=project,
        spent_on="2024-05-02",
        amount="0.01",
        what="追加",
        over_budget_reason="冬季追加防冻措施，街道已批",
    )
    assert entry.over_budget_reason
    # a budget cut below what is spent is refused too
    with pytest.raises(InvalidInput):
        services.budget_line_set(actor=people.official, project=project, source="CENTRAL", amount="50.00")


def test_a_completed_project_has_its_date_and_takes_a_survey(people, place):
    project = place.project_a
    with pytest.raises(InvalidInput) as caught:
        services.renovation_update(
            actor=people.official,
            project=project,
            name="x",
            year=2024,
            scope=["ROOF"],
            status="COMPLETED",
            started_on="2024-04-01",
        )
    assert "completed_on" in caught.value.errors
    services.renovation_update(
        actor=people.official,
        project=project,
        name="x",
        year=2024,
        scope=["ROOF", "LIFTS"],
        status="COMPLETED",
        started_on="2024-04-01",
        completed_on="2024-10-01",
    )
    for satisfied in [True, True, True, False]:
        services.survey_answer_record(actor=people.worker, project=project, satisfied=satisfied)
    assert selectors.survey_figures(project=project)["rate"] == Decimal("75.0")


def test_a_milestone_keeps_before_and_after_photos_without_exif(people, place):
    from tests.petitions.factories import jpeg

    milestone = services.milestone_record(
        actor=people.official,
        project=place.project_a,
        title="屋面防水完成",
        reached_on="2024-06-01",
        before=[jpeg(gps=(42.5, 129.0))],
        after=[jpeg(), jpeg()],
    )
    stages = list(milestone.photos.values_list("stage", flat=True))
    assert sorted(stages) == ["AFTER", "AFTER", "BEFORE"]
    photo = milestone.photos.first()
    assert b"TestCam" not in photo.file.read()
    assert selectors.photo_get(user=people.worker, pk=photo.pk) == photo
    with pytest.raises(Exception) as caught:
        selectors.photo_get(user=people.outsider, pk=photo.pk)
    assert caught.type.__name__ == "Http404"
