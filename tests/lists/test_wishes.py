"""Needs and small wishes: who records and claims them, their transitions, one claim wins,
the resident's confirmation by code, and what each user sees."""

import io
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from grids.access import SYSTEM
from hlgrid.errors import InvalidInput, NotFound, TransitionNotAllowed
from lists import selectors, services
from lists.models import NeedStatus, Wish, WishStatus
from party.services.alliances import inservice_member_add, inservice_member_report
from tests.party import factories as pf
from tests.residents import factories as rf


def photo():
    data = io.BytesIO()
    Image.new("RGB", (32, 32), "red").save(data, "PNG")
    return SimpleUploadedFile("done.png", data.getvalue(), content_type="image/png")


@pytest.fixture
def units(city):
    alliance = pf.alliance(pf.Chain(city))
    return pf.unit(alliance, grids=[city.grid_a1]), pf.unit(alliance, grids=[city.grid_a1]), pf.unit(alliance)


@pytest.fixture
def wish(city, people):
    return services.wish_create(
        actor=people.worker, grid=city.grid_a1, title="轮椅一台", resident_name="王奶奶"
    )


@pytest.mark.django_db
def test_a_wish_goes_from_claim_to_the_residents_confirmation(wish, units, people):
    wish = services.wish_claim(actor=people.worker, wish=wish, unit=units[0])
    assert wish.status == WishStatus.CLAIMED and wish.claimed_by_unit == units[0]
    assert wish.need.__class__.objects.get(pk=wish.need_id).status == NeedStatus.MATCHED
    wish = services.wish_fulfil(actor=people.worker, wish=wish, photo=photo())
    assert wish.status == WishStatus.FULFILLED and wish.photo
    wish = services.wish_confirm_by_code(code=wish.confirmation_code.lower())
    assert wish.status == WishStatus.CONFIRMED and wish.confirmed_by is None
    assert wish.need.__class__.objects.get(pk=wish.need_id).status == NeedStatus.CLOSED


@pytest.mark.django_db
def test_refused_transitions(wish, units, people):
    with pytest.raises(TransitionNotAllowed):
        services.wish_fulfil(actor=people.worker, wish=wish, photo=photo())
    with pytest.raises(TransitionNotAllowed):
        services.wish_confirm_by_code(code=wish.confirmation_code)
    services.wish_claim(actor=people.worker, wish=wish, unit=units[0])
    with pytest.raises(TransitionNotAllowed):
        services.wish_claim(actor=people.worker, wish=wish, unit=units[1])
    with pytest.raises(InvalidInput):
        services.wish_fulfil(actor=people.worker, wish=wish, photo=None)
    services.wish_fulfil(actor=people.worker, wish=wish, photo=photo())
    with pytest.raises(TransitionNotAllowed):
        services.wish_cancel(actor=people.worker, wish=wish)
    services.wish_confirm_on_behalf(actor=people.worker, wish=wish)
    wish.refresh_from_db()
    assert wish.confirmed_by == people.worker
    with pytest.raises(TransitionNotAllowed):
        services.wish_confirm_by_code(code=wish.confirmation_code)


@pytest.mark.django_db
def test_a_unit_not_paired_with_the_grid_cannot_claim_and_an_unknown_code_is_404(wish, units, people):
    with pytest.raises(InvalidInput) as exc:
        services.wish_claim(actor=people.worker, wish=wish, unit=units[2])
    assert "unit" in exc.value.errors
    with pytest.raises(NotFound):
        services.wish_confirm_by_code(code="NOPE")


@pytest.mark.django_db
def test_an_in_service_member_claims_for_itself_in_the_grid_it_reported_to(wish, units, city, people):
    account = people.outsider.__class__.objects.create_user("member_t", password="x")
    home = rf.household(city.grid_a1, building="9")
    member = inservice_member_add(
        actor=SYSTEM, unit=units[0], name="李在职", phone="13900000000", resident=rf.resident(home)
    )
    member.user = account
    member.save()
    with pytest.raises(InvalidInput):
        services.wish_claim(actor=account, wish=wish, member=member)
    inservice_member_report(actor=SYSTEM, member=member, grid=city.grid_a1)
    member.refresh_from_db()
    wish = services.wish_claim(actor=account, wish=wish, member=member)
    assert wish.claimed_by_member == member


@pytest.mark.django_db
def test_scoping_an_outsider_sees_nothing_and_is_refused_with_404(wish, units, city, people):
    services.need_create(actor=people.outsider, grid=city.grid_b1, title="B 的需求")
    assert list(selectors.wish_list(user=people.worker)) == [wish]
    assert {n.title for n in selectors.need_list(user=people.worker)} == {"轮椅一台"}
    assert not selectors.wish_list(user=people.outsider).exists()
    with pytest.raises(NotFound):
        services.wish_claim(actor=people.outsider, wish=wish, unit=units[0])
    with pytest.raises(NotFound):
        services.need_create(actor=people.outsider, grid=city.grid_a1, title="x")


@pytest.mark.django_db
def test_the_counts_for_a_node_are_one_query(wish, city, people, django_assert_num_queries):
    services.need_create(actor=people.worker, grid=city.grid_a1, title="路灯")
    with django_assert_num_queries(1):
        counts = selectors.counts_for_node(node=city.street_a)
    assert counts == {"needs": 2, "open": 2, "matched": 0, "wishes": 1}
    assert selectors.counts_for_node(node=city.street_b)["needs"] == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_units_claim_one_wish_at_once_one_wins(wish, units, people):
    barrier = threading.Barrier(2)
    results = []

    def claim(unit):
        from django.db import connection as conn

        barrier.wait()
        try:
            services.wish_claim(actor=people.worker, wish=wish, unit=unit)
            results.append("won")
        except TransitionNotAllowed:
            results.append("refused")
        finally:
            conn.close()

    threads = [threading.Thread(target=claim, args=(u,)) for u in units[:2]]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["refused", "won"]
    assert Wish.objects.get(pk=wish.pk).claimed_by_unit in units[:2]
