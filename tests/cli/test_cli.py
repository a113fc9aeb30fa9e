from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from ofcrm_tui import paths
from ofcrm_tui.cli.main import build_parser, main, parse
from ofcrm_tui.core.accounts import list_accounts
from ofcrm_tui.store import migrate
from ofcrm_tui.store.database import Database
from ofcrm_tui.store.models import Account
from tests.support.databases import sqlite_url


def run(capsys: pytest.CaptureFixture[str], *argv: str, stdin: str = "") -> tuple[int, str, str]:
    sys.stdin = io.StringIO(stdin)
    try:
        code = main(list(argv))
    finally:
        sys.stdin = sys.__stdin__
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(code: int, err: str, *fragments: str) -> None:
    assert code != 0
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("ofcrm: error: ")
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in lines[0]


def test_installed_command_lists_its_commands() -> None:
    ofcrm = Path(sys.executable).with_name("ofcrm")
    result = subprocess.run([str(ofcrm), "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    for command in ("account", "config", "db", "demo", "simulate", "sync"):
        assert command in result.stdout


def _all_commands(parser=None, prefix=()):  # noqa: ANN001, ANN202
    parser = parser or build_parser()
    yield prefix
    for action in parser._actions:  # noqa: SLF001 - walking argparse's own tree
        if action.__class__.__name__ == "_SubParsersAction":
            for name, sub in action.choices.items():
                yield from _all_commands(sub, (*prefix, name))


@pytest.mark.parametrize("command", list(_all_commands()), ids=lambda c: " ".join(c) or "ofcrm")
def test_every_command_has_help(command: tuple[str, ...], capsys) -> None:  # noqa: ANN001
    with pytest.raises(SystemExit) as exited:
        main([*command, "--help"])
    assert exited.value.code == 0
    assert "usage: ofcrm" in capsys.readouterr().out


def test_version(capsys) -> None:  # noqa: ANN001
    with pytest.raises(SystemExit):
        main(["--version"])
    assert capsys.readouterr().out.startswith("ofcrm 0.")


def test_db_upgrade_creates_then_changes_nothing(database_url: str, capsys) -> None:  # noqa: ANN001
    code, out, _ = run(capsys, "--db", database_url, "db", "upgrade")
    assert code == 0 and "upgraded empty ->" in out
    code, out, _ = run(capsys, "--db", database_url, "db", "upgrade")
    assert code == 0 and "already at" in out
    code, out, _ = run(capsys, "--db", database_url, "db", "current")
    assert "up to date" in out


def test_default_database_lives_in_the_user_data_directory(capsys) -> None:  # noqa: ANN001
    code, out, _ = run(capsys, "db", "upgrade")
    assert code == 0
    assert (paths.data_dir() / "ofcrm.db").exists()


@pytest.mark.parametrize(
    ("url", "fragment", "exit_code"),
    [
        ("nonsense", "not a database URL", 2),  # a bad value, as any option's
        ("mysql://root@localhost/x", "unsupported database", 2),
        ("postgresql://nobody@127.0.0.1:1/x", "database error", 1),
        ("sqlite:////proc/forbidden/x.db", "", 1),
    ],
)
@pytest.mark.parametrize("command", [("db", "upgrade"), ("queue",)])
def test_bad_database_urls_are_one_line_errors(
    url: str, fragment: str, exit_code: int, command: tuple[str, ...], capsys  # noqa: ANN001
) -> None:
    code, _, err = run(capsys, "--db", url, *command)
    assert_one_line_error(code, err, fragment)
    assert code == exit_code


def test_a_bad_database_url_in_the_environment_is_a_bad_value(capsys, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("OFCRM_DATABASE_URL", "nonsense")
    code, _, err = run(capsys, "fans", "list")
    assert_one_line_error(code, err, "not a database URL: nonsense")
    assert code == 2


def test_bad_settings_are_one_line_errors(capsys, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("OFCRM_POLL_INTERVAL_SECONDS", "-1")
    code, _, err = run(capsys, "account", "list")
    assert_one_line_error(code, err, "poll_interval_seconds")


def test_config_show_masks_secrets(capsys, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("OFCRM_TOKEN_MIA", "very-secret-token")
    code, out, _ = run(capsys, "--db", "postgresql://me:hunter2@db.example/crm", "config", "show")
    assert code == 0
    assert "hunter2" not in out and "very-secret-token" not in out
    assert "OFCRM_TOKEN_MIA = ***" in out
    assert 'chatter_name = "' in out


def test_account_add_list_remove(database_url: str, simulator, capsys, memory_keyring) -> None:  # noqa: ANN001
    sim, base_url = simulator
    token = sim.config.token
    code, out, err = run(
        capsys, "--db", database_url, "account", "add", "mia", "--base-url", base_url, stdin=token + "\n"
    )
    assert code == 0, err
    assert f"@{sim.creator.username}" in out and "token in keyring" in out
    assert memory_keyring.store[("ofcrm", "mia")] == token
    code, out, _ = run(capsys, "--db", database_url, "account", "list")
    assert "mia" in out and token not in out
    code, out, _ = run(capsys, "--db", database_url, "account", "remove", "mia", "--yes")
    assert code == 0
    assert ("ofcrm", "mia") not in memory_keyring.store
    db = Database(database_url)
    assert list_accounts(db) == []
    db.dispose()


def test_account_add_with_env_token_needs_no_keyring(simulator, capsys, monkeypatch) -> None:  # noqa: ANN001
    import keyring
    from keyring.backends.fail import Keyring as NoKeyring

    sim, base_url = simulator
    keyring.set_keyring(NoKeyring())
    monkeypatch.setenv("OFCRM_TOKEN_MIA", sim.config.token)
    code, out, err = run(capsys, "account", "add", "mia", "--base-url", base_url)
    assert code == 0, err
    assert "token in env OFCRM_TOKEN_MIA" in out


def test_no_keyring_is_explained(simulator, capsys) -> None:  # noqa: ANN001
    import keyring
    from keyring.backends.fail import Keyring as NoKeyring

    sim, base_url = simulator
    keyring.set_keyring(NoKeyring())
    code, _, err = run(
        capsys, "account", "add", "mia", "--base-url", base_url, stdin=sim.config.token
    )
    assert_one_line_error(code, err, "OFCRM_TOKEN_MIA", "keyring")


def test_wrong_token_is_refused_and_nothing_is_stored(simulator, capsys, memory_keyring) -> None:  # noqa: ANN001
    _, base_url = simulator
    code, _, err = run(
        capsys, "account", "add", "mia", "--base-url", base_url, stdin="wrong-token-xyz\n"
    )
    assert_one_line_error(code, err, "401")
    assert "wrong-token-xyz" not in err
    assert memory_keyring.store == {}
    code, _, err = run(capsys, "account", "list")
    assert code == 1 and "no database yet" in err  # the refused add made none


def test_unreachable_base_url_is_a_one_line_error(capsys) -> None:  # noqa: ANN001
    code, _, err = run(
        capsys, "account", "add", "mia", "--base-url", "http://127.0.0.1:9", stdin="tok\n"
    )
    assert_one_line_error(code, err, "unreachable", "127.0.0.1:9")


def test_garbage_server_is_a_one_line_error(capsys) -> None:  # noqa: ANN001
    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    from ofcrm_tui.simulator.server import serve_in_thread

    garbage = Starlette(routes=[Route("/api2/v2/users/me", lambda r: PlainTextResponse("<html>"))])
    with serve_in_thread(garbage, "127.0.0.1", 0) as base_url:
        code, _, err = run(capsys, "account", "add", "mia", "--base-url", base_url, stdin="tok\n")
    assert_one_line_error(code, err, "GET /users/me", "not JSON")


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (("account", "remove", "ghost", "--yes"), "no account named 'ghost'"),
        (("sync",), "no accounts yet"),
    ],
)
def test_bad_input_is_a_one_line_error(argv, fragment, capsys) -> None:  # noqa: ANN001
    assert run(capsys, "db", "upgrade")[0] == 0  # a database without accounts
    code, _, err = run(capsys, *argv, stdin="tok\n")
    assert_one_line_error(code, err, fragment)


def test_sync_command_reports_what_it_brought(simulator, capsys, monkeypatch) -> None:  # noqa: ANN001
    sim, base_url = simulator
    monkeypatch.setenv("OFCRM_TOKEN_MIA", sim.config.token)
    assert run(capsys, "account", "add", "mia", "--base-url", base_url)[0] == 0
    code, out, err = run(capsys, "sync")
    assert code == 0, err
    assert f"mia: {len(sim.fan_ids())} fans" in out
    code, out, _ = run(capsys, "sync", "--poll", "--account", "mia")
    assert code == 0 and "0 new messages" in out


def test_database_is_upgraded_on_first_start(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    code, _, err = run(capsys, "--db", url, "generate", "--fans", "0")  # it makes the database
    assert code == 0, err
    db = Database(url)
    assert migrate.current_revision(db) == migrate.HEAD
    db.dispose()


def test_a_new_token_clears_an_auth_error(simulator, capsys, monkeypatch, memory_keyring) -> None:  # noqa: ANN001
    from sqlalchemy import update

    from ofcrm_tui.context import AppContext
    from ofcrm_tui.store.models import Account

    sim, base_url = simulator
    assert run(capsys, "account", "add", "mia", "--base-url", base_url, stdin="old-token\n")[0] == 1
    assert run(capsys, "account", "add", "mia", "--base-url", base_url, stdin=sim.config.token)[0] == 0
    db = AppContext.load().db
    with db.write() as session:
        session.execute(update(Account).values(auth_error="GET /chats: HTTP 401: revoked"))
    code, out, _ = run(capsys, "account", "list")
    assert "AUTH ERROR" in out
    code, _, err = run(capsys, "account", "token", "mia", stdin="still-wrong\n")
    assert_one_line_error(code, err, "401")
    code, out, err = run(capsys, "account", "token", "mia", stdin=sim.config.token + "\n")
    assert code == 0, err
    assert "sends resume" in out
    code, out, _ = run(capsys, "account", "list")
    assert "AUTH ERROR" not in out
    db.dispose()


@pytest.mark.parametrize("argv", [["--help"], ["--version"], ["queue", "--help"]])
def test_help_and_version_load_no_database_or_app_code(argv: list[str]) -> None:
    """Only the chosen command's module is imported: help and version stay instant."""
    code = (
        "import sys\n"
        "from ofcrm_tui.cli.main import main\n"
        "try:\n"
        f"    main({argv!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = ('sqlalchemy', 'textual', 'alembic') if sys.argv[1] == 'top' else ('textual', 'alembic')\n"
        "loaded = sorted({m.split('.')[0] for m in sys.modules} & set(heavy))\n"
        "print(loaded, file=sys.stderr)\n"
        "sys.exit(1 if loaded else 0)\n"
    )
    scope = "top" if argv[0].startswith("--") else "command"
    result = subprocess.run(
        [sys.executable, "-c", code, scope], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "usage: ofcrm" in result.stdout or result.stdout.startswith("ofcrm 0.")


@pytest.mark.parametrize(
    "argv",
    [["queue"], ["export", "fans", "out.csv"], ["import", "fans", "in.csv", "--dry-run"]],
)
def test_commands_on_sqlite_load_only_what_they_use(argv: list[str], tmp_path: Path) -> None:
    """Nothing is sent, upgraded or drawn, and the database is SQLite: no HTTP client,
    Alembic, keyring, app, nor SQLAlchemy's PostgreSQL dialect."""
    (tmp_path / "in.csv").write_text("username\nzed\n")
    url = sqlite_url(tmp_path, migrated=True)
    db = Database(url)
    with db.write() as session:
        session.add(Account(name="mia", base_url="http://127.0.0.1:9"))
    db.dispose()
    code = (
        "import sys\n"
        "from ofcrm_tui.cli.main import main\n"
        f"code = main(['--db', {url!r}, *{argv!r}])\n"
        "if code: sys.exit(code)\n"
        "unwanted = ('httpx', 'alembic', 'keyring', 'textual', 'sqlalchemy.dialects.postgresql')\n"
        "loaded = sorted(m for m in sys.modules if m.startswith(unwanted))\n"
        "print(loaded, file=sys.stderr)\n"
        "sys.exit(1 if loaded else 0)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("argv", [
    ("-v", "queue"), ("queue", "-v"), ("queue", "--verbose"), ("campaign", "resume", "1", "-v"),
    ("fans", "list", "-v", "--tag", "vip"), ("--verbose", "fans", "-v", "list"),
])
def test_verbose_after_the_command_is_the_global_one(argv: tuple[str, ...]) -> None:
    """``-v`` after the command (at any depth), as ``--db`` and ``--account`` are."""
    assert parse(argv).verbose is True


def test_no_verbose_anywhere_is_not_verbose() -> None:
    assert parse(("campaign", "resume", "1")).verbose is False
