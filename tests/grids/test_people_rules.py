"""Who manages whom: the rules of grids.people.services and grids.services over accounts and posts.

An official of street A manages the people of street A: outsiders (street B) get 404, someone
it can see but not manage (a peer official, a person also working elsewhere) a clear 403; it
never grants above or outside its subtree, nor an ADMIN post, nor an OFFICIAL post at its own
street. Every refused call changes nothing; history records who granted and ended what.
"""

import pytest
from django.contrib.auth.backends import ModelBackend

from grids import access, services
from grids.access import SYSTEM
from grids.models import Post, PostKind
from grids.people import selectors
from grids.people import services as accounts
from hlgrid.errors import Forbidden, InvalidInput, NotFound, TransitionNotAllowed
from hlgrid.models import User
from tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db

STRONG = "Tumen-River-42"


def _create(actor, node, username="newworker", kind=PostKind.WORKER, **extra):
    return accounts.account_create(
        actor=actor, username=username, name="新网格员", phone="13812345678", kind=kind, node=node, **extra
    )


def test_an_official_creates_an_account_with_its_first_post_and_a_generated_password_to_change(people, city):
    result = _create(people.official, city.grid_a2)
    account = result.account
    assert result.generated and len(result.password) == 12
    assert account.must_change_password
    assert ModelBackend().authenticate(None, username="newworker", password=result.password) == account
    post = Post.objects.get(user=account)
    assert (post.kind, post.node_id, post.granted_by_id, post.is_active) == (
        PostKind.WORKER,
        city.grid_a2.pk,
        people.official.pk,
        True,
    )


def test_an_official_cannot_create_an_account_outside_its_street_and_nothing_is_written(people, city):
    with pytest.raises(NotFound):
        _create(people.official, city.grid_b1)
    with pytest.raises(Forbidden):  # the city above it: it knows it, it may not staff it
        _create(people.official, city.city, kind=PostKind.ASSESSOR)
    assert not User.objects.filter(username="newworker").exists()


def test_a_worker_or_a_head_creates_no_account(people, city):
    for actor in (people.worker, people.gridhead):
        with pytest.raises(Forbidden):
            _create(actor, city.grid_a1)
    with pytest.raises(NotFound):
        _create(None, city.grid_a1)
    assert not User.objects.filter(username="newworker").exists()


def test_account_input_is_validated_and_a_bad_post_rolls_the_account_back(people, city):
    with pytest.raises(InvalidInput) as error:
        _create(people.official, city.grid_a2, username="p_worker")
    assert "username" in error.value.errors
    with pytest.raises(InvalidInput) as error:
        accounts.account_create(
            actor=people.official, username="x1", name=" ", kind=PostKind.WORKER, node=city.grid_a2
        )
    assert "name" in error.value.errors
    with pytest.raises(InvalidInput) as error:
        accounts.account_create(
            actor=people.official,
            username="x2",
            name="甲",
            phone="12",
            kind=PostKind.WORKER,
            node=city.grid_a2,
        )
    assert "phone" in error.value.errors
    with pytest.raises(InvalidInput) as error:  # a worker serves at a grid, not a community
        _create(people.official, city.community_a, username="x3")
    assert "node" in error.value.errors
    with pytest.raises(InvalidInput) as error:  # department staff need a department
        _create(people.official, city.street_a, username="x4", kind=PostKind.DEPARTMENT)
    assert "department" in error.value.errors
    assert not User.objects.filter(username__in=["x1", "x2", "x3", "x4"]).exists()


def test_djangos_password_validators_apply_to_a_password_set_by_an_official(people, city):
    for weak in ("12345678", "password", "short"):
        with pytest.raises(InvalidInput) as error:
            _create(people.official, city.grid_a2, password=weak)
        assert "password" in error.value.errors
    assert not User.objects.filter(username="newworker").exists()
    result = _create(people.official, city.grid_a2, password=STRONG)
    assert not result.generated
    assert result.account.check_password(STRONG)


def test_kinds_of_post_must_fit_the_node_and_departments_only_department_staff(people, city):
    account = _create(people.official, city.grid_a2).account
    with pytest.raises(InvalidInput):
        services.post_assign(actor=people.official, user=account, kind=PostKind.HEAD, node=city.grid_a1)
    department = DepartmentFactory()
    post = services.post_assign(
        actor=people.official,
        user=account,
        kind=PostKind.DEPARTMENT,
        node=city.street_a,
        department=department,
    )
    assert post.department_id == department.pk
    with pytest.raises(InvalidInput):
        services.post_assign(
            actor=people.official,
            user=account,
            kind=PostKind.WORKER,
            node=city.grid_a1,
            department=department,
        )


def test_nobody_but_an_administrator_grants_an_admin_post(people, city):
    account = _create(people.official, city.grid_a2).account
    with pytest.raises(Forbidden):
        services.post_assign(actor=people.official, user=account, kind=PostKind.ADMIN, node=city.city)
    admin = UserFactory(username="cityadmin")
    services.post_assign(actor=SYSTEM, user=admin, kind=PostKind.ADMIN, node=city.city)
    services.post_assign(actor=admin, user=account, kind=PostKind.ADMIN, node=city.city)
    assert Post.objects.filter(user=account, kind=PostKind.ADMIN, is_active=True).exists()


def test_an_official_appoints_officials_only_below_its_own_node(people, city):
    account = _create(people.official, city.grid_a2).account
    with pytest.raises(Forbidden):
        services.post_assign(actor=people.official, user=account, kind=PostKind.OFFICIAL, node=city.street_a)
    post = services.post_assign(
        actor=people.official, user=account, kind=PostKind.OFFICIAL, node=city.community_a
    )
    assert post.is_active
    peer = UserFactory(username="peer")
    peer_post = services.post_assign(actor=SYSTEM, user=peer, kind=PostKind.OFFICIAL, node=city.street_a)
    with pytest.raises(Forbidden):  # nor ends a peer's post at its own street
        services.post_end(actor=people.official, post=peer_post)
    assert Post.objects.get(pk=peer_post.pk).is_active


def test_a_post_cannot_be_granted_to_someone_elses_people_by_guessing_an_id(people, city):
    with pytest.raises(NotFound):  # the outsider works in street B only
        services.post_assign(
            actor=people.official, user=people.outsider, kind=PostKind.WORKER, node=city.grid_a2
        )
    assert not Post.objects.filter(user=people.outsider, node=city.grid_a2).exists()


def test_moving_a_post_ends_the_old_one_and_grants_the_new_one_in_one_step(people, city):
    old = Post.objects.get(user=people.worker, is_active=True)
    new = services.post_move(actor=people.official, post=old, node=city.grid_a2)
    old.refresh_from_db()
    assert not old.is_active and old.ended_by_id == people.official.pk and old.ended_at is not None
    assert (new.node_id, new.kind, new.is_active, new.granted_by_id) == (
        city.grid_a2.pk,
        PostKind.WORKER,
        True,
        people.official.pk,
    )
    with pytest.raises(TransitionNotAllowed):
        services.post_move(actor=people.official, post=old, node=city.grid_a1)


def test_a_move_that_cannot_be_granted_rolls_back_the_end(people, city):
    old = Post.objects.get(user=people.worker, is_active=True)
    with pytest.raises(NotFound):  # into street B
        services.post_move(actor=people.official, post=old, node=city.grid_b1)
    head = Post.objects.get(user=people.gridhead)
    other = UserFactory(username="otherhead")
    services.post_assign(actor=SYSTEM, user=other, kind=PostKind.HEAD, node=city.grid_a2)
    with pytest.raises(InvalidInput):  # grid A-2 already has a head
        services.post_move(actor=people.official, post=head, node=city.grid_a2)
    assert Post.objects.get(pk=old.pk).is_active and Post.objects.get(pk=head.pk).is_active


def test_deactivating_locks_the_account_out_and_ends_its_posts_with_history(people, city):
    people.worker.set_password("pw-for-tests")
    people.worker.save()
    accounts.account_deactivate(actor=people.official, account=people.worker)
    worker = User.objects.get(pk=people.worker.pk)
    assert not worker.is_active
    assert ModelBackend().authenticate(None, username="p_worker", password="pw-for-tests") is None
    post = Post.objects.get(user=worker)
    assert not post.is_active and post.ended_by_id == people.official.pk
    with pytest.raises(TransitionNotAllowed):
        accounts.account_deactivate(actor=people.official, account=worker)
    # still in the official's scope (its last post was in the street), and reactivated
    assert selectors.account_get(user=people.official, pk=worker.pk) == worker
    accounts.account_activate(actor=people.official, account=worker)
    assert User.objects.get(pk=worker.pk).is_active
    with pytest.raises(InvalidInput):  # a deactivated account gets no post
        worker.is_active = False
        services.post_assign(actor=people.official, user=worker, kind=PostKind.WORKER, node=city.grid_a1)


def test_nobody_deactivates_itself_or_resets_its_own_password_here(people, city):
    with pytest.raises(Forbidden):
        accounts.account_deactivate(actor=people.official, account=people.official)
    with pytest.raises(Forbidden):
        accounts.account_reset_password(actor=people.official, account=people.official)
    assert User.objects.get(pk=people.official.pk).is_active


def test_an_account_with_a_post_elsewhere_is_seen_but_not_locked_out_by_a_lower_official(people, city):
    both = UserFactory(username="both")
    services.post_assign(actor=SYSTEM, user=both, kind=PostKind.WORKER, node=city.grid_a2)
    services.post_assign(actor=SYSTEM, user=both, kind=PostKind.WORKER, node=city.grid_b2)
    assert selectors.account_get(user=people.official, pk=both.pk) == both
    with pytest.raises(Forbidden):
        accounts.account_deactivate(actor=people.official, account=both)
    with pytest.raises(Forbidden):
        accounts.account_reset_password(actor=people.official, account=both)
    assert User.objects.get(pk=both.pk).is_active
    history = selectors.account_history(user=people.official, account=both)
    assert [p.node_id for p in history.posts] == [city.grid_a2.pk] and history.elsewhere == 1


def test_an_outsider_account_is_not_found_through_the_services(people, city):
    for call in (accounts.account_deactivate, accounts.account_activate, accounts.account_reset_password):
        with pytest.raises(NotFound):
            call(actor=people.official, account=people.outsider)
    assert User.objects.get(pk=people.outsider.pk).is_active


def test_resetting_a_password_forces_a_change_at_the_next_login(people, city):
    result = accounts.account_reset_password(actor=people.official, account=people.worker)
    worker = User.objects.get(pk=people.worker.pk)
    assert worker.must_change_password and worker.check_password(result.password)
    with pytest.raises(InvalidInput):
        accounts.account_reset_password(actor=people.official, account=people.worker, password="123")


def test_only_a_superuser_manages_a_superuser(people, city):
    root = UserFactory(username="root", is_superuser=True)
    services.post_assign(actor=SYSTEM, user=root, kind=PostKind.WORKER, node=city.grid_a2)
    with pytest.raises(Forbidden):
        accounts.account_reset_password(actor=people.official, account=root)


def test_the_staff_list_is_the_subtree_and_filters_by_name_kind_and_node(people, city):
    listed = set(selectors.account_list(user=people.official).values_list("username", flat=True))
    assert {"p_worker", "p_gridhead", "p_official"} <= listed
    assert "p_outsider" not in listed and "p_assessor" not in listed
    assert list(selectors.account_list(user=people.official, kind=PostKind.HEAD)) == [people.gridhead]
    assert not selectors.account_list(user=people.official, node=city.grid_a2).exists()
    assert list(selectors.account_list(user=people.official, query="p_work")) == [people.worker]
    assert not selectors.account_list(user=people.worker).exists()
    assert not access.manages_people(people.worker) and access.manages_people(people.official)


def test_the_staff_list_takes_the_same_number_of_queries_for_more_people(people, city):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count():
        with CaptureQueriesContext(connection) as queries:
            for account in selectors.account_list(user=people.official):
                [p.node.name for p in account.active_posts]
        return len(queries)

    small = count()
    for n in range(8):
        extra = UserFactory(username=f"extra{n}")
        services.post_assign(actor=SYSTEM, user=extra, kind=PostKind.WORKER, node=city.grid_a2)
    assert count() == small


def test_a_work_phone_is_stored_encrypted_and_found_by_the_whole_number(people, city):
    from django.db import connection

    account = _create(people.official, city.grid_a2).account
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM hlgrid_user WHERE id = %s", [account.pk])
        (stored,) = cursor.fetchone()
    assert stored and "13812345678" not in stored  # ciphertext at rest
    assert User.objects.get(pk=account.pk).phone == "13812345678"
    assert list(selectors.account_list(user=people.official, query="138 1234 5678")) == [account]
    assert not selectors.account_list(user=people.official, query="13812345670").exists()
    # the hash follows a changed number, also when only the phone is saved
    account.phone = "13900000001"
    account.save(update_fields=["phone"])
    assert list(selectors.account_list(user=people.official, query="13900000001")) == [account]
    assert not selectors.account_list(user=people.official, query="13812345678").exists()
