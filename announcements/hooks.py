"""Who else must hear of a published announcement (the relay to micro-grid WeChat groups).

An app above announcements (portal, or the notifier's wiring there) registers a listener in
its AppConfig.ready():

    register_publish_listener("wechat-groups", on_announcement_published)

A listener is called with (announcement) INSIDE the transaction of `announcement_publish`, so
what it records (an outbox row per group) commits or rolls back with the announcement itself.
It must only record; network calls go to Celery after commit (hlgrid.tasks.enqueue).
"""

from collections.abc import Callable

_LISTENERS: dict[str, Callable] = {}


def register_publish_listener(name: str, listener: Callable) -> None:
    """Register (or replace, so a reloaded app does not register twice) a listener by name."""
    _LISTENERS[name] = listener


def unregister_publish_listener(name: str) -> None:
    _LISTENERS.pop(name, None)


def announce_published(announcement) -> None:
    for listener in list(_LISTENERS.values()):
        listener(announcement)
