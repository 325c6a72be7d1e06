import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from grids.access import SYSTEM, get_scoped_or_404, scope_queryset
from grids.models import GridNode, Post, PostKind
from grids.services import post_assign, post_end
from tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def visible(user, city):
    return set(scope_queryset(user, GridNode.objects.all(), node_path="").values_list("code", flat=True))


def test_a_worker_sees_its_grid_subtree_only(people, city):
    assert visible(people.worker, city) == {"T-A-1-1"}


def test_a_street_official_sees_the_street(people, city):
    assert visible(people.official, city) == {"T-A", "T-A-1", "T-A-1-1", "T-A-1-2"}


def test_an_assessor_sees_the_whole_city(people, city):
    assert visible(people.assessor, city) == {n.code for n in city.nodes}


def test_posts_add_up(people, city):
    post_assign(actor=SYSTEM, user=people.worker, kind=PostKind.WORKER, node=city.grid_b2)
    assert visible(people.worker, city) == {"T-A-1-1", "T-B-1-2"}


def test_an_ended_post_grants_nothing(people, city):
    post_end(actor=SYSTEM, post=Post.objects.get(user=people.outsider))
    assert visible(people.outsider, city) == set()


def test_nobody_without_posts_or_logged_out_sees_anything(city):
    assert visible(UserFactory(), city) == set()
    assert visible(AnonymousUser(), city) == set()


def test_a_superuser_sees_everything(city):
    assert len(visible(UserFactory(is_superuser=True), city)) == 9


def test_rows_follow_their_node_through_a_path(people, city):
    """Scoping a model that points at a node (here Post.node) works the same way."""
    posts = scope_queryset(people.worker, Post.objects.all(), node_path="node")
    assert {p.user.username for p in posts} == {"p_worker", "p_gridhead"}


def test_department_staff_see_what_is_assigned_to_their_department(city):
    department, other = DepartmentFactory(), DepartmentFactory()
    staff = UserFactory()
    post_assign(actor=SYSTEM, user=staff, kind=PostKind.DEPARTMENT, node=city.street_b, department=department)
    dept_posts = Post.objects.filter(kind=PostKind.DEPARTMENT)
    # territorially nothing (department posts excluded), but rows of its department are in
    scoped = scope_queryset(
        staff, dept_posts, node_path="node", department_path="department", post_kinds=[PostKind.WORKER]
    )
    assert list(scoped) == list(dept_posts.filter(department=department))
    assert not scoped.filter(department=other).exists()


def test_get_scoped_or_404_answers_the_same_for_absent_and_not_yours(people, city):
    with pytest.raises(Http404):
        get_scoped_or_404(people.worker, GridNode.objects.all(), node_path="", pk=city.grid_b1.pk)
    with pytest.raises(Http404):
        get_scoped_or_404(people.worker, GridNode.objects.all(), node_path="", pk=999999)
    with pytest.raises(Http404):
        get_scoped_or_404(people.worker, GridNode.objects.all(), node_path="", pk="abc")
    assert get_scoped_or_404(people.worker, GridNode.objects.all(), node_path="", pk=city.grid_a1.pk)


def test_scoping_is_one_query_whatever_the_number_of_posts(people, city, django_assert_num_queries):
    for grid in (city.grid_a2, city.grid_b1, city.grid_b2):
        post_assign(actor=SYSTEM, user=people.worker, kind=PostKind.WORKER, node=grid)
    with django_assert_num_queries(1):
        assert len(list(scope_queryset(people.worker, GridNode.objects.all(), node_path=""))) == 4
