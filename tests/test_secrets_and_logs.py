from __future__ import annotations

import json
import logging
from pathlib import Path

import keyring
import pytest
from keyring.backends.fail import Keyring as NoKeyring

from ofcrm_tui import paths, secrets
from ofcrm_tui.logs import log_file, redact, setup_logging


def test_env_override_wins_over_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    secrets.store_token("mia", "from-keyring")
    assert secrets.get_token("mia") == "from-keyring"
    monkeypatch.setenv("OFCRM_TOKEN_MIA", "from-env")
    assert secrets.get_token("mia") == "from-env"
    assert secrets.token_source("mia") == "env OFCRM_TOKEN_MIA"


def test_env_names_are_derived_from_account_names() -> None:
    assert secrets.env_var_name("mia.two-x") == "OFCRM_TOKEN_MIA_TWO_X"


def test_missing_token_says_how_to_add_one() -> None:
    with pytest.raises(secrets.CredentialError, match="ofcrm account add nobody"):
        secrets.get_token("nobody")


def test_no_keyring_backend_gives_the_ways_out(monkeypatch: pytest.MonkeyPatch) -> None:
    keyring.set_keyring(NoKeyring())
    for call in (lambda: secrets.get_token("mia"), lambda: secrets.store_token("mia", "s3cret")):
        with pytest.raises(secrets.CredentialError) as caught:
            call()
        message = str(caught.value)
        assert "OFCRM_TOKEN_MIA" in message and "keyring" in message
        assert "s3cret" not in message and "\n" not in message
    monkeypatch.setenv("OFCRM_TOKEN_MIA", "s3cret")
    assert secrets.get_token("mia") == "s3cret"
    assert secrets.store_token("mia", "s3cret") == "env OFCRM_TOKEN_MIA"


def test_delete_token_forgets_it() -> None:
    secrets.store_token("mia", "tok")
    secrets.delete_token("mia")
    secrets.delete_token("mia")
    with pytest.raises(secrets.CredentialError):
        secrets.get_token("mia")


def test_logs_are_json_lines_without_secrets(tmp_path: Path) -> None:
    secrets.store_token("mia", "sup3r-secret-token")
    setup_logging(paths.log_dir(), "test", "DEBUG")
    log = logging.getLogger("ofcrm_tui.test")
    log.info("calling with token %s", "sup3r-secret-token")
    log.info("header Authorization: Bearer abc.def")
    for handler in logging.getLogger("ofcrm_tui").handlers:
        handler.flush()
    lines = log_file(paths.log_dir(), "test").read_text().splitlines()
    entries = [json.loads(line) for line in lines]
    assert [e["level"] for e in entries] == ["INFO", "INFO"]
    text = "\n".join(lines)
    assert "sup3r-secret-token" not in text and "abc.def" not in text
    assert redact("Bearer xyz") == "Bearer ***"
