"""Tell whoever keeps derived data (dashboard caches) that something under a node changed.

Writers call `node_changed(node_id)` inside their transaction; listeners run after
the commit (never for a rolled-back change) and must be cheap and idempotent.
Listeners register in their AppConfig.ready(). This is deliberately not a model
signal: a service states what changed, a save() does not.
"""

from collections.abc import Callable

from django.db import transaction

Listener = Callable[..., None]
_listeners: list[Listener] = []
_with_path: list[Listener] = []  # those of _listeners called with the path too


def register_listener(listener: Listener, *, with_path: bool = False) -> None:
    """`listener(node_id)`; with `with_path`, `listener(node_id, path)` where `path` is the ids
    of the node and of every node above it when the writer knew them (else None), so a
    listener that needs the ancestors can skip asking the database for them."""
    if listener not in _listeners:
        _listeners.append(listener)
        if with_path:
            _with_path.append(listener)


def node_changed(node_id: int | None, *, path: tuple[int, ...] | None = None) -> None:
    """`path`: the ids of the node and its ancestors, if the caller has them at hand (the grid
    locator's entry does); they must be the tree's as of this transaction."""
    if node_id is None:
        return

    def tell() -> None:
        for listener in list(_listeners):
            if listener in _with_path:
                listener(node_id, path)
            else:
                listener(node_id)

    transaction.on_commit(tell)
