"""A new token for an account (``core.accounts.replace_token``) is stored only with the
change it comes with: an account removed while the platform was asked gets none."""

from __future__ import annotations

import pytest

from ofcrm_tui.core import accounts
from ofcrm_tui.core.accounts import AccountError, add_account, remove_account, replace_token
from ofcrm_tui.secrets import SERVICE
from ofcrm_tui.store.database import Database
from tests.support.memory_keyring import MemoryKeyring


def test_an_account_removed_while_the_token_is_checked_gets_none(
    db: Database, simulator, memory_keyring: MemoryKeyring,  # noqa: ANN001
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sim, base_url = simulator
    token = sim.config.token
    add_account(db, "mia", base_url, token, send_limit_per_minute=2, timeout_seconds=5)
    assert memory_keyring.store == {(SERVICE, "mia"): token}
    asked = accounts._creator_at

    def removed_meanwhile(*args: object, **kwargs: object) -> object:
        creator = asked(*args, **kwargs)
        assert remove_account(db, "mia") is None  # its token forgotten with it
        return creator

    monkeypatch.setattr(accounts, "_creator_at", removed_meanwhile)
    with pytest.raises(AccountError, match="account 'mia' was removed meanwhile: no token"):
        replace_token(db, "mia", token, timeout_seconds=5)
    assert memory_keyring.store == {}
