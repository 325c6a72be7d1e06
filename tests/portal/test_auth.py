import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def user(db):
    return UserFactory(username="zhang", password="correct-horse")


def test_logging_in_with_the_right_password_goes_home(client, user):
    response = client.post("/accounts/login/", {"username": "zhang", "password": "correct-horse"})
    assert response.status_code == 302 and response["Location"] == "/"


def test_a_wrong_password_is_refused_with_a_message(client, user):
    response = client.post("/accounts/login/", {"username": "zhang", "password": "nope"})
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()


def test_five_wrong_passwords_lock_the_login(client, user):
    for _ in range(5):
        client.post("/accounts/login/", {"username": "zhang", "password": "nope"})
    response = client.post("/accounts/login/", {"username": "zhang", "password": "correct-horse"})
    assert response.status_code == 429
    assert "账号已锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_four_wrong_passwords_do_not_lock(client, user):
    for _ in range(4):
        client.post("/accounts/login/", {"username": "zhang", "password": "nope"})
    response = client.post("/accounts/login/", {"username": "zhang", "password": "correct-horse"})
    assert response.status_code == 302


def test_the_api_hands_out_a_token_that_authenticates(api_client, user):
    response = api_client.post("/api/v1/auth/token/", {"username": "zhang", "password": "correct-horse"})
    assert response.status_code == 200
    token = response.json()["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = api_client.get("/api/v1/me/")
    assert me.status_code == 200 and me.json()["username"] == "zhang"


def test_the_token_endpoint_rejects_bad_credentials_as_json(api_client, user):
    response = api_client.post("/api/v1/auth/token/", {"username": "zhang", "password": "nope"})
    assert response.status_code == 400
    assert response.json()["errors"]["non_field_errors"]


def test_the_token_endpoint_is_locked_too(api_client, user):
    for _ in range(5):
        api_client.post("/api/v1/auth/token/", {"username": "zhang", "password": "nope"})
    response = api_client.post("/api/v1/auth/token/", {"username": "zhang", "password": "correct-horse"})
    assert response.status_code == 429


def test_logout_is_a_post(client, user):
    client.force_login(user)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    # Signed out, "/" is the residents' front door again (portal.public), not the staff's landing.
    home = client.get("/")
    assert home.status_code == 200 and b'data-testid="front-door"' in home.content
