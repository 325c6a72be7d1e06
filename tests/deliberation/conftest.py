import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english_messages():
    """Service messages are asserted in their English msgids (the UI default is Chinese)."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fresh_locator():
    """Each test's rolled-back tree reuses version numbers: never reuse another test's locator."""
    from grids import locator

    locator._cached.update(version=None, locator=None)
    yield
    locator._cached.update(version=None, locator=None)
