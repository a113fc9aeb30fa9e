"""Screenshots of the real app on demo data: ``python -m ofcrm_tui.tui.screenshots [DIR]``.

Serves the same simulated account as ``ofcrm demo`` (with its history ending at a fixed
time, and the app's clock frozen there, so reruns give the same pictures), syncs it
into a throwaway SQLite database, drives the app with Pilot and saves SVGs
(default: ``screenshots/``; ``--only NAME…`` for some). ``rsvg-convert -o inbox.png
inbox.svg`` makes a PNG.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from ofcrm_tui import secrets
from ofcrm_tui.config import Settings
from ofcrm_tui.context import AppContext
from ofcrm_tui.core.accounts import add_account, resolve_account
from ofcrm_tui.core.sync import InboundSync
from ofcrm_tui.platform.client import PlatformClient
from ofcrm_tui.simulator import Simulator, SimulatorConfig
from ofcrm_tui.tui.app import OfcrmApp

NOW = datetime(2026, 11, 20, 18, 0, tzinfo=UTC)
SIZE = (160, 45)
ACCOUNT = "demo"
TOKEN = "demo-token"

# name -> keys pressed before the picture ("wait" lets workers finish first; a name in
# ``ACTIONS`` does that instead of a key)
SHOTS: dict[str, tuple[str, ...]] = {
    "inbox": ("j", "j"),
    "inbox-80x24": ("j", "j"),
    "thread": ("j", "j", "enter", "tab", "k", "k"),
    "offer": ("enter", "r", *"Something special, just for you", "ctrl+o", "wait",
              "tab", "space", "down", "space", "shift+tab", *"25"),
    "composer-ppv": (
        "enter", "r", *"Something special, just for you", "ctrl+o", "wait",
        "tab", "space", "down", "space", "shift+tab", *"25", "ctrl+s",
        "escape",  # out of the composer: a blinking cursor would make each run differ
    ),
    "saved-replies": ("enter", "r", "ctrl+r", "wait"),
    "help": ("question_mark",),
    "quit": ("q", "wait"),
    "fans": ("3", "j"),
    "fan-filter": ("3", "f", "wait"),
    "fan-new": ("3", "n"),
    "fan-detail": ("3", "enter"),
    "note": ("3", "enter", "a", *"Prefers short videos; birthday in May"),
    "import-report": ("3", "import-sample", "wait", "ctrl+s"),
    "export": ("3", "E", "wait"),
    "analytics": ("5", "m"),
    "analytics-80x24": ("5", "m"),
    "period": ("5", "c"),
    "monitoring": ("6",),
    "failed": ("2", "space", "j", "space"),
    "campaigns": ("4",),
    "campaign-composer": ("4", "e", "wait"),  # the draft, newest first
    "campaign-running": ("4", "j", "j", "enter", "wait"),
    # Team mode: sam typing in the conversation opened, ana on another, owners marked.
    "team": ("j", "enter", "tab"),
    "team-80x24": ("j", "enter", "tab"),
    "assign": ("j", "at", "wait"),
    # Typing into sam's conversation: asked first; then sending while sam types.
    "owned": ("j", "enter", "r"),
    "collision": ("j", "enter", "r", "r", *"Hey you, I'm here!", "ctrl+s", "wait"),
}
# Shots at another size than ``SIZE``.
SIZES: dict[str, tuple[int, int]] = {
    name: (80, 24) for name in SHOTS if name.endswith("-80x24")
}
# Shots that need campaigns first (``campaign_history``).
NEEDS_CAMPAIGNS = ("campaigns", "campaign-composer", "campaign-running")
# A spreadsheet's fans, with two bad rows, for the import report (at a fixed path: the
# dialog shows it).
SAMPLE = Path(tempfile.gettempdir()) / "ofcrm-screenshots" / "fans-from-a-spreadsheet.csv"
SAMPLE_ROWS = (
    "Handle;Display Name;Tags;Total Spent;Subscribed since;Notes;Source\n"
    "lena_s;Lena S.;vip|new;120.50;2026-03-01;met at the meetup;sheet\n"
    "marco;Marco;;abc;2026-04-11;;sheet\n"
    "=cmd;Eve;;5;2031-01-01;;sheet\n"
    "jo_anne;Jo Anne;regular;42;2026-05-02;\"asks for\nvideos\";sheet\n"
)


def _push_import(app: OfcrmApp) -> None:
    from ofcrm_tui.tui.dialogs.fan_import import ImportDialog

    SAMPLE.parent.mkdir(parents=True, exist_ok=True)
    SAMPLE.write_text(SAMPLE_ROWS, encoding="utf-8")
    app.push_screen(ImportDialog(SAMPLE))


def _fail_some(context: AppContext, sim: Simulator, base_url: str) -> None:
    """Messages that fail for real: queued to fans whose subscription then ends on the
    platform, sent once (a 403 is a clear failure)."""
    from ofcrm_tui.core import outbox
    from ofcrm_tui.core.fans.resolve import resolve_fan
    from ofcrm_tui.core.outbox.sender import Sender

    account = resolve_account(context.db, ACCOUNT)
    texts = ("Still there? I made something for you", "Your weekend surprise is ready",
             "Thanks for the tip! Here's a little extra", "Miss you, come say hi")
    for platform_id, text in zip(sim.world.active_ids, texts, strict=False):
        fan = sim.world.fans[platform_id]
        local = resolve_fan(context.db, account.id, fan.username)
        outbox.enqueue(context.db, account.id, local.id, text, created_by="demo", max_attempts=1,
                       now=NOW)
        fan.active = False
    with PlatformClient(base_url, TOKEN, timeout=10) as client:
        Sender(context.db, account.id, client, clock=lambda: NOW).drain()


def _queue_some(context: AppContext, sim: Simulator, base_url: str) -> None:
    """Replies queued, not sent yet (the app shot has no sender running)."""
    from ofcrm_tui.core import outbox
    from ofcrm_tui.core.fans.resolve import resolve_fan

    account = resolve_account(context.db, ACCOUNT)
    texts = ("See you tonight?", "Thank you babe!", "New set drops tomorrow")
    for platform_id, text in zip(sim.world.active_ids, texts, strict=False):
        fan = resolve_fan(context.db, account.id, sim.world.fans[platform_id].username)
        outbox.enqueue(context.db, account.id, fan.id, text, created_by="demo", now=NOW)


def _save_replies(context: AppContext, sim: Simulator, base_url: str) -> None:
    from ofcrm_tui.devdata.demo import add_saved_replies

    add_saved_replies(context.db, resolve_account(context.db, ACCOUNT).id)


def _team_at_work(context: AppContext, sim: Simulator, base_url: str) -> None:
    """Other chatters' apps as their heartbeats leave them (sam typing in the second
    conversation, ana reading the fourth) and a few conversations assigned."""
    from ofcrm_tui.core import inbox, team

    db = context.db
    account = resolve_account(db, ACCOUNT)
    rows = inbox.conversations_window(db, account.id, inbox.InboxFilter(order="fan"), 0, 6)
    ids = [row.conversation_id for row in rows]
    for app_id, chatter, conversation, typing in (
        ("sam-app", "sam", ids[1], NOW - timedelta(seconds=3)), ("ana-app", "ana", ids[3], None),
    ):
        team.beat(db, app_id, team.Beat(account.id, chatter, conversation, typing), now=NOW,
                  expiry_seconds=context.settings.presence_expiry_seconds)
    for conversation, chatter in ((ids[1], "sam"), (ids[2], "demo"), (ids[4], "ana")):
        team.assign(db, account.id, conversation, chatter, by="demo", now=NOW)


ACTIONS: dict[str, Callable[[OfcrmApp], None]] = {"import-sample": _push_import}


# What a shot needs in the data besides the synced demo account.
PREPARE: dict[str, Callable[[AppContext, Simulator, str], None]] = {
    "failed": _fail_some, "team": _team_at_work, "team-80x24": _team_at_work,
    "assign": _team_at_work, "owned": _team_at_work, "collision": _team_at_work,
    "quit": _queue_some, "saved-replies": _save_replies,
}


@contextmanager
def demo_context(
    directory: Path,
    *,
    fans: int = 300,
    seed: int = 1,
    prepare: Callable[[AppContext, Simulator, str], None] | None = None,
) -> Iterator[AppContext]:
    """A synced database of the demo account, while its simulator serves (``prepare``
    adds to it)."""
    os.environ[secrets.env_var_name(ACCOUNT)] = TOKEN
    sim = Simulator(SimulatorConfig(fans=fans, seed=seed, token=TOKEN, now=NOW))
    context = AppContext(Settings(database_url=f"sqlite:///{directory / 'demo.db'}",
                                  chatter_name="demo"))
    try:
        with sim.serve() as base_url:
            account = add_account(context.db, ACCOUNT, base_url, TOKEN,
                                  send_limit_per_minute=10, timeout_seconds=10)
            with PlatformClient(base_url, TOKEN, timeout=10) as client:
                InboundSync(context.db, account.id, client).full()
            if prepare is not None:
                prepare(context, sim, base_url)
            yield context
    finally:
        context.close()


async def settle(pilot: Pilot[object]) -> None:
    """Let workers finish and their messages land (they may start more)."""
    for _ in range(5):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def shoot(
    context: AppContext, keys: Sequence[str], path: Path, size: tuple[int, int] = SIZE
) -> None:
    app = OfcrmApp(context, resolve_account(context.db, ACCOUNT), clock=lambda: NOW)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        for key in keys:
            if key in ACTIONS:
                ACTIONS[key](app)
            elif key != "wait":
                await pilot.press(key)
            await settle(pilot)
        for screen in app.screen_stack:  # a steady cursor: each run the same picture
            for field in (*screen.query(Input), *screen.query(TextArea)):
                field.cursor_blink = False
        await pilot.pause()
        # Spaces kept as drawn: converters (rsvg-convert) otherwise drop a span's leading ones.
        svg = app.export_screenshot().replace("<svg ", '<svg xml:space="preserve" ', 1)
        path.write_text(svg, encoding="utf-8")


def campaign_history(context: AppContext) -> None:
    """Campaigns as days of use leave them: one done with purchases, one running
    part-way, one scheduled, one draft. Sends go through the real sender to the
    simulator; fans' purchases are marked as the next sync would find them."""
    from sqlalchemy import select, update

    from ofcrm_tui.core import campaigns
    from ofcrm_tui.core.campaigns import CampaignSpec, Segment
    from ofcrm_tui.core.campaigns.schedule import finish
    from ofcrm_tui.store.models import Media, Message, OutboundMessage

    db = context.db
    account = resolve_account(db, ACCOUNT)
    with db.read() as session:
        media = tuple(session.scalars(select(Media.platform_media_id).where(
            Media.account_id == account.id).order_by(Media.platform_media_id).limit(2)))
    done = campaigns.create(db, account.id, CampaignSpec(
        "Top fans PPV", "Hey {name|babe}, something just for you", Segment(min_spent_cents=20000),
        price_cents=1500, media_ids=media), created_by="demo", now=NOW - timedelta(days=3))
    _send(context, NOW - timedelta(days=3), None)
    with db.write() as session:
        sent = list(session.scalars(select(OutboundMessage.platform_message_id).where(
            OutboundMessage.campaign_id == done.campaign_id,
            OutboundMessage.state == "sent").order_by(OutboundMessage.id)))
        session.execute(update(Message).where(  # every third fan bought it
            Message.account_id == account.id,
            Message.platform_message_id.in_(sent[::3])).values(is_opened=True))
    finish(db, account.id)
    campaigns.create(db, account.id, CampaignSpec(
        "We miss you", "Hi {name|there}, it's been a while!", Segment(inactive_days=7)),
        created_by="demo", now=NOW - timedelta(hours=2))
    _send(context, NOW - timedelta(hours=2), 4)  # the simulator takes 10 a minute
    campaigns.create(db, account.id, CampaignSpec(
        "New subscribers welcome", "Welcome {name|babe}!", Segment(subscribed_days=7),
        at=NOW + timedelta(hours=20)), created_by="demo", now=NOW)
    campaigns.save_draft(db, account.id, CampaignSpec(
        "Black Friday", "{name|Hey}, 50% off everything today only",
        Segment(min_spent_cents=5000, not_messaged_days=3, skip_live_minutes=30),
        price_cents=999, media_ids=media[:1]), created_by="demo")


def _send(context: AppContext, at: datetime, sends: int | None) -> None:
    """The queue drained at ``at`` (``sends`` of it, or all) by the real sender."""
    from ofcrm_tui.core.outbox.sender import Sender, SenderConfig

    account = resolve_account(context.db, ACCOUNT)
    with PlatformClient(account.base_url, TOKEN, timeout=10) as client:
        Sender(context.db, account.id, client, SenderConfig(), clock=lambda: at).drain(
            max_sends=sends)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", default="screenshots", type=Path)
    parser.add_argument("--only", nargs="+", choices=sorted(SHOTS), metavar="NAME",
                        help="only these shots (default: all)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, keys in SHOTS.items():
        if args.only and name not in args.only:
            continue
        # A fresh database each time: opening a chat marks it read.
        with tempfile.TemporaryDirectory() as tmp, demo_context(
            Path(tmp), prepare=PREPARE.get(name)
        ) as context:
            if name in NEEDS_CAMPAIGNS:
                campaign_history(context)
            asyncio.run(shoot(context, keys, args.out / f"{name}.svg", SIZES.get(name, SIZE)))
        print(args.out / f"{name}.svg")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
