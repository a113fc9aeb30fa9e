"""Widgets of a screen that went are freed: nothing of the app's keeps them alive."""

from __future__ import annotations

import asyncio
import gc
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from textual._styles_cache import StylesCache
from textual.app import App
from textual.signal import Signal
from textual.widget import Widget
from textual.widgets._footer import FooterKey
from textual.worker import Worker, active_worker

from ofcrm_tui.core.sync import NewInbound
from ofcrm_tui.tui.dialogs.campaign_composer import CampaignComposer
from ofcrm_tui.tui.messages import DataChanged
from ofcrm_tui.tui.screens.fan_detail import FanDetailScreen
from ofcrm_tui.tui.screens.fans import FansScreen
from ofcrm_tui.tui.styles_cache import inner_outer
from ofcrm_tui.tui.worker_threads import JobContextExecutor
from tests.tui.conftest import World
from tests.tui.pilot import inbox, press, settle, wait_for

pytestmark = pytest.mark.anyio


def gone_subscribers(signal: Signal[Any]) -> list[object]:
    """The nodes ``signal`` still keeps (with their callbacks, which hold them) that left."""
    return [node for node in signal._subscriptions if not node.is_attached]


def detached(kind: type[Widget]) -> list[Widget]:
    gc.collect()
    return [o for o in gc.get_objects() if isinstance(o, kind) and not o.is_attached]


async def test_a_fan_screen_closed_leaves_the_apps_signals(world: World) -> None:
    """Its subscription to the app's data changes held it until they next changed:
    every fan screen opened and closed stayed in memory with its widgets."""
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await press(pilot, "enter")  # the top conversation
        await wait_for(pilot, lambda: inbox(pilot).open_row is not None)
        for _ in range(2):
            await press(pilot, "i")
            assert isinstance(app.screen, FanDetailScreen)
            await press(pilot, "escape")
        for signal in (app.changes, app.team):
            assert gone_subscribers(signal) == []


async def test_the_campaign_composer_closed_leaves_the_apps_changes(world: World) -> None:
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await press(pilot, "4", "n")
        assert isinstance(app.screen, CampaignComposer)
        await press(pilot, "escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, CampaignComposer))
        assert gone_subscribers(app.changes) == []


async def test_footer_keys_made_again_are_freed(world: World) -> None:
    """Each key a footer makes watches the footer's spacing, which seldom changes: the
    keys of every footer made again (another screen, other keys) stayed alive."""
    async with world.app().run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        for _ in range(2):
            await press(pilot, "2", "1")  # the fans' screen and back: both footers made again
        assert detached(FooterKey) == []


def styles_caches_of_the_gone() -> list[StylesCache]:
    """The widgets' render caches alive whose widget is not in the app (or is gone)."""
    gc.collect()
    live = gc.get_objects()
    attached = {id(o._styles_cache) for o in live if isinstance(o, Widget) and o.is_attached}
    return [o for o in live if isinstance(o, StylesCache) and id(o) not in attached]


async def test_the_render_caches_of_closed_fan_screens_are_freed(world: World) -> None:
    """Textual's ``lru_cache`` on ``StylesCache.get_inner_outer`` keyed on the cache
    itself: it kept the render caches (and rendered lines) of up to 1024 gone widgets."""
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await press(pilot, "enter")  # the top conversation
        await wait_for(pilot, lambda: inbox(pilot).open_row is not None)
        for _ in range(3):
            await press(pilot, "i")
            assert isinstance(app.screen, FanDetailScreen)
            await press(pilot, "escape")
        await settle(pilot)
        assert styles_caches_of_the_gone() == []


def test_the_pinned_textual_still_caches_its_render_caches() -> None:
    """Textual#6665 is still there, so ``ofcrm_tui.tui.styles_cache`` replaced its
    method. When this fails the pinned Textual fixed it: that module goes."""
    assert vars(StylesCache)["get_inner_outer"].__func__ is inner_outer


async def last_thread_worker_seen_by(pool: ThreadPoolExecutor) -> tuple[Worker[None], object]:
    """A bare Textual app runs a thread worker on ``pool`` (of one thread), then asks that
    thread for its ``active_worker``."""
    asyncio.get_running_loop().set_default_executor(pool)
    app: App[None] = App()
    async with app.run_test():
        worker = app.run_worker(lambda: None, thread=True)
        await worker.wait()
    return worker, pool.submit(active_worker.get, None).result()


async def test_the_pinned_textual_still_leaves_its_worker_in_the_thread() -> None:
    """Textual sets ``active_worker`` in the executor thread's own context, which keeps
    the worker after its job. When this fails the pinned Textual fixed it:
    ``ofcrm_tui.tui.worker_threads`` goes."""
    worker, seen = await last_thread_worker_seen_by(ThreadPoolExecutor(max_workers=1))
    assert seen is worker


async def test_the_apps_worker_threads_keep_no_worker() -> None:
    _, seen = await last_thread_worker_seen_by(JobContextExecutor(max_workers=1))
    assert seen is None


async def test_a_hidden_screen_keeps_no_new_messages(world: World) -> None:
    """Only the inbox reads the new fan messages of a change; a hidden screen kept
    every one of a shift (each merge copying them all) until it was shown."""
    app = world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await press(pilot, "3", "1")  # the fans screen made, then hidden behind the inbox
        await settle(pilot)
        fans = next(s for s in app._screen_stacks["fans"] if isinstance(s, FansScreen))
        for i in range(500):  # a shift's polls: a new fan message each
            app.changes.publish(DataChanged.of("inbox", inbound=(
                NewInbound(1, "fan", f"message {i}", 0, 0, 10_000 + i),)))
        await settle(pilot)
        assert fans._missed is not None and fans._missed.touches("inbox")
        assert fans._missed.inbound == ()
