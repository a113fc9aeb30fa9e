from __future__ import annotations

import json
import logging
from pathlib import Path

import keyring
import keyring.core
import pytest
from keyring.backends.fail import Keyring as NoKeyring
from keyring.backends.null import Keyring as NullKeyring

from ofcrm_tui import paths, secrets
from ofcrm_tui.logs import log_file, redact, setup_logging


def test_env_override_wins_over_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    secrets.store_token("mia", "from-keyring")
    assert secrets.get_token("mia") == "from-keyring"
    monkeypatch.setenv("OFCRM_TOKEN_MIA", "from-env")
    assert secrets.get_token("mia") == "from-env"
    assert secrets.token_source("mia") == "env OFCRM_TOKEN_MIA"


def test_every_token_stored_or_forgotten_moves_the_stamp(monkeypatch: pytest.MonkeyPatch) -> None:
    """What the jobs compare at each run (one stat, no keyring read); a token the keyring
    did not keep, or the env override stored again, changes nothing."""
    assert secrets.tokens_stamp() is None
    seen = set()
    for change in (lambda: secrets.store_token("mia", "one"), lambda: secrets.store_token("mia", "two"),
                   lambda: secrets.delete_token("mia")):
        change()
        seen.add(secrets.tokens_stamp())
    assert None not in seen and len(seen) == 3
    last = secrets.tokens_stamp()
    monkeypatch.setenv("OFCRM_TOKEN_MIA", "from-env")
    secrets.store_token("mia", "from-env")
    keyring.set_keyring(NullKeyring())
    with pytest.raises(secrets.CredentialError, match="did not keep"):
        secrets.store_token("ana", "lost")
    assert secrets.tokens_stamp() == last


def test_env_names_are_derived_from_account_names() -> None:
    assert secrets.env_var_name("mia.two-x") == "OFCRM_TOKEN_MIA_TWO_X"


def test_missing_token_says_how_to_store_one() -> None:
    """Asked for an account that is there: ``account token`` stores its token (``account
    add``, named before, refuses a name taken)."""
    with pytest.raises(secrets.CredentialError, match="`ofcrm account token nobody` stores one"):
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


def test_a_keyring_that_drops_the_token_is_not_said_to_keep_it() -> None:
    """The null backend (``PYTHON_KEYRING_BACKEND=keyring.backends.null.Keyring``) takes
    a token without a word and gives nothing back: storing is refused, saying how else."""
    keyring.set_keyring(NullKeyring())
    with pytest.raises(secrets.CredentialError) as caught:
        secrets.store_token("mia", "s3cret")
    message = str(caught.value)
    assert "did not keep the token" in message and "OFCRM_TOKEN_MIA" in message
    assert "keyring.backends.null" in message and "s3cret" not in message


def test_delete_token_forgets_it() -> None:
    secrets.store_token("mia", "tok")
    secrets.delete_token("mia")
    secrets.delete_token("mia")
    with pytest.raises(secrets.CredentialError):
        secrets.get_token("mia")


@pytest.mark.parametrize("named", ["nope.Nope", "keyring.backends.null.Nope", ""])
def test_a_keyring_backend_that_does_not_load_is_one_line_never_a_traceback(
    named: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``PYTHON_KEYRING_BACKEND`` naming no backend that loads: keyring raises what
    importing it raised (ImportError, AttributeError, ValueError). ``has_token`` says no
    (it never raises), the others say in one line what to fix; the variable still works."""
    monkeypatch.setattr(keyring.core, "_keyring_backend", None)  # loaded again, by name
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", named)
    said = f"PYTHON_KEYRING_BACKEND={named!r} does not load: "
    assert secrets.has_token("mia") is False
    why = secrets.no_token_why("mia")  # what ofcrm health says: not "none in the keyring"
    assert why is not None and "\n" not in why
    assert why.startswith(f"the keyring could not be read: {said}")
    assert why.endswith("; OFCRM_TOKEN_MIA not set")
    assert said in secrets.token_status("mia")
    for act in (lambda: secrets.get_token("mia"), lambda: secrets.store_token("mia", "tok"),
                lambda: secrets.delete_token("mia")):
        with pytest.raises(secrets.CredentialError) as refused:
            act()
        message = str(refused.value)
        assert said in message and "fix or unset it" in message and "\n" not in message
    monkeypatch.setenv("OFCRM_TOKEN_MIA", "tok")
    assert secrets.has_token("mia") and secrets.get_token("mia") == "tok"
    secrets.delete_token("mia")  # nothing in a keyring to forget: the variable serves


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


def _log_lines(kind: str) -> list[str]:
    for handler in logging.getLogger("ofcrm_tui").handlers:
        handler.flush()
    return log_file(paths.log_dir(), kind).read_text(encoding="utf-8").splitlines()


@pytest.mark.parametrize("token", ['quo"te-secret-123', "back\\slash-secret-123", 'b\\o"th-secret'])
def test_a_token_json_would_escape_is_still_redacted(token: str) -> None:
    secrets.store_token("mia", token)
    setup_logging(paths.log_dir(), "test", "DEBUG")
    try:
        raise RuntimeError(f"refused {token}")
    except RuntimeError:
        logging.getLogger("ofcrm_tui.test").exception("sent with %s", token)
    (line,) = _log_lines("test")
    entry = json.loads(line)
    assert entry["message"] == "sent with ***"
    assert token not in entry["exception"] and "refused ***" in entry["exception"]
    assert token not in line and json.dumps(token)[1:-1] not in line


def test_only_whole_plausible_tokens_are_masked() -> None:
    secrets.store_token("short", "wrong")  # too short to be a credential: never masked
    secrets.store_token("mia", "sim-token-123")
    assert redact("HTTP 401: missing or wrong bearer token") == "HTTP 401: missing or wrong bearer token"
    assert redact("token=sim-token-123&x") == "token=***&x"
    assert redact("'sim-token-123'") == "'***'"
    assert redact("sim-token-1234 and xsim-token-123") == "sim-token-1234 and xsim-token-123"
    assert redact("authorization: bearer abc") == "authorization: bearer ***"


def test_each_process_writes_a_log_file_of_its_own(tmp_path: Path) -> None:
    """Two commands at once never share (or rotate) one file; old files are cleaned up."""
    import os
    import subprocess
    import sys
    import time

    logs = paths.log_dir()
    logs.mkdir(parents=True)
    stale = logs / "ofcrm.worker.1.log.jsonl"
    stale.write_text("{}\n")
    month_ago = time.time() - 30 * 86_400
    os.utime(stale, (month_ago, month_ago))
    ofcrm = str(Path(sys.executable).with_name("ofcrm"))
    db = f"sqlite:///{tmp_path / 'x.db'}"
    runs = [
        subprocess.Popen([ofcrm, "--db", db, *argv], stderr=subprocess.DEVNULL)
        for argv in (("queue",), ("failed", "list"), ("queue",))
    ]
    pids = {run.pid: run for run in runs}
    assert all(run.wait(timeout=60) == 1 for run in runs)
    files = sorted(path.name for path in logs.iterdir())
    assert files == sorted(
        f"ofcrm.{'failed' if run.args[-1] == 'list' else 'queue'}.{pid}.log.jsonl"
        for pid, run in pids.items()
    )
    for name in files:
        (entry,) = [json.loads(line) for line in (logs / name).read_text().splitlines()]
        assert entry["message"].startswith("command failed: no database yet")
        assert entry["process"] == name.removeprefix("ofcrm.").removesuffix(".log.jsonl")
