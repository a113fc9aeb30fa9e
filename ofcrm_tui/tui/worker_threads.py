"""The threads of the app's thread workers, which let go of each worker once it is done.

Textual (8.2.8) runs a thread worker in the event loop's default executor, after
``active_worker.set(worker)`` in the executor thread's own context. That context
outlives the job: each idle thread kept the last worker it ran and, through the
worker's callable, what it was called on (a fan screen closed long before, with its
widgets and their render caches). Here each job runs in a context of its own, dropped
when the job ends. ``tests/tui/test_released.py`` checks both that it is needed and that
it works.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any


class JobContextExecutor(ThreadPoolExecutor):
    """A thread pool whose jobs each run in a fresh ``contextvars.Context``."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        return super().submit(contextvars.Context().run, fn, *args, **kwargs)


def use_on_running_loop() -> None:
    """Make a ``JobContextExecutor`` the running loop's default executor. A pool this
    replaces (a test's loop that ran another app) ends its idle threads once collected."""
    asyncio.get_running_loop().set_default_executor(
        JobContextExecutor(thread_name_prefix="ofcrm-worker"))
