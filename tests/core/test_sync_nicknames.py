"""A fan's nickname, set in ofcrm or on the platform (``displayName``): the latest change
of either side wins, through every subscribers refresh of the sync."""

from __future__ import annotations

from sqlalchemy import select

from ofcrm_tui.core.fans.edits import create_fan, set_nickname
from ofcrm_tui.core.sync import InboundSync
from ofcrm_tui.platform.client import PlatformClient
from ofcrm_tui.simulator import Simulator
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.models import Fan
from tests.support.accounts import add_simulated_account


def _rename_on_platform(sim: Simulator, user_id: int, nickname: str) -> None:
    with sim.lock:
        sim.world.fans[user_id].display_name = nickname


def _nicknames(db: Database, account_id: int, user_id: int) -> tuple[str, str | None]:
    with db.read() as session:
        return tuple(session.execute(
            select(Fan.nickname, Fan.platform_nickname).where(
                Fan.account_id == account_id, Fan.platform_user_id == user_id
            )
        ).one())


def _fan_id(db: Database, account_id: int, user_id: int) -> int:
    with db.read() as session:
        return session.scalar(
            select(Fan.id).where(Fan.account_id == account_id, Fan.platform_user_id == user_id)
        )


def test_a_nickname_set_here_survives_refreshes_and_a_rename_there_comes_through(
    db: Database, simulator, monkeypatch  # noqa: ANN001
) -> None:
    sim, base_url = simulator
    account = add_simulated_account(db, sim, base_url, monkeypatch)
    user_id = sim.active_fan_ids()[0]
    _rename_on_platform(sim, user_id, "Sunshine")
    with PlatformClient(base_url, sim.config.token) as client:
        sync = InboundSync(db, account.id, client)
        sync.full()
        assert _nicknames(db, account.id, user_id) == ("Sunshine", "Sunshine")
        fan_id = _fan_id(db, account.id, user_id)

        set_nickname(db, account.id, fan_id, "Bob")  # ofcrm's change: the latest
        sync.full()
        sync.full()
        assert _nicknames(db, account.id, user_id) == ("Bob", "Sunshine")

        _rename_on_platform(sim, user_id, "Bobby")  # the platform's change: the latest
        sync.full()
        assert _nicknames(db, account.id, user_id) == ("Bobby", "Bobby")

        set_nickname(db, account.id, fan_id, "")  # cleared here: stays cleared
        sync.full()
        assert _nicknames(db, account.id, user_id) == ("", "Bobby")

        set_nickname(db, account.id, fan_id, "Rob")
        _rename_on_platform(sim, user_id, "")  # cleared there: cleared here too
        sync.full()
        assert _nicknames(db, account.id, user_id) == ("", "")


def test_a_nickname_given_before_the_platform_first_names_the_fan_stays(
    db: Database, simulator, monkeypatch  # noqa: ANN001
) -> None:
    """A fan made by hand (then linked by username) or added with a platform id: the
    first refresh keeps their nickname and learns the platform's; a later rename there
    comes through. A fan without one takes the platform's."""
    sim, base_url = simulator
    account = add_simulated_account(db, sim, base_url, monkeypatch)
    by_hand, with_id, plain = (sim.world.fans[i] for i in sim.active_fan_ids()[:3])
    for fan in (by_hand, with_id, plain):
        _rename_on_platform(sim, fan.id, f"{fan.username} there")
    create_fan(db, account.id, username=by_hand.username, nickname="Bob")
    create_fan(db, account.id, username=with_id.username, nickname="Al",
               platform_user_id=with_id.id)
    create_fan(db, account.id, username=plain.username, platform_user_id=plain.id)
    with PlatformClient(base_url, sim.config.token) as client:
        sync = InboundSync(db, account.id, client)
        sync.full()
        assert _nicknames(db, account.id, by_hand.id) == ("Bob", f"{by_hand.username} there")
        assert _nicknames(db, account.id, with_id.id) == ("Al", f"{with_id.username} there")
        assert _nicknames(db, account.id, plain.id) == (f"{plain.username} there",) * 2
        _rename_on_platform(sim, by_hand.id, "Robert")
        sync.full()
    assert _nicknames(db, account.id, by_hand.id) == ("Robert", "Robert")
    assert _nicknames(db, account.id, with_id.id) == ("Al", f"{with_id.username} there")
