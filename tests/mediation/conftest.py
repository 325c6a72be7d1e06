# A dispute may come from a petition, and the assessment reads disputes: petitions' fixtures
# (its team, a fresh locator per test) and the evaluation's world of workers.
from tests.evaluation.conftest import world  # noqa: F401
from tests.petitions.conftest import team  # noqa: F401
