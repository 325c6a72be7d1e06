"""The API against its own schema: schemathesis generates requests for every operation of
`/api/schema/` and sends each one as a visitor and as every demo role, on the demo city.

Any 5xx fails, and so does any answer the schema does not describe: a status code it does
not document, another content type, a body or a header that does not match the declared
shape (a null where a string is declared, a missing field). The budget is fixed and the run
deterministic (a fixed seed, derandomised Hypothesis, no example database), so CI sends the
same requests every time: `FUZZ_EXAMPLES` generated cases per operation (3 in CI, so the
run fits in a few minutes on 2 cores with PostgreSQL), each sent as each of the 8 callers.
`make fuzz` runs a longer budget (`FUZZ_EXAMPLES=25 FUZZ_COVERAGE=1`) with schemathesis' coverage phase too
(every boundary value the schema defines).

How it runs:
- In process, through Django's WSGI handler (no server, no network). The calls run in the
  test's thread on the test's connection, so they see the demo city of `helong` and the
  test transaction; Django's per-request "close old connections" is switched off while the
  module runs, as Django's own test client does, since it would close that connection.
- Each operation's cases are generated once and every caller gets the same requests, so a
  difference between roles is a difference of the answer, not of the input.
- Each request runs in a savepoint rolled back after it: a write by one case (a report, a
  merge, a published period) is never seen by the next one, and on PostgreSQL an error in
  one request cannot leave the test's transaction aborted for the rest.
- Operations are never excluded: none of them ends the caller's session or rotates its
  token (the API has no logout; tokens are created here, outside the API), and every write
  is rolled back, so every operation of the schema is fuzzed as every caller.
"""

import os
import time

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = pytest.mark.fuzz

CI_EXAMPLES = 3
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", CI_EXAMPLES))
# The coverage phase (every boundary value of every parameter, some 40 cases an operation,
# whatever max-examples says) is for the long run only, so CI's budget stays fixed.
COVERAGE = os.environ.get("FUZZ_COVERAGE") == "1"
# CI must send at least this many requests in all (the budget).
CI_MIN_REQUESTS = 2000

ROLES = ("anonymous", "admin", "worker", "gridhead", "official", "dept", "assessor", "volunteer")
# What a mismatch with the schema means: a 5xx, an undocumented status, content type or
# header, a body of another shape. (Checks about how strictly input is refused, such as
# negative_data_rejection, are not the contract this test keeps.)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 17,
        "generation": {
            "max-examples": EXAMPLES,
            "deterministic": True,
            "database": "none",
            # Valid and invalid input alike: malformed ids, wrong types, missing fields.
            "mode": "all",
            # Authentication is ours (each role's token), never a generated header.
            "with-security-parameters": False,
            "no-shrink": True,
        },
        "phases": {"coverage": {"enabled": COVERAGE}, "stateful": {"enabled": False}},
    }
)
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application(), config=CONFIG)

_run = {"requests": 0, "cases": 0, "operations": set(), "seconds": 0.0}


@pytest.fixture(scope="module")
def _in_process(helong):
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def callers(db, _in_process):
    """Each caller's request headers: none for the visitor, a token for each demo account."""
    from rest_framework.authtoken.models import Token

    from hlgrid.models import User

    headers = {"anonymous": {}}
    for user in User.objects.filter(username__in=ROLES[1:]).order_by("username"):
        token, _ = Token.objects.get_or_create(user=user)
        headers[user.username] = {"Authorization": f"Token {token.key}"}
    assert set(headers) == set(ROLES), f"demo accounts missing: {set(ROLES) - set(headers)}"
    return headers


def _send(case, headers):
    with transaction.atomic():
        response = case.call(headers=headers)
        transaction.set_rollback(True)
    return response


@schema.parametrize()
@settings(
    # `callers` is function-scoped on purpose: the tokens live in the test's transaction, and
    # every generated case is sent in a savepoint rolled back after it.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    deadline=None,
)
def test_every_operation_answers_as_documented_to_every_caller(case, callers):
    started = time.perf_counter()
    _run["cases"] += 1
    _run["operations"].add(case.operation.label)
    failures = []
    for role in ROLES:
        response = _send(case, callers[role])
        _run["requests"] += 1
        try:
            case.validate_response(response, checks=CHECKS, headers=callers[role])
        except FailureGroup as group:
            failures.append((role, group))
    _run["seconds"] += time.perf_counter() - started
    if failures:
        first = failures[0][1]
        first.add_note(
            "failed as: "
            + "; ".join(
                f"{role} ({', '.join(failure.title for failure in group.exceptions)})"
                for role, group in failures
            )
        )
        raise first


def test_the_fuzz_run_sent_the_ci_budget(request):
    """Runs after the fuzzing (same module, later in the file): the budget was really spent."""
    fuzzed = [item for item in request.session.items if "test_every_operation_answers" in item.name]
    summary = (
        f"schemathesis: {_run['requests']} requests ({_run['cases']} cases x {len(ROLES)} callers) "
        f"over {len(_run['operations'])} operations in {_run['seconds']:.0f} s"
    )
    print(summary)
    # Only when every operation was selected (not with -k on a few operations).
    if len(fuzzed) == len(list(schema.get_all_operations())) and EXAMPLES >= CI_EXAMPLES:
        assert _run["requests"] >= CI_MIN_REQUESTS, summary
