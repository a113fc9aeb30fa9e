"""Every analytics figure on known data, worked out by hand (see data.py), on SQLite and
PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update

from ofcrm_tui.core.analytics import period as periods
from ofcrm_tui.core.analytics.fans import fan_counts
from ofcrm_tui.core.analytics.figures import REVENUE_TYPES, dashboard, mean_cents
from ofcrm_tui.core.fans import csv_import, edits
from ofcrm_tui.store import diagnostics
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.models import Fan
from tests.analytics.data import PARIS, Builder, add_known_data, known_period, utc


@pytest.fixture
def known(db: Database) -> tuple[Database, int]:
    return db, add_known_data(db)


def test_period_days_are_local_midnights_across_summer_time() -> None:
    period = known_period()
    assert (period.start, period.end) == (utc(2026, 3, 27, 23), utc(2026, 3, 30, 22))
    days = period.buckets()
    assert [d.first_day for d in days] == [date(2026, 3, 28), date(2026, 3, 29), date(2026, 3, 30)]
    assert [(d.end - d.start) for d in days] == [timedelta(hours=24), timedelta(hours=23), timedelta(hours=24)]


def test_last_days_end_today_in_the_zone() -> None:
    now = datetime(2026, 3, 30, 23, 30, tzinfo=UTC)  # already the 31st in Paris
    assert periods.last_days(1, tz=PARIS, now=now).first_day == date(2026, 3, 31)
    week = periods.last_days(7, tz=ZoneInfo("UTC"), now=now)
    assert (week.first_day, week.last_day) == (date(2026, 3, 24), date(2026, 3, 30))
    with pytest.raises(periods.PeriodError):
        periods.last_days(0, tz=PARIS)
    with pytest.raises(periods.PeriodError):
        periods.between(date(2026, 3, 2), date(2026, 3, 1), tz=PARIS)


def test_a_period_moves_by_its_own_length_never_past_today() -> None:
    today = date(2026, 3, 30)
    day = periods.between(today, today, tz=PARIS)
    yesterday = day.moved(-1, today=today)
    assert yesterday is not None and (yesterday.first_day, yesterday.last_day) == (
        date(2026, 3, 29), date(2026, 3, 29))
    assert yesterday.moved(1, today=today) == day
    assert day.moved(1, today=today) is None  # nothing after today
    week = periods.last_days(7, tz=PARIS, now=utc(2026, 3, 30, 12))
    before = week.moved(-1, today=today)
    assert before is not None and (before.first_day, before.last_day) == (
        date(2026, 3, 17), date(2026, 3, 23))
    # A period ending two days ago moves forward to the days ending today, not past it.
    late = periods.between(date(2026, 3, 22), date(2026, 3, 28), tz=PARIS)
    assert late.moved(1, today=today) == week
    assert periods.between(date(1, 1, 1), date(1, 1, 7), tz=PARIS).moved(-1, today=today) is None


def test_a_chosen_period_ends_today_at_the_latest_in_its_zone() -> None:
    """A day to come is refused (its figures would all read 0), as ``]`` never goes
    past today; today is the zone's: at 23:30 UTC on the 30th it is the 31st in Paris."""
    now = datetime(2026, 3, 30, 23, 30, tzinfo=UTC)
    ending = periods.between(date(2026, 3, 25), date(2026, 3, 31), tz=PARIS, now=now)
    assert (ending.first_day, ending.last_day) == (date(2026, 3, 25), date(2026, 3, 31))
    with pytest.raises(periods.PeriodError,
                       match=r"the period ends \(2026-03-31\) after today \(2026-03-30\)"):
        periods.between(date(2026, 3, 25), date(2026, 3, 31), tz=ZoneInfo("UTC"), now=now)
    with pytest.raises(periods.PeriodError, match="after today"):  # all of it to come
        periods.between(date(2026, 4, 5), date(2026, 4, 10), tz=PARIS, now=now)
    with pytest.raises(periods.PeriodError, match="before it starts"):  # backwards first
        periods.between(date(2026, 4, 10), date(2026, 4, 5), tz=PARIS, now=now)


def test_longer_than_90_days_goes_by_week() -> None:
    period = periods.between(date(2026, 1, 1), date(2026, 4, 10), tz=PARIS)  # 100 days
    buckets = period.buckets()
    assert period.weekly and len(buckets) == 15
    assert [b.days for b in buckets[-2:]] == [7, 2]
    assert sum(b.days for b in buckets) == 100
    assert not periods.between(date(2026, 1, 1), date(2026, 3, 31), tz=PARIS).weekly  # 90 days


def test_revenue_series_by_local_day_and_type(known) -> None:  # noqa: ANN001
    db, account_id = known
    series = dashboard(db, account_id, known_period()).series
    by_day = {p.first_day: dict(zip(REVENUE_TYPES, p.by_type)) for p in series}
    assert by_day[date(2026, 3, 28)] == {"subscription": 0, "tip": 500, "message": 1999, "post": 0, "stream": 0}
    assert by_day[date(2026, 3, 29)] == {"subscription": 999, "tip": 0, "message": 0, "post": 300, "stream": 0}
    assert by_day[date(2026, 3, 30)] == {"subscription": 0, "tip": 100, "message": 0, "post": 0, "stream": 2500}
    assert [p.revenue_cents for p in series] == [2499, 1299, 2600]
    assert [p.net_cents for p in series] == [400 + 1599, 799 + 240, 2000 + 80]


def test_empty_days_are_zero_and_weeks_add_up(known) -> None:  # noqa: ANN001
    db, account_id = known
    around = periods.between(date(2026, 3, 26), date(2026, 4, 1), tz=PARIS)
    series = dashboard(db, account_id, around).series
    assert [p.revenue_cents for p in series] == [0, 1000, 2499, 1299, 2600, 10000, 0]
    long = periods.between(date(2026, 1, 1), date(2026, 4, 10), tz=PARIS)
    weekly = dashboard(db, account_id, long).series
    assert len(weekly) == 15 and sum(p.revenue_cents for p in weekly) == 1000 + 6398 + 10000
    week = next(p for p in weekly if p.first_day <= date(2026, 3, 28) < p.first_day + timedelta(days=7))
    assert week.first_day == date(2026, 3, 26)  # Jan 1 + 12 weeks: 26 March to 1 April
    assert week.revenue_cents == 1000 + 6398 + 10000 and week.of("tip") == 500 + 100 + 10000


def test_one_day_goes_hour_by_hour_and_adds_up_to_the_kpi(known) -> None:  # noqa: ANN001
    """A one-day period (today) is drawn and exported per local hour, not as one point:
    29 March in Paris has 23 (2 o'clock is skipped); in Kolkata (UTC+5:30) each hour
    reads its halves of two UTC hours."""
    db, account_id = known
    day = periods.between(date(2026, 3, 29), date(2026, 3, 29), tz=PARIS)
    board = dashboard(db, account_id, day)
    hours = [p.start.astimezone(PARIS).hour for p in board.series]
    assert (day.step, hours) == ("hour", [0, 1, *range(3, 24)])
    assert [(p.first_day, p.days) for p in board.series[:1]] == [(date(2026, 3, 29), 0)]
    assert {p.start.astimezone(PARIS).hour: p.revenue_cents
            for p in board.series if p.revenue_cents} == {0: 999, 23: 300}
    assert sum(p.revenue_cents for p in board.series) == board.kpis.revenue_cents == 1299
    kolkata = periods.between(date(2026, 3, 30), date(2026, 3, 30), tz=ZoneInfo("Asia/Kolkata"))
    board = dashboard(db, account_id, kolkata)
    assert len(board.series) == 24
    assert {p.start.astimezone(kolkata.tz).hour: p.revenue_cents
            for p in board.series if p.revenue_cents} == {3: 300 + 2500, 17: 100}
    assert board.kpis.revenue_cents == 2900


def test_today_stops_at_the_current_hour(known) -> None:  # noqa: ANN001
    """The hours still to come are no point of the series (they were 0.00 rows and a
    flat line): today at 03:20 in Paris goes 00:00, 01:00, 03:00 (02:00 is skipped that
    day), the hour begun included; a period still to come has none."""
    db, account_id = known
    day = periods.between(date(2026, 3, 29), date(2026, 3, 29), tz=PARIS)
    now = datetime(2026, 3, 29, 3, 20, tzinfo=PARIS).astimezone(UTC)
    board = dashboard(db, account_id, day, now=now)
    assert [p.start.astimezone(PARIS).hour for p in board.series] == [0, 1, 3]
    assert [p.revenue_cents for p in board.series] == [999, 0, 0]
    assert board.kpis.revenue_cents == 999
    assert day.buckets(now) == day.buckets()[:3]
    assert dashboard(db, account_id, day, now=day.start - timedelta(minutes=1)).series == ()
    assert len(dashboard(db, account_id, day, now=day.end).series) == 23  # the day is over


def test_kpis(known) -> None:  # noqa: ANN001
    db, account_id = known
    k = dashboard(db, account_id, known_period()).kpis
    assert (k.total_fans, k.active_fans, k.new_fans, k.churned_fans) == (5, 3, 2, 1)
    assert (k.revenue_cents, k.net_cents) == (6398, 5118)
    assert k.avg_lifetime_value_cents == 3560  # (12000 + 4499 + 300 + 1000 + 0) / 5 = 3559.8
    assert k.revenue_per_active_fan_cents == 2133  # 6398 / 3 = 2132.67
    assert (k.ppv_sent, k.ppv_bought) == (3, 2)
    assert k.ppv_conversion == pytest.approx(2 / 3)
    assert k.median_reply_seconds == pytest.approx(420)  # 120, 240 | 600, 3600


def test_fans_with_no_subscription_data_count_in_the_total_alone(known) -> None:  # noqa: ANN001
    """Fans made by hand or imported without a platform id have the status 'active' by
    default only (the QA walk: 20,000 such rows made "Per active" $0.20): neither
    active, new nor churned, nor in the average lifetime value; a sync that finds one on
    the platform makes it a subscriber like any other."""
    db, account_id = known
    period = known_period()
    with db.write() as session:
        b = Builder(session, account_id)
        b.fan("made", subscribed=None, created=utc(2026, 3, 29), by_hand=True)  # first seen in it
        b.fan("imported", subscribed=utc(2026, 3, 28, 12), spent=90_000, by_hand=True)
        b.fan("gone", subscribed=utc(2025, 1, 1), status="expired", expires=utc(2026, 3, 29),
              by_hand=True)  # an imported expiry: no churn
        b.fan("kept", subscribed=utc(2025, 1, 1), status="expired", expires=utc(2026, 5, 1),
              by_hand=True)  # nor a running subscription
    k = dashboard(db, account_id, period).kpis
    assert (k.total_fans, k.active_fans, k.new_fans, k.churned_fans) == (5 + 4, 3, 2, 1)
    assert (k.avg_lifetime_value_cents, k.revenue_per_active_fan_cents) == (3560, 2133)
    with db.write() as session:  # a sync finds the first of them on the platform
        session.execute(update(Fan).where(Fan.username == "made").values(platform_user_id=77))
    k = dashboard(db, account_id, period).kpis
    assert (k.total_fans, k.active_fans, k.new_fans, k.churned_fans) == (9, 4, 3, 1)
    assert k.avg_lifetime_value_cents == 2967  # 17799 / 6 = 2966.5


def test_imported_and_hand_made_fans_leave_the_subscription_figures_alone(db: Database, tmp_path) -> None:  # noqa: ANN001
    """The QA walk's path: a CSV without status or user id (with spend) and a fan made by
    hand, today: only the total moves."""
    account_id = add_known_data(db)
    week = periods.last_days(7, tz=UTC)
    with db.write() as session:  # a subscriber of today, to have an active and a new fan
        Builder(session, account_id).fan("today", subscribed=week.end - timedelta(hours=1), spent=500)
    before = dashboard(db, account_id, week).kpis
    assert before.new_fans == 1 and before.active_fans > 0
    path = tmp_path / "fans.csv"
    path.write_text("username,ltv\n" + "".join(f"csv{i},{i}.00\n" for i in range(30)))
    assert csv_import.import_fans(db, account_id, path, author="qa").created == 30
    edits.create_fan(db, account_id, username="elsewhere")
    after = dashboard(db, account_id, week).kpis
    assert after == replace(before, total_fans=before.total_fans + 31)


def test_top_fans_by_spend_in_the_period(known) -> None:  # noqa: ANN001
    db, account_id = known
    top = dashboard(db, account_id, known_period()).top_fans
    assert [(f.username, f.revenue_cents, f.transactions) for f in top] == [
        ("bob", 4499, 2), ("alice", 1499, 2), ("carol", 300, 1)
    ]
    assert top[0].display_name == "Bob"
    assert len(dashboard(db, account_id, known_period(), top=2).top_fans) == 2


def test_chatters(known) -> None:  # noqa: ANN001
    db, account_id = known
    chatters = dashboard(db, account_id, known_period()).chatters
    assert [c.chatter for c in chatters] == ["anna", "ben", None]
    anna, ben, elsewhere = chatters
    assert (anna.messages_sent, anna.ppv_sent, anna.ppv_bought, anna.ppv_revenue_cents) == (3, 1, 1, 1000)
    assert anna.earnings_per_message_cents == 333
    assert (anna.replies, anna.median_reply_seconds, anna.p90_reply_seconds) == (2, pytest.approx(1920), pytest.approx(3600))
    assert (ben.messages_sent, ben.ppv_sent, ben.ppv_bought, ben.ppv_revenue_cents) == (2, 1, 0, 0)
    assert (ben.replies, ben.median_reply_seconds, ben.p90_reply_seconds) == (2, pytest.approx(360), pytest.approx(600))
    assert (elsewhere.messages_sent, elsewhere.ppv_revenue_cents, elsewhere.replies) == (1, 500, 0)
    assert elsewhere.median_reply_seconds is None and elsewhere.earnings_per_message_cents == 500


def test_campaign_revenue(known) -> None:  # noqa: ANN001
    db, account_id = known
    campaigns = dashboard(db, account_id, known_period()).campaigns
    assert [(c.name, c.sent, c.ppv_bought, c.revenue_cents) for c in campaigns] == [("Spring", 1, 1, 1000)]
    earlier = periods.between(date(2026, 3, 27), date(2026, 3, 27), tz=PARIS)
    assert [(c.name, c.revenue_cents) for c in dashboard(db, account_id, earlier).campaigns] == [("Winter", 700)]


def test_an_empty_account(db: Database) -> None:
    from ofcrm_tui.store.models import Account

    with db.write() as session:
        account = Account(name="empty", base_url="http://e.invalid")
        session.add(account)
        session.flush()
        account_id = account.id
    result = dashboard(db, account_id, known_period())
    assert result.kpis.total_fans == 0 and result.kpis.median_reply_seconds is None
    assert result.kpis.ppv_conversion is None and result.kpis.revenue_per_active_fan_cents == 0
    assert [p.revenue_cents for p in result.series] == [0, 0, 0]
    assert result.top_fans == result.campaigns == result.chatters == ()


def test_mean_cents_rounds_half_up() -> None:
    assert (mean_cents(5, 2), mean_cents(4, 3), mean_cents(5, 3), mean_cents(7, 0)) == (3, 1, 2, 0)


def test_expired_fans_are_counted_from_their_own_index(known) -> None:  # noqa: ANN001
    """The active and churned counts read ``ix_fans_analytics_expiry``, which holds the
    expired fans alone (an import builds it over them only), from the index alone."""
    db, account = known
    if not db.is_sqlite:
        pytest.skip("SQLite's plan")
    with diagnostics.captured_sql(db) as statements:
        fan_counts_of(db, account)
    expiry = [s for s in statements if "expires_at >=" in s[0]]
    assert len(expiry) == 1
    plan = " ".join(diagnostics.query_plan(db, *expiry[0]))
    assert "COVERING INDEX ix_fans_analytics_expiry" in plan, plan
    with db.engine.connect() as connection:
        create = connection.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE name = 'ix_fans_analytics_expiry'").scalar()
    assert create.endswith("WHERE subscription_status = 'expired'"), create


def fan_counts_of(db: Database, account: int) -> dict[str, int]:
    with db.read() as session:
        return fan_counts(session, account, known_period())


def test_a_tz_that_names_no_zone_counts_days_in_the_offset_the_system_took(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``TZ=Bogus/Zone``: tzlocal refuses to name it; the days (analytics, a campaign's
    start) are counted in the offset the C library took from it, not a traceback."""
    from zoneinfo import ZoneInfoNotFoundError

    def refuse() -> None:
        raise ZoneInfoNotFoundError("tzlocal() does not support non-zoneinfo timezones")

    monkeypatch.setattr("tzlocal.get_localzone", refuse)
    now = datetime.now().astimezone()
    assert periods.local_zone().utcoffset(now) == now.utcoffset()
