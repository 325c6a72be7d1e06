"""Services the site keeps working without (the cache, the broker): one place, per process,
that remembers which is down, stops asking it for a while, and logs once per interval.

Asking a dead Redis costs time on every request (kombu alone retries a connection for
about 6 s), and an outage under load would write one warning per request, burying
everything else in the log. So after a failure a service is skipped for `retry_after`
seconds (a circuit breaker: callers take their fallback at once), then tried again; the
warning repeats at most every LOG_INTERVAL seconds, and its return is logged once.
Messages name the service and the error only: never a cache key, a task's arguments or
anything a resident typed.
"""

import logging
import threading
import time

logger = logging.getLogger(__name__)

# Seconds between two warnings about the same service while it stays down.
LOG_INTERVAL = 60.0
# Seconds a failed service is skipped before the next attempt.
RETRY_AFTER = 15.0

_lock = threading.Lock()
# service -> {"since": when it went down, "logged": last warning, "retry_at": next attempt}
_down: dict[str, dict[str, float]] = {}


def available(service: str) -> bool:
    """False while a recent failure says not to try `service` yet."""
    state = _down.get(service)
    return state is None or time.monotonic() >= state["retry_at"]


def report_failure(
    service: str, exc: BaseException, *, consequence: str, retry_after: float = RETRY_AFTER
) -> bool:
    """Note that `service` failed: skip it for `retry_after` s; warn at most once per LOG_INTERVAL.

    True when it warned."""
    now = time.monotonic()
    with _lock:
        state = _down.setdefault(service, {"since": now, "logged": now - LOG_INTERVAL})
        state["retry_at"] = now + retry_after
        if now - state["logged"] < LOG_INTERVAL:
            return False
        state["logged"] = now
        down_for = now - state["since"]
    logger.warning(
        "%s unavailable for %d s (%s: %s); %s. Next report in %d s if it stays down.",
        service,
        down_for,
        type(exc).__name__,
        exc,
        consequence,
        LOG_INTERVAL,
    )
    return True


def report_recovery(service: str) -> bool:
    """Note that `service` answered; log once if it had been down. True when it had."""
    if service not in _down:  # the common case, without taking the lock
        return False
    with _lock:
        state = _down.pop(service, None)
    if state is None:
        return False
    logger.warning("%s available again after %d s", service, time.monotonic() - state["since"])
    return True


def forget() -> None:
    """Tests: start with every service presumed up."""
    with _lock:
        _down.clear()
