"""The exchange's tunables: from Django settings when set there (tests), else the environment."""

from django.conf import settings

from hlgrid.env import env_int

# A signed request's X-Timestamp may be at most this far from our clock, either way.
SIGNATURE_WINDOW_SECONDS = 300
# How long a rotated secret keeps working beside the new one, unless rotated "at once".
SECRET_GRACE_HOURS = 24


def _value(name: str, default: int) -> int:
    return getattr(settings, name, None) or env_int(name, default)


def max_attempts() -> int:
    """Tries of one delivery before it is FAILED and waits for someone to retry it by hand."""
    return _value("EXCHANGE_MAX_ATTEMPTS", 8)


def retry_base_seconds() -> int:
    """The wait after the first failure; it doubles after each further one."""
    return _value("EXCHANGE_RETRY_BASE_SECONDS", 60)


def retry_cap_seconds() -> int:
    # Below the Redis broker's visibility timeout (an hour), so a waiting retry is not redelivered.
    return _value("EXCHANGE_RETRY_CAP_SECONDS", 1800)


def http_timeout_seconds() -> int:
    return _value("EXCHANGE_HTTP_TIMEOUT", 10)
