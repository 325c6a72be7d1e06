"""The people pages under /grids/people/: scope through the page (404 outside, 403 beyond reach),
forms that show each error by its field and change nothing on bad input, and the export."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from grids.access import SYSTEM
from grids.models import Post, PostKind
from grids.services import post_assign
from hlgrid.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def official_client(client, people):
    client.force_login(people.official)
    return client


def test_the_staff_list_shows_the_street_with_masked_phones_and_not_street_b(official_client, people):
    User.objects.filter(pk=people.worker.pk).update(phone="13812345678")
    page = official_client.get(reverse("grids:people_list"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "p_worker" in body and "p_gridhead" in body and "p_outsider" not in body
    assert "138****5678" in body and "13812345678" not in body


def test_the_staff_list_filters_by_kind_and_search(official_client, people):
    page = official_client.get(reverse("grids:people_list"), {"kind": PostKind.HEAD})
    body = page.content.decode()
    assert "p_gridhead" in body and "p_worker" not in body
    page = official_client.get(reverse("grids:people_list"), {"q": "p_work"})
    assert "p_worker" in page.content.decode() and "p_gridhead" not in page.content.decode()


def test_workers_heads_and_assessors_have_no_people_pages(client, people):
    for user in (people.worker, people.gridhead, people.assessor):
        client.force_login(user)
        assert client.get(reverse("grids:people_list")).status_code == 404
        assert client.get(reverse("grids:people_new")).status_code == 404


def test_a_person_outside_the_street_is_404_through_every_page(official_client, people):
    outsider = people.outsider
    post = Post.objects.get(user=outsider)
    for url in (
        reverse("grids:people_detail", args=[outsider.pk]),
        reverse("grids:people_grant", args=[outsider.pk]),
        reverse("grids:people_reset_password", args=[outsider.pk]),
        reverse("grids:people_post_move", args=[post.pk]),
    ):
        assert official_client.get(url).status_code == 404, url
    for url in (
        reverse("grids:people_deactivate", args=[outsider.pk]),
        reverse("grids:people_post_end", args=[post.pk]),
    ):
        assert official_client.post(url).status_code == 404, url
    assert User.objects.get(pk=outsider.pk).is_active and Post.objects.get(pk=post.pk).is_active


def test_a_person_also_working_elsewhere_is_shown_but_deactivating_is_a_clear_403(
    official_client, people, city
):
    both = UserFactory(username="both")
    post_assign(actor=SYSTEM, user=both, kind=PostKind.WORKER, node=city.grid_a2)
    post_assign(actor=SYSTEM, user=both, kind=PostKind.WORKER, node=city.grid_b2)
    page = official_client.get(reverse("grids:people_detail", args=[both.pk]))
    assert page.status_code == 200
    assert 'data-testid="beyond-reach"' in page.content.decode()
    assert official_client.post(reverse("grids:people_deactivate", args=[both.pk])).status_code == 403
    assert User.objects.get(pk=both.pk).is_active


def test_creating_an_account_shows_the_generated_password_once(official_client, city):
    page = official_client.post(
        reverse("grids:people_new"),
        {
            "username": "zhang",
            "name": "张伟",
            "phone": "13912345678",
            "kind": PostKind.WORKER,
            "node": city.grid_a2.pk,
        },
    )
    assert page.status_code == 200
    account = User.objects.get(username="zhang")
    password = page.context["result"].password
    assert f'data-testid="new-password">{password}<' in page.content.decode()
    assert account.check_password(password) and account.must_change_password
    assert Post.objects.get(user=account).node_id == city.grid_a2.pk
    again = official_client.get(reverse("grids:people_detail", args=[account.pk]))
    assert password not in again.content.decode()


def test_a_bad_account_form_shows_the_errors_by_field_and_writes_nothing(official_client, city):
    page = official_client.post(
        reverse("grids:people_new"),
        {
            "username": "p_worker",
            "name": "张伟",
            "phone": "12",
            "kind": PostKind.WORKER,
            "node": city.grid_a2.pk,
        },
    )
    assert page.status_code == 200
    assert page.context["form"].errors
    page = official_client.post(
        reverse("grids:people_new"),
        {
            "username": "li",
            "name": "李",
            "password": "12345678",
            "kind": PostKind.WORKER,
            "node": city.grid_a2.pk,
        },
    )
    assert "password" in page.context["form"].errors
    page = official_client.post(
        reverse("grids:people_new"),
        {"username": "wang", "name": "王", "kind": PostKind.WORKER, "node": city.community_a.pk},
    )
    assert "node" in page.context["form"].errors
    assert not User.objects.filter(username__in=["li", "wang"]).exists()


def test_an_official_cannot_pick_a_node_outside_its_street_in_the_form(official_client, city):
    page = official_client.post(
        reverse("grids:people_new"),
        {"username": "zhao", "name": "赵", "kind": PostKind.WORKER, "node": city.grid_b1.pk},
    )
    assert "node" in page.context["form"].errors  # not a choice
    assert not User.objects.filter(username="zhao").exists()


def test_grant_move_and_end_a_post_keep_the_history_on_the_person_page(official_client, people, city):
    worker = people.worker
    response = official_client.post(
        reverse("grids:people_grant", args=[worker.pk]), {"kind": PostKind.HEAD, "node": city.community_a.pk}
    )
    assert response.status_code == 302
    post = Post.objects.get(user=worker, is_active=True, kind=PostKind.WORKER)
    response = official_client.post(
        reverse("grids:people_post_move", args=[post.pk]), {"node": city.grid_a2.pk}
    )
    assert response.status_code == 302
    head = Post.objects.get(user=worker, kind=PostKind.HEAD, is_active=True)
    assert official_client.post(reverse("grids:people_post_end", args=[head.pk])).status_code == 302
    page = official_client.get(reverse("grids:people_detail", args=[worker.pk]))
    rows = page.context["history"].posts
    assert [(p.kind, p.node_id, p.is_active) for p in rows if p.is_active] == [
        (PostKind.WORKER, city.grid_a2.pk, True)
    ]
    assert len(rows) == 3
    assert page.content.decode().count('data-testid="post-row"') == 3


def test_granting_a_second_head_is_refused_in_the_form(official_client, people, city):
    page = official_client.post(
        reverse("grids:people_grant", args=[people.worker.pk]),
        {"kind": PostKind.HEAD, "node": city.grid_a1.pk},
    )
    assert page.status_code == 200 and "node" in page.context["form"].errors


def test_deactivate_reactivate_and_reset_from_the_pages(official_client, people):
    worker = people.worker
    assert official_client.post(reverse("grids:people_deactivate", args=[worker.pk])).status_code == 302
    assert not User.objects.get(pk=worker.pk).is_active
    assert official_client.post(reverse("grids:people_activate", args=[worker.pk])).status_code == 302
    assert User.objects.get(pk=worker.pk).is_active
    page = official_client.post(reverse("grids:people_reset_password", args=[worker.pk]), {"password": ""})
    assert page.status_code == 200
    assert User.objects.get(pk=worker.pk).check_password(page.context["result"].password)


def test_an_official_cannot_deactivate_itself_from_its_page(official_client, people):
    page = official_client.get(reverse("grids:people_detail", args=[people.official.pk]))
    assert 'data-testid="deactivate"' not in page.content.decode()
    assert (
        official_client.post(reverse("grids:people_deactivate", args=[people.official.pk])).status_code == 403
    )
    assert User.objects.get(pk=people.official.pk).is_active


def test_the_export_is_the_same_scope_with_masked_phones(official_client, people):
    User.objects.filter(pk=people.worker.pk).update(phone="13812345678")
    User.objects.filter(pk=people.outsider.pk).update(phone="13987654321")
    response = official_client.get(reverse("grids:people_export"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    usernames = {row[1] for row in rows}
    assert {"p_worker", "p_gridhead", "p_official"} <= usernames and "p_outsider" not in usernames
    assert [row[2] for row in rows if row[1] == "p_worker"] == ["138****5678"]
    assert all("13812345678" not in str(cell) for row in rows for cell in row)


def test_the_grid_node_page_links_the_roster_for_those_who_see_residents(client, people, city):
    client.force_login(people.official)
    url = reverse("residents:roster", args=[city.grid_a1.pk])
    assert url in client.get(reverse("grids:node", args=[city.grid_a1.pk])).content.decode()
    client.force_login(people.assessor)
    assert url not in client.get(reverse("grids:node", args=[city.grid_a1.pk])).content.decode()


def test_the_person_page_offers_to_end_only_the_posts_the_official_may_end(official_client, people, city):
    peer = UserFactory(username="peer")
    post_assign(actor=SYSTEM, user=peer, kind=PostKind.OFFICIAL, node=city.street_a)
    post_assign(actor=SYSTEM, user=peer, kind=PostKind.WORKER, node=city.grid_a2)
    page = official_client.get(reverse("grids:people_detail", args=[peer.pk]))
    body = page.content.decode()
    assert body.count('data-testid="end-post"') == 1  # the worker post, not the peer's official post
    assert 'data-testid="beyond-reach"' in body
    own = official_client.get(reverse("grids:people_detail", args=[people.official.pk])).content.decode()
    assert 'data-testid="own-account"' in own and 'data-testid="end-post"' not in own
