"""``ofcrm export analytics``: the file holds what the dashboard holds, to the cent."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest

from ofcrm_tui.cli.main import main
from ofcrm_tui.core.analytics.export import TYPE_COLUMNS, ExportKind, write_csv
from ofcrm_tui.core.analytics.figures import REVENUE_TYPES, dashboard
from ofcrm_tui.errors import OfcrmError
from ofcrm_tui.store.database import Database
from tests.analytics.data import Builder, add_known_data, known_period, utc

PERIOD = ["--from", "2026-03-28", "--to", "2026-03-30", "--tz", "Europe/Paris"]


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def _cents(text: str) -> int:
    return int(Decimal(text) * 100)


def _export(db: Database, tmp_path: Path, *extra: str) -> list[dict[str, str]]:
    target = tmp_path / "out.csv"
    assert main(["--db", str(db.url.render_as_string(hide_password=False)), "export", "analytics",
                 str(target), "--account", "known", *PERIOD, *extra]) == 0
    return _read(target)


def test_daily_file_matches_the_series(db: Database, tmp_path: Path) -> None:
    account_id = add_known_data(db)
    rows = _export(db, tmp_path)
    series = dashboard(db, account_id, known_period()).series
    assert list(rows[0]) == ["date", "revenue", "subscriptions", "tips", "messages", "posts", "streams"]
    assert [r["date"] for r in rows] == ["2026-03-28", "2026-03-29", "2026-03-30"]
    for row, point in zip(rows, series, strict=True):
        assert _cents(row["revenue"]) == point.revenue_cents
        for kind in REVENUE_TYPES:
            assert _cents(row[TYPE_COLUMNS[kind]]) == point.of(kind)
    assert [r["revenue"] for r in rows] == ["24.99", "12.99", "26.00"]
    assert sum(_cents(r["revenue"]) for r in rows) == 6398


def test_a_one_day_file_has_the_hours_of_the_chart(db: Database, tmp_path: Path) -> None:
    add_known_data(db)
    target = tmp_path / "day.csv"
    assert main(["--db", str(db.url.render_as_string(hide_password=False)), "export", "analytics",
                 str(target), "--account", "known", "--from", "2026-03-29", "--to", "2026-03-29",
                 "--tz", "Europe/Paris"]) == 0
    rows = _read(target)
    assert list(rows[0])[:2] == ["hour", "revenue"] and len(rows) == 23
    assert [r["hour"] for r in rows[:3]] == [
        "2026-03-29T00:00+01:00", "2026-03-29T01:00+01:00", "2026-03-29T03:00+02:00"]
    assert {r["hour"]: r["revenue"] for r in rows if r["revenue"] != "0.00"} == {
        "2026-03-29T00:00+01:00": "9.99", "2026-03-29T23:00+02:00": "3.00"}


def test_today_s_file_stops_at_the_current_hour(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--days 1`` at 03:20 in Paris: the hours so far (the one begun included), as the
    screen charts them; not 23:00 and the other hours still to come as 0.00 rows."""
    from ofcrm_tui.cli import export_analytics

    add_known_data(db)
    monkeypatch.setattr(export_analytics, "utcnow", lambda: utc(2026, 3, 29, 1, 20))
    target = tmp_path / "today.csv"
    assert main(["--db", str(db.url.render_as_string(hide_password=False)), "export", "analytics",
                 str(target), "--account", "known", "--days", "1", "--tz", "Europe/Paris"]) == 0
    assert [(r["hour"], r["revenue"]) for r in _read(target)] == [
        ("2026-03-29T00:00+01:00", "9.99"), ("2026-03-29T01:00+01:00", "0.00"),
        ("2026-03-29T03:00+02:00", "0.00")]


def test_kpis_file(db: Database, tmp_path: Path) -> None:
    add_known_data(db)
    values = {r["kpi"]: r["value"] for r in _export(db, tmp_path, "--kpis")}
    assert values["revenue_gross"] == "63.98" and values["revenue_net"] == "51.18"
    assert (values["total_fans"], values["active_fans"], values["new_fans"], values["churned_fans"]) == ("5", "3", "2", "1")
    assert values["average_lifetime_value"] == "35.60" and values["revenue_per_active_fan"] == "21.33"
    assert (values["ppv_sent"], values["ppv_bought"], values["ppv_conversion"]) == ("3", "2", "0.6667")
    assert values["median_reply_seconds"] == "420"


def test_kpis_file_counts_fans_with_no_subscription_data_in_the_total_alone(
    db: Database, tmp_path: Path
) -> None:
    account_id = add_known_data(db)
    with db.write() as session:  # made by hand, imported with a spend: no platform id
        b = Builder(session, account_id)
        b.fan("made", subscribed=None, created=utc(2026, 3, 29), by_hand=True)
        b.fan("imported", subscribed=utc(2026, 3, 28, 12), spent=90_000, by_hand=True)
    values = {r["kpi"]: r["value"] for r in _export(db, tmp_path, "--kpis")}
    assert (values["total_fans"], values["active_fans"], values["new_fans"], values["churned_fans"]) == ("7", "3", "2", "1")
    assert values["average_lifetime_value"] == "35.60" and values["revenue_per_active_fan"] == "21.33"


def test_chatters_file(db: Database, tmp_path: Path) -> None:
    add_known_data(db)
    rows = _export(db, tmp_path, "--chatters")
    assert [(r["chatter"], r["messages_sent"], r["ppv_revenue"], r["earnings_per_message"]) for r in rows] == [
        ("anna", "3", "10.00", "3.33"), ("ben", "2", "0.00", "0.00"),
        ("outside ofcrm", "1", "5.00", "5.00"),  # as the app labels them, not an empty cell
    ]
    assert (rows[0]["median_reply_seconds"], rows[0]["p90_reply_seconds"]) == ("1920", "3600")
    assert rows[2]["median_reply_seconds"] == ""


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        (["--from", "2026-03-01"], "both --from and --to"),
        (["--days", "7", "--from", "2026-03-01", "--to", "2026-03-02"], "--days or --from/--to"),
        (["--from", "2026-03-05", "--to", "2026-03-01"], "ends"),
    ],
)
def test_bad_periods_are_one_line_errors(db: Database, tmp_path: Path, capsys, extra, fragment) -> None:  # noqa: ANN001
    add_known_data(db)
    target = tmp_path / "out.csv"
    code = main(["--db", db.url.render_as_string(hide_password=False), "export", "analytics",
                 str(target), "--account", "known", *extra])
    err = capsys.readouterr().err
    assert code == 2 and fragment in err and err.count("\n") == 1  # usage errors
    assert not target.exists()


def test_a_period_past_today_is_refused_as_the_screen_refuses_it(
    db: Database, tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch  # noqa: ANN001
) -> None:
    """At 03:20 on 29 March in Paris, ``--to`` the 30th is a day to come: refused in the
    custom period's words, one line, exit 2, no file; the 29th (today) is written."""
    from ofcrm_tui.cli import export_analytics

    add_known_data(db)
    monkeypatch.setattr(export_analytics, "utcnow", lambda: utc(2026, 3, 29, 1, 20))
    target = tmp_path / "out.csv"
    argv = ["--db", db.url.render_as_string(hide_password=False), "export", "analytics",
            str(target), "--account", "known", "--tz", "Europe/Paris", "--from", "2026-03-28"]
    assert main([*argv, "--to", "2026-03-30"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "the period ends (2026-03-30) after today (2026-03-29)" in err
    assert not target.exists()
    assert main([*argv, "--to", "2026-03-29"]) == 0
    assert [r["date"] for r in _read(target)] == ["2026-03-28", "2026-03-29"]


def test_unwritable_file_leaves_nothing(db: Database, tmp_path: Path) -> None:
    account_id = add_known_data(db)
    result = dashboard(db, account_id, known_period())
    with pytest.raises(OfcrmError, match="cannot write"):
        write_csv(db, result, tmp_path / "missing" / "out.csv", ExportKind.DAILY)
    target = tmp_path / "taken"
    target.mkdir()  # the rename fails: the temporary file goes too
    with pytest.raises(OfcrmError, match="cannot write"):
        write_csv(db, result, target, ExportKind.DAILY)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_an_existing_file_is_replaced_only_with_force(db: Database, tmp_path: Path, capsys) -> None:  # noqa: ANN001
    add_known_data(db)
    target = tmp_path / "out.csv"
    target.write_text("kept\n")
    argv = ["--db", db.url.render_as_string(hide_password=False), "export", "analytics",
            str(target), "--account", "known", *PERIOD]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{target} exists (5 bytes, modified " in err
    assert "not replaced (--force replaces it)" in err and target.read_text() == "kept\n"
    assert main([*argv, "--force"]) == 0
    assert capsys.readouterr().out == (
        f"known: 3 daily rows for 2026-03-28 to 2026-03-30 written to {target}\n")
    assert len(_read(target)) == 3
