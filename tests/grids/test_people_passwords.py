"""A password set by someone else must be changed at the next login, before anything else;
Django's password validators apply to the new one."""

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token

from grids.people import services as accounts
from hlgrid.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def reset_worker(people):
    result = accounts.account_reset_password(
        actor=people.official, account=people.worker, password="Yanji-Road-77"
    )
    return result.account


def test_a_user_who_must_change_its_password_is_sent_to_the_change_page_from_every_page(client, reset_worker):
    client.force_login(reset_worker)
    for url in (reverse("home"), reverse("residents:my_day"), reverse("grids:tree")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == reverse("password_change"), url
    page = client.get(reverse("password_change"))
    assert page.status_code == 200 and 'data-testid="must-change"' in page.content.decode()


def test_the_api_refuses_such_a_user_until_it_has_changed_its_password(api_client, reset_worker):
    token = Token.objects.create(user=reset_worker)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = api_client.get("/api/v1/grids/")
    assert response.status_code == 403
    User.objects.filter(pk=reset_worker.pk).update(must_change_password=False)
    assert api_client.get("/api/v1/grids/").status_code == 200


def test_the_new_password_must_pass_the_validators(client, reset_worker):
    client.force_login(reset_worker)
    page = client.post(
        reverse("password_change"),
        {"old_password": "Yanji-Road-77", "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert page.status_code == 200 and page.context["form"].errors
    assert User.objects.get(pk=reset_worker.pk).must_change_password


def test_after_the_change_the_flag_is_lifted_and_the_user_lands_on_its_home(client, reset_worker):
    client.force_login(reset_worker)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "Yanji-Road-77",
            "new_password1": "Hailan-River-2026",
            "new_password2": "Hailan-River-2026",
        },
        follow=True,
    )
    user = User.objects.get(pk=reset_worker.pk)
    assert not user.must_change_password and user.check_password("Hailan-River-2026")
    assert response.redirect_chain[-1][0] == reverse("residents:my_day")
    assert client.get(reverse("residents:my_day")).status_code == 200


def test_the_demo_accounts_do_not_have_to_change_their_password(helong):
    demo = User.objects.filter(username__in=["admin", "worker", "gridhead", "official", "dept", "assessor"])
    assert demo.count() == 6
    assert not demo.filter(must_change_password=True).exists()
