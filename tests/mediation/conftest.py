# A dispute may come from a petition: petitions' own fixtures (its team, a fresh locator per test).
from tests.petitions.conftest import _fresh_locator, team  # noqa: F401
