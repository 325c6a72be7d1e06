"""Tell whoever keeps derived data (dashboard caches) that something under a node changed.

Writers call `node_changed(node_id)` inside their transaction; listeners run after
the commit (never for a rolled-back change) and must be cheap and idempotent.
Listeners register in their AppConfig.ready(). This is deliberately not a model
signal: a service states what changed, a save() does not.
"""

from collections.abc import Callable

from django.db import transaction

Listener = Callable[[int], None]
_listeners: list[Listener] = []


def register_listener(listener: Listener) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def node_changed(node_id: int | None) -> None:
    if node_id is None:
        return

    def tell() -> None:
        for listener in list(_listeners):
            listener(node_id)

    transaction.on_commit(tell)
