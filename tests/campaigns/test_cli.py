"""``ofcrm campaign``: create with confirmation, list, show, pause / resume / cancel, and
bad input refused with one line and nothing queued."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, update

from ofcrm_tui.cli.main import main
from ofcrm_tui.core import campaigns
from ofcrm_tui.core.campaigns import CampaignSpec, Segment
from ofcrm_tui.store.models import Account, Campaign, OutboundMessage
from ofcrm_tui.store.types import utcnow
from tests.campaigns.conftest import World


def run(url: str, *argv: str) -> int:
    """The exit code, a bad value's too (argparse refuses it as typed: SystemExit)."""
    try:
        return main(["--db", url, "campaign", *argv])
    except SystemExit as exc:
        return int(exc.code or 0)


def counts(world: World) -> tuple[int, int]:
    with world.db.read() as session:
        return (session.scalar(select(func.count()).select_from(Campaign)) or 0,
                session.scalar(select(func.count()).select_from(OutboundMessage)) or 0)


def test_create_list_show_pause_resume_cancel(
    world: World, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run(database_url, "create", "--account", "mia", "--name", "VIP drop",
               "--text", "Hey {name|babe}", "--tag", "vip", "--price", "9.99",
               "--media", "501", "--yes")
    out = capsys.readouterr().out
    assert code == 0
    assert "2 recipients, $9.99 PPV, 1 media" in out
    assert "preview for @ann: Hey Ann" in out
    assert "messages queued" in out and counts(world) == (1, 2)
    assert run(database_url, "list", "--account", "mia") == 0
    assert "#1 running" in capsys.readouterr().out
    assert run(database_url, "pause", "1", "--account", "mia") == 0
    assert "paused (2 messages)" in capsys.readouterr().out
    assert run(database_url, "show", "1", "--account", "mia") == 0
    shown = capsys.readouterr().out
    assert "paused" in shown and "waiting 2" in shown and "revenue $0.00" in shown
    assert "  segment: active fans, tagged vip\n" in shown  # in words, not {'tags_in': …}
    assert "sent 0 of 2 · failed 0 · waiting 2" in shown
    assert run(database_url, "resume", "1", "--account", "mia") == 0
    assert run(database_url, "cancel", "1", "--account", "mia", "--yes") == 0
    assert capsys.readouterr().out.endswith(
        "campaign #1 cancelled: 2 waiting messages will never be sent\n")
    # Refused by its status, as a done campaign's cancel is: one line, exit 2.
    for action, verb in (("resume", "resumed"), ("pause", "paused"), ("cancel", "cancelled")):
        assert run(database_url, action, "1", "--account", "mia") == 2
        assert capsys.readouterr().err == (
            f"ofcrm: error: campaign #1 is cancelled: it cannot be {verb}\n")


def test_one_recipient_is_counted_as_one(
    world: World, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(database_url, "create", "--account", "mia", "--name", "New", "--text", "hi",
               "--tag", "new", "--yes") == 0  # cat alone
    out = capsys.readouterr().out
    assert "1 recipient, " in out and "started: 1 message queued" in out
    assert run(database_url, "pause", "1", "--account", "mia") == 0
    assert "paused (1 message)" in capsys.readouterr().out


def test_the_send_time_counts_the_campaign_messages_queued_ahead(
    world: World, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with world.db.write() as session:  # 4 a minute, 3 kept for replies: 1 campaign send a minute
        session.get(Account, world.account).send_limit_per_minute = 4
    create = ("create", "--account", "mia", "--text", "hi", "--tag", "vip", "--yes")
    assert run(database_url, *create, "--name", "First") == 0
    out = capsys.readouterr().out
    assert "sending takes about 2 min at the current limit (4/min, 3 kept for replies)\n" in out
    assert run(database_url, *create, "--name", "Second") == 0  # behind the first's 2 rows
    out = capsys.readouterr().out
    assert ("sending takes about 4 min at the current limit (4/min, 3 kept for replies, "
            "after 2 campaign messages queued ahead)\n") in out
    (first, second) = campaigns.campaigns(world.db, world.account)[::-1]
    assert (second.eta - first.eta) == timedelta(minutes=2)  # the list's ETAs say the same


class _Terminal(io.StringIO):
    """Typed answers, read as from a terminal."""

    def isatty(self) -> bool:
        return True


def test_a_scheduled_campaign_is_timed_from_its_start_and_asked_to_schedule(
    world: World, database_url: str, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A campaign starting tomorrow does not wait behind today's queue (its estimate
    said "after 2 campaign messages queued ahead"), and the question is to schedule it."""
    with world.db.write() as session:  # 4 a minute, 3 kept for replies: 1 campaign send a minute
        session.get(Account, world.account).send_limit_per_minute = 4
    assert run(database_url, "create", "--account", "mia", "--name", "Now", "--text", "hi",
               "--tag", "vip", "--yes") == 0  # 2 rows queued
    capsys.readouterr()
    monkeypatch.setattr("sys.stdin", _Terminal("n\n"))
    at = (utcnow() + timedelta(days=1)).isoformat()
    assert run(database_url, "create", "--account", "mia", "--name", "Later", "--text", "hi",
               "--tag", "vip", "--at", at) == 1
    out = capsys.readouterr().out
    assert "sending takes about 2 min at the current limit (4/min, 3 kept for replies)\n" in out
    assert "Schedule it? [y/N] nothing queued" in out and "Start it?" not in out
    assert counts(world) == (1, 2)  # the first campaign alone


def test_create_at_a_time_schedules(world: World, database_url: str,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    at = (utcnow() + timedelta(days=1)).isoformat()
    assert run(database_url, "create", "--account", "mia", "--name", "Later", "--text", "hi",
               "--at", at, "--yes") == 0
    assert "scheduled (4 recipients now)" in capsys.readouterr().out
    assert counts(world) == (1, 0)


def test_a_local_time_is_read_on_the_clocks_of_its_date(
    world: World, database_url: str, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """In Paris in winter, 10:00 on a July day is 08:00 UTC (summer time), not 09:00
    (today's offset); 02:30 on the spring-forward night is not on the clocks at all."""
    monkeypatch.setattr("ofcrm_tui.cli.campaign_cmd.local_zone", lambda: ZoneInfo("Europe/Paris"))
    july = utcnow().year + 1
    assert run(database_url, "create", "--account", "mia", "--name", "Summer", "--text", "hi",
               "--at", f"{july}-07-01T10:00", "--yes") == 0
    with world.db.read() as session:
        at = session.scalar(select(Campaign.scheduled_at))
    assert at is not None and at.replace(tzinfo=UTC) == datetime(july, 7, 1, 8, 0, tzinfo=UTC)
    capsys.readouterr()
    assert run(database_url, "create", "--account", "mia", "--name", "Spring", "--text", "hi",
               "--at", "2099-03-29T02:30", "--yes") == 2  # a bad value
    err = capsys.readouterr().err
    assert "does not exist here" in err and err.count("\n") == 1
    assert counts(world) == (1, 0)


def test_without_yes_and_no_terminal_nothing_is_queued(
    world: World, database_url: str, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert run(database_url, "create", "--account", "mia", "--name", "x", "--text", "hi") == 2
    captured = capsys.readouterr()
    assert "4 recipients" in captured.out
    assert "nothing queued: add --yes (no terminal to ask on)" in captured.err
    assert counts(world) == (0, 0)


@pytest.mark.parametrize(
    ("extra", "message", "code"),
    [
        (["--tag", "late", "--exclude-tag", "vip"], "no recipients", 1),
        (["--price", "2.50", "--media", "501"], "between $3.00", 2),  # a bad value, as typed
        (["--price", "9.99"], "needs at least one media", 1),
        (["--tag", "nobody"], "unknown tag 'nobody'", 1),
        (["--at", "2020-01-01T10:00"], "is in the past", 1),
        (["--at", "tomorrow"], "bad time", 2),
        (["--text", "Hi {first}"], "unknown placeholder {first}", 2),
    ],
)
def test_bad_input_one_line_nothing_queued(
    world: World, database_url: str, capsys: pytest.CaptureFixture[str],
    extra: list[str], message: str, code: int,
) -> None:
    argv = ["create", "--account", "mia", "--name", "x", "--text", "hi", *extra, "--yes"]
    assert run(database_url, *argv) == code
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err
    assert counts(world) == (0, 0)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--min-spent", "lots"], "argument --min-spent: bad minimum spend 'lots': give dollars, "
         "e.g. 25 or 9.99 (see ofcrm campaign create --help)"),
        (["--min-spent", "50", "--max-spent", "10"], "minimum spend $50.00 is above the maximum $10.00"),
        # Every tag wanted left out too: no fan can match (it said "no recipients", exit 1).
        (["--tag", "vip", "--exclude-tag", "VIP"],
         "#vip is both wanted and left out: no fan can match"),
        (["--inactive-days", "-3"], "inactive days must be a whole number, 0 or more"),
        (["--inactive-days", "1.5"], "argument --inactive-days: '1.5' is not a whole number "
         "(see ofcrm campaign create --help)"),
        (["--skip-live-minutes", "soon"], "argument --skip-live-minutes: 'soon' is not a whole "
         "number (see ofcrm campaign create --help)"),
    ],
)
def test_a_segment_that_cannot_be_is_refused_as_the_fan_filter_is(
    world: World, database_url: str, capsys: pytest.CaptureFixture[str],
    extra: list[str], message: str,
) -> None:
    """The segment's options are the fan filter's: the same words and exit code (2) as
    ``fans list``, nothing queued."""
    argv = ["create", "--account", "mia", "--name", "x", "--text", "hi", *extra, "--yes"]
    assert run(database_url, *argv) == 2
    assert capsys.readouterr().err == f"ofcrm: error: {message}\n"
    assert counts(world) == (0, 0)


def test_cancelling_a_done_campaign_with_nothing_left_changes_nothing(
    world: World, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(database_url, "create", "--account", "mia", "--name", "Done", "--text", "hi",
               "--tag", "vip", "--yes") == 0
    capsys.readouterr()
    with world.db.write() as session:  # every message went: the campaign is done
        session.execute(update(OutboundMessage).values(state="sent", sent_at=utcnow()))
        session.execute(update(Campaign).values(status="done"))

    def rows() -> list[tuple[object, ...]]:
        with world.db.read() as session:
            return [tuple(r) for r in session.execute(select(
                Campaign.status, OutboundMessage.state, OutboundMessage.updated_at,
            ).join(OutboundMessage, OutboundMessage.campaign_id == Campaign.id))]

    before = rows()
    assert run(database_url, "cancel", "1", "--account", "mia") == 2
    out, err = capsys.readouterr()
    assert out == "" and err == (
        "ofcrm: error: campaign #1 is done and has no message left to cancel: nothing changed\n")
    assert rows() == before
    # A done campaign still holding failed messages: cancelling drops them.
    assert run(database_url, "create", "--account", "mia", "--name", "Failed", "--text", "hi",
               "--tag", "vip", "--yes") == 0
    with world.db.write() as session:
        session.execute(update(OutboundMessage).where(OutboundMessage.campaign_id == 2)
                        .values(state="failed"))
        session.execute(update(Campaign).where(Campaign.id == 2).values(status="done"))
    capsys.readouterr()
    assert run(database_url, "cancel", "2", "--account", "mia", "--yes") == 0
    assert capsys.readouterr().out == (
        "campaign #2 cancelled: 2 failed messages will never be sent\n")


def test_campaigns_not_started_show_no_results(
    world: World, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A draft and a scheduled campaign have no recipients yet: no "sent 0 · bought 0
    $0.00", a dash (the draft) or when it starts (the scheduled one)."""
    priced = CampaignSpec("Draft drop", "hi", Segment(), price_cents=999, media_ids=(501,))
    campaigns.save_draft(world.db, world.account, priced, created_by="me")
    at = (utcnow() + timedelta(days=1)).replace(second=0, microsecond=0)
    assert run(database_url, "create", "--account", "mia", "--name", "Later", "--text", "hi",
               "--price", "9.99", "--media", "501", "--at", at.isoformat(), "--yes") == 0
    capsys.readouterr()
    assert run(database_url, "list", "--account", "mia") == 0
    listed = capsys.readouterr().out.splitlines()
    assert len(listed) == 2
    assert listed[0].startswith("#2 scheduled") and listed[0].endswith(
        f"starts {at.astimezone():%Y-%m-%d %H:%M %Z}")
    assert listed[1].startswith("#1 draft") and listed[1].endswith(" —")
    assert not any(word in line for line in listed for word in ("sent", "bought", "$0.00"))
    for campaign_id in ("1", "2"):
        assert run(database_url, "show", campaign_id, "--account", "mia") == 0
        shown = capsys.readouterr().out
        assert "not started yet: no recipients, no results" in shown
        assert "sent 0" not in shown and "bought" not in shown and "$0.00" not in shown


def test_delete_a_draft_asks_and_a_campaign_that_started_is_refused(
    world: World, database_url: str, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    draft = campaigns.save_draft(world.db, world.account, CampaignSpec("Old idea", "hi"),
                                 created_by="me")
    assert run(database_url, "create", "--account", "mia", "--name", "Now", "--text", "hi",
               "--yes") == 0
    capsys.readouterr()
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # no terminal: --yes or nothing
    assert run(database_url, "delete", str(draft), "--account", "mia") == 2  # usage: --yes
    assert capsys.readouterr().err == (
        "ofcrm: error: not deleted: add --yes (no terminal to ask on)\n")
    monkeypatch.setattr("sys.stdin.isatty", lambda: True, raising=False)
    monkeypatch.setattr("builtins.input", lambda prompt: print(prompt) or "n")
    assert run(database_url, "delete", str(draft), "--account", "mia") == 1
    assert capsys.readouterr().out == (
        "Delete campaign #1 'Old idea'? It goes for good [y/N] \nkept\n")
    assert counts(world)[0] == 2
    assert run(database_url, "delete", "2", "--account", "mia", "--yes") == 2
    assert capsys.readouterr().err == (
        "ofcrm: error: campaign #2 is running: only a draft, or a campaign cancelled before "
        "it started, can be deleted\n")
    assert run(database_url, "delete", str(draft), "--account", "mia", "--yes") == 0
    assert capsys.readouterr().out == "campaign #1 deleted\n"
    assert counts(world) == (1, 4)
