import os

import pytest

from tests import services
from tests.demo import (
    helong,  # noqa: F401  (a fixture shared by every folder)
    helong_and_tumen,  # noqa: F401
    share_between_processes,
)
from tests.fake_provider import eager_tasks, provider, sms_http  # noqa: F401  (fakes of outside systems)

DEMO_FIXTURES = {"helong", "helong_and_tumen", "demo_city"}


def _demo_modules_last(items) -> None:
    """The modules that read the demo city run after the others, each module's tests still
    together and in order: under xdist the first process to need the city loads it while the
    others go on with their own tests, and then restore it instead of loading it too."""
    readers = {item.module.__name__ for item in items if DEMO_FIXTURES & set(item.fixturenames)}
    order = {id(item): n for n, item in enumerate(items)}
    items.sort(key=lambda item: (item.module.__name__ in readers, order[id(item)]))


def pytest_collection_modifyitems(config, items):
    _demo_modules_last(items)
    required = os.environ.get("HLGRID_REQUIRE_SERVICES") == "1"
    for item in items:
        reason = services.missing_for(m.name for m in item.iter_markers())
        if reason is None:
            continue
        if required:
            item.add_marker(pytest.mark.usefixtures("_fail_missing_service"))
            item.user_properties.append(("missing_service", reason))
        else:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture
def _fail_missing_service(request):
    reason = dict(request.node.user_properties).get("missing_service")
    pytest.fail(f"HLGRID_REQUIRE_SERVICES=1 but {reason}")


@pytest.fixture(scope="session", autouse=True)
def _demo_shared_by_the_run(tmp_path_factory):
    # Every xdist process of a run has its basetemp under the run's one directory.
    share_between_processes(tmp_path_factory.getbasetemp().parent)


@pytest.fixture(autouse=True)
def _fresh_locator():
    """A rolled-back or flushed tree reuses tree version numbers, so a locator cached by an
    earlier test could route points to grids that no longer exist: every test starts without."""
    from grids import locator
    from hlgrid import workdays
    from petitions import catalogue

    locator.forget()
    workdays.forget()  # the same holds for the working calendar's cached copy
    catalogue.forget()  # and for each city's categories
    yield
    locator.forget()
    workdays.forget()
    catalogue.forget()


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _isolated_cache(settings, tmp_path):
    """Each test gets its own cache (lockouts, rate limits, dashboards), and no outage of the
    cache or the broker remembered from another test (hlgrid.outages)."""
    # The rendered fragments (hlgrid/settings.py) are kept as in production, fresh per test.
    locmem = "django.core.cache.backends.locmem.LocMemCache"
    settings.CACHES = {
        "default": {"BACKEND": locmem, "LOCATION": str(tmp_path)},
        "fragments": {"BACKEND": locmem, "LOCATION": f"{tmp_path}/fragments", "TIMEOUT": None},
    }
    from django.core.cache import cache

    from hlgrid import outages

    cache.clear()
    outages.forget()
    yield
    outages.forget()


@pytest.fixture
def city(db):
    from tests.factories import SmallCity

    return SmallCity()


class Personas:
    """worker and gridhead of grid A-1, the official of street A, an outsider (worker of B-1), an assessor."""

    def __init__(self, city):
        from grids.access import SYSTEM
        from grids.models import PostKind
        from grids.services import post_assign
        from tests.factories import UserFactory

        def hold(username, kind, node):
            user = UserFactory(username=username)
            post_assign(actor=SYSTEM, user=user, kind=kind, node=node)
            return user

        self.worker = hold("p_worker", PostKind.WORKER, city.grid_a1)
        self.gridhead = hold("p_gridhead", PostKind.HEAD, city.grid_a1)
        self.official = hold("p_official", PostKind.OFFICIAL, city.street_a)
        self.outsider = hold("p_outsider", PostKind.WORKER, city.grid_b1)
        self.assessor = hold("p_assessor", PostKind.ASSESSOR, city.city)


@pytest.fixture
def people(city):
    return Personas(city)


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()
