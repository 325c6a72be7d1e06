"""Who else must hear of a petition's change: the 12345 exchange, Open311, the notifier.

An app above petitions (or a part of petitions) registers a listener in its AppConfig.ready():

    register_event_listener("exchange", on_petition_event)

A listener is called with (petition, event) inside the transaction that wrote the event, so
what it records (an outbox row, a delivery to send) commits or rolls back with the change
itself: nothing is announced for a change that did not happen, and nothing is lost for one
that did. It must only record; network calls go to Celery after commit (hlgrid.tasks.enqueue).
"""

from collections.abc import Callable

_LISTENERS: dict[str, Callable] = {}


def register_event_listener(name: str, listener: Callable) -> None:
    """Register (or replace, so a reloaded app does not register twice) a listener by name."""
    _LISTENERS[name] = listener


def announce(petition, event) -> None:
    for listener in list(_LISTENERS.values()):
        listener(petition, event)
