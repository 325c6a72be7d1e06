from datetime import timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from announcements import hooks, selectors, services
from announcements.models import Announcement
from grids.access import SYSTEM
from grids.models import PostKind
from grids.services import post_assign
from hlgrid.errors import Forbidden, InvalidInput, NotFound, TransitionNotAllowed
from tests.announcements.factories import announce, png
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_an_official_posts_for_its_street_and_a_grid_below_it(people, city):
    street = announce(city.street_a, actor=people.official, title="清雪通知")
    grid = announce(city.grid_a2, actor=people.official)
    assert street.published_by == people.official and grid.node == city.grid_a2
    assert street.published_at <= timezone.now() and street.is_live()


def test_a_grid_head_posts_for_its_grid_but_not_for_its_community(people, city):
    assert announce(city.grid_a1, actor=people.gridhead).pk
    with pytest.raises(Forbidden):  # it works inside the community: it knows it exists
        announce(city.community_a, actor=people.gridhead)


def test_a_worker_may_not_post(people, city):
    with pytest.raises(Forbidden):
        announce(city.grid_a1, actor=people.worker)
    assert not Announcement.objects.exists()


def test_an_official_cannot_post_outside_its_subtree(people, city):
    with pytest.raises(NotFound):
        announce(city.grid_b1, actor=people.official)
    with pytest.raises(NotFound):
        announce(city.street_b, actor=people.official)
    with pytest.raises(NotFound):
        announce(city.grid_a1, actor=None)
    assert not Announcement.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": "  "}, "title"),
        ({"body": ""}, "body"),
        ({"title": "长" * 81}, "title"),
        ({"body": "长" * 1001}, "body"),
        ({"expires_at": "past"}, "expires_at"),
    ],
)
def test_bad_input_names_the_field_and_stores_nothing(people, city, fields, field):
    if fields.get("expires_at") == "past":
        fields["expires_at"] = timezone.now() - timedelta(minutes=1)
    with pytest.raises(InvalidInput) as refused:
        announce(city.street_a, actor=people.official, **fields)
    assert field in refused.value.errors
    assert not Announcement.objects.exists()


def test_a_photo_is_cleaned_and_a_bad_one_stores_nothing(people, city):
    notice = announce(city.street_a, actor=people.official, photo=png())
    assert notice.photo.name.startswith("announcements/") and notice.photo_content_type == "image/png"
    with pytest.raises(InvalidInput) as refused:
        announce(city.street_a, actor=people.official, photo=png().__class__("x.png", b"not an image"))
    assert "photo" in refused.value.errors
    assert Announcement.objects.count() == 1


def test_the_publisher_edits_and_withdraws_its_own(people, city):
    notice = announce(city.grid_a1, actor=people.gridhead)
    later = timezone.now() + timedelta(days=2)
    notice = services.announcement_update(
        actor=people.gridhead, announcement=notice, title="改期", body="改到后天。", expires_at=later
    )
    assert (notice.title, notice.body, notice.expires_at) == ("改期", "改到后天。", later)
    notice = services.announcement_withdraw(actor=people.gridhead, announcement=notice)
    assert notice.withdrawn_at and notice.withdrawn_by == people.gridhead and not notice.is_live()
    with pytest.raises(TransitionNotAllowed):
        services.announcement_withdraw(actor=people.gridhead, announcement=notice)
    with pytest.raises(TransitionNotAllowed):
        services.announcement_update(actor=people.gridhead, announcement=notice, title="x", body="y")


def test_another_head_over_the_node_may_not_change_it_and_an_outsider_gets_404(people, city):
    notice = announce(city.grid_a1, actor=people.gridhead)
    with pytest.raises(Forbidden):
        services.announcement_update(actor=people.official, announcement=notice, title="x", body="y")
    with pytest.raises(Forbidden):
        services.announcement_withdraw(actor=people.official, announcement=notice)
    outsider_head = UserFactory(username="b_head")
    post_assign(actor=SYSTEM, user=outsider_head, kind=PostKind.HEAD, node=city.grid_b1)
    with pytest.raises(NotFound):
        services.announcement_withdraw(actor=outsider_head, announcement=notice)
    notice.refresh_from_db()
    assert notice.withdrawn_at is None and notice.title == "停水通知"


def test_a_publisher_who_lost_the_post_cannot_change_it_any_more(people, city):
    notice = announce(city.grid_a1, actor=people.gridhead)
    people.gridhead.posts.update(is_active=False)
    with pytest.raises(NotFound):
        services.announcement_withdraw(actor=people.gridhead, announcement=notice)


def test_residents_of_a_grid_read_what_was_posted_there_and_above_while_it_is_live(people, city):
    now = timezone.now()
    city_wide = announce(city.city)
    street = announce(city.street_a)
    own_grid = announce(city.grid_a1)
    announce(city.grid_a2)  # the neighbour's
    announce(city.street_b)  # the other street's
    expired = announce(city.community_a, expires_at=now + timedelta(hours=1))
    withdrawn = announce(city.community_a)
    services.announcement_withdraw(actor=SYSTEM, announcement=withdrawn)

    read = selectors.announcements_for_grid(grid=city.grid_a1)
    assert {a.pk for a in read} == {city_wide.pk, street.pk, own_grid.pk, expired.pk}
    read_later = selectors.announcements_for_grid(grid=city.grid_a1, now=now + timedelta(hours=2))
    assert expired.pk not in {a.pk for a in read_later}


def test_staff_lists_are_scoped_to_their_subtree(people, city):
    announce(city.street_a)
    announce(city.grid_a1)
    announce(city.grid_b1)
    announce(city.city)
    assert selectors.announcement_list(user=people.official).count() == 2
    assert selectors.announcement_list(user=people.worker).count() == 1
    assert selectors.announcement_list(user=people.outsider).count() == 1
    assert selectors.announcement_list(user=people.assessor).count() == 0  # not a territorial reader
    other = selectors.announcement_list(user=people.outsider).get()
    with pytest.raises(Http404):
        selectors.announcement_get(user=people.official, pk=other.pk)


def test_the_publish_hook_runs_inside_the_transaction_of_the_publication(people, city):
    seen = []

    def listener(announcement):
        seen.append((announcement.pk, Announcement.objects.filter(pk=announcement.pk).exists()))

    hooks.register_publish_listener("test", listener)
    try:
        notice = announce(city.street_a, actor=people.official)
    finally:
        hooks.unregister_publish_listener("test")
    assert seen == [(notice.pk, True)]


def test_a_failing_hook_rolls_the_publication_back(people, city):
    def listener(announcement):
        raise RuntimeError("relay down")

    hooks.register_publish_listener("test", listener)
    try:
        with pytest.raises(RuntimeError):
            announce(city.street_a, actor=people.official)
    finally:
        hooks.unregister_publish_listener("test")
    assert not Announcement.objects.exists()
