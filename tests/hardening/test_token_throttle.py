"""Issue 17, item 7: the token endpoint limits attempts per client address, whatever usernames
they name (django-axes already locks one account per username and address). Over the limit
the answer is the API's JSON error, 429 with Retry-After; another address is not affected."""

import datetime

import pytest
import time_machine
from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/auth/token/"
ATTACKER = "203.0.113.7"
NEIGHBOUR = "198.51.100.20"
START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


def _rate(scope: str) -> tuple[int, int]:
    return SimpleRateThrottle.parse_rate(None, settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"][scope])


def _try(client, username, *, address=ATTACKER, password="Summer2026!", **headers):
    return client.post(URL, {"username": username, "password": password}, REMOTE_ADDR=address, **headers)


def _assert_throttled(response):
    assert response.status_code == 429, response.content
    body = response.json()
    assert set(body) == {"detail", "errors"} and body["errors"] == {} and body["detail"]
    assert int(response["Retry-After"]) > 0


@pytest.fixture
def account():
    return UserFactory(username="zhang", password="correct-horse")


def test_one_address_trying_one_password_on_many_usernames_is_cut_off(api_client, account):
    burst, _period = _rate("token-burst")
    with time_machine.travel(START, tick=False):
        for n in range(burst):
            assert _try(api_client, f"user{n}").status_code == 400
        _assert_throttled(_try(api_client, "one-more"))
        # Cut off means cut off: even the right password waits from that address.
        _assert_throttled(_try(api_client, "zhang", password="correct-horse"))


def test_another_address_is_not_cut_off(api_client, account):
    burst, _period = _rate("token-burst")
    with time_machine.travel(START, tick=False):
        for n in range(burst + 1):
            _try(api_client, f"user{n}")
        response = _try(api_client, "zhang", address=NEIGHBOUR, password="correct-horse")
        assert response.status_code == 200 and response.json()["token"]
        assert _try(api_client, "someone", address=NEIGHBOUR).status_code == 400


def test_a_forwarded_for_header_does_not_buy_a_fresh_allowance(api_client, account):
    burst, _period = _rate("token-burst")
    with time_machine.travel(START, tick=False):
        for n in range(burst):
            _try(api_client, f"user{n}", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")
        _assert_throttled(_try(api_client, "next", HTTP_X_FORWARDED_FOR="10.9.9.9"))


def test_the_address_gets_its_allowance_back_after_the_window(api_client, account):
    burst, period = _rate("token-burst")
    with time_machine.travel(START, tick=False) as clock:
        for n in range(burst):
            _try(api_client, f"user{n}")
        _assert_throttled(_try(api_client, "next"))
        clock.shift(datetime.timedelta(seconds=period + 1))
        assert _try(api_client, "zhang", password="correct-horse").status_code == 200


def test_a_slow_steady_guesser_is_cut_off_by_the_sustained_rate(api_client, account):
    burst, burst_period = _rate("token-burst")
    sustained, sustained_period = _rate("token-sustained")
    assert sustained_period > burst_period
    sent = 0
    with time_machine.travel(START, tick=False) as clock:
        while sent < sustained:
            for _ in range(min(burst, sustained - sent)):
                assert _try(api_client, f"user{sent}").status_code == 400
                sent += 1
            clock.shift(datetime.timedelta(seconds=burst_period + 1))
        _assert_throttled(_try(api_client, "patient"))


def test_a_locked_account_is_told_in_the_same_json_shape_with_retry_after(api_client, account):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _try(api_client, "zhang", address=NEIGHBOUR, password="nope")
    _assert_throttled(_try(api_client, "zhang", address=NEIGHBOUR, password="correct-horse"))


def test_the_login_page_still_shows_the_locked_out_page(client, account):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "zhang", "password": "nope"})
    response = client.post("/accounts/login/", {"username": "zhang", "password": "correct-horse"})
    assert response.status_code == 429
    assert b'data-testid="locked-out"' in response.content
