import pytest

pytestmark = pytest.mark.django_db


def test_pages_need_a_login(client, city):
    response = client.get("/grids/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_home_page_shows_the_users_posts(client, people):
    client.force_login(people.gridhead)
    page = client.get("/me/").content.decode()
    assert "甲一网格" in page and "网格长" in page


def test_a_worker_opening_the_tree_lands_on_its_grid(client, people, city):
    client.force_login(people.worker)
    response = client.get("/grids/", follow=True)
    assert response.redirect_chain[-1][0] == f"/grids/{city.grid_a1.pk}/"
    page = response.content.decode()
    assert "甲一网格" in page and "p_worker" not in page  # people are shown by name
    assert "用户" in page  # the factory's display names


def test_a_worker_asking_for_another_grid_page_gets_404(client, people, city):
    client.force_login(people.worker)
    assert client.get(f"/grids/{city.grid_b1.pk}/").status_code == 404
    assert client.get(f"/grids/{city.community_a.pk}/").status_code == 404


def test_an_official_drills_down_from_street_to_grid(client, people, city):
    client.force_login(people.official)
    street = client.get(f"/grids/{city.street_a.pk}/").content.decode()
    assert f'href="/grids/{city.community_a.pk}/"' in street
    community = client.get(f"/grids/{city.community_a.pk}/").content.decode()
    assert f'href="/grids/{city.grid_a2.pk}/"' in community and "<svg" in community
    assert f'href="/grids/{city.street_b.pk}/"' not in community
    grid = client.get(f"/grids/{city.grid_a1.pk}/").content.decode()
    assert "p_worker" not in grid and "网格员" in grid


def test_the_tree_page_costs_the_same_queries_for_more_children(
    client, people, city, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from grids import services
    from grids.access import SYSTEM
    from grids.models import NodeKind
    from tests.factories import rect

    client.force_login(people.assessor)
    with CaptureQueriesContext(connection) as small:
        client.get(f"/grids/{city.city.pk}/")
    services.gridnode_update(actor=SYSTEM, node=city.street_b, boundary=rect(129.02, 42.5, 129.04, 42.52))
    for i in range(5):
        services.gridnode_create(
            actor=SYSTEM, parent=city.city, kind=NodeKind.STREET, code=f"T-X{i}", name=f"新街道{i}"
        )
    with CaptureQueriesContext(connection) as large:
        client.get(f"/grids/{city.city.pk}/")
    assert len(large) == len(small)


def test_each_user_lands_where_its_work_is(client, people, city):
    landings = {
        people.worker: "/residents/",
        people.gridhead: f"/dashboards/{city.grid_a1.pk}/",
        people.official: f"/dashboards/{city.street_a.pk}/",
    }
    for user, expected in landings.items():
        client.force_login(user)
        response = client.get("/")
        assert response.status_code == 302 and response["Location"] == expected, user.username


def test_department_staff_land_on_their_queue(client, city):
    from grids.access import SYSTEM
    from grids.models import PostKind
    from grids.services import post_assign
    from tests.factories import DepartmentFactory, UserFactory

    staff = UserFactory()
    post_assign(
        actor=SYSTEM, user=staff, kind=PostKind.DEPARTMENT, node=city.city, department=DepartmentFactory()
    )
    client.force_login(staff)
    assert client.get("/")["Location"] == "/petitions/"


def test_a_user_without_posts_sees_the_posts_page(client, db):
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    response = client.get("/")
    assert response.status_code == 200 and "my-posts" in response.content.decode()


def test_a_volunteer_without_a_post_lands_on_the_time_bank(client, city):
    from grids.access import SYSTEM
    from party.services.time_bank import volunteer_register
    from tests.factories import UserFactory

    user = UserFactory()
    volunteer_register(actor=SYSTEM, grid=city.grid_a1, name="志愿者", user=user)
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/party/volunteer/"


def test_an_in_service_party_member_without_a_post_lands_on_the_activities(client, city):
    from grids.access import SYSTEM
    from party.services.alliances import inservice_member_add
    from tests.factories import UserFactory
    from tests.party import factories as pf

    user = UserFactory()
    unit = pf.unit(pf.alliance(pf.Chain(city)), grids=[city.grid_a1])
    inservice_member_add(actor=SYSTEM, unit=unit, name="在职党员", user=user)
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/party/activities/"
    menu = client.get("/party/activities/").content.decode()
    assert 'data-nav href="/party/activities/"' in menu and 'href="/party/volunteer/"' not in menu
