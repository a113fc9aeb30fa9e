"""Textual's watchers of one node's reactives, taken off once the nodes watching are gone.

Textual drops a closed node's watcher of another object's reactive only when that
value changes next (``Reactive._check_watchers``): a value that hardly ever changes
keeps every node that watched it alive, with its widgets, their rendered lines and
caches, for as long as the app runs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any


def drop_watchers(owner: Any, names: Iterable[str], gone: Callable[[Any], bool]) -> None:
    """Take off the watchers of ``owner``'s reactives ``names`` whose node is ``gone``."""
    watchers = getattr(owner, "__watchers", {})  # where Textual's ``watch`` keeps them
    for name in names:
        kept = watchers.get(name)
        if kept:
            kept[:] = [(node, callback) for node, callback in kept if not gone(node)]
