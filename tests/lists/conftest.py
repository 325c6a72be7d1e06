import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english_messages():
    """Service messages are asserted in their English msgids (the UI default is Chinese)."""
    with translation.override("en"):
        yield
