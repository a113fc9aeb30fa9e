"""What ``ofcrm fans`` and ``ofcrm import fans`` print, in process: tags typed as the app
shows them, the status ``fans add --user-id`` takes, one dash for empty fields, a
header-only file, and counts written as the app writes them."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import update

from ofcrm_tui.store.database import Database
from ofcrm_tui.store.models import Fan
from tests.cli.test_cli import assert_one_line_error, run
from tests.fans.conftest import add_fan, make_account

TAKEN_AS_ACTIVE = "1 fan with a user id and no status was taken as active (the next sync corrects it)"


@pytest.fixture
def url(db: Database, database_url: str) -> str:
    account = make_account(db, "mia")
    add_fan(db, account, 41, "lena", name="Lena", subscription_status="expired",
            subscribe_price_cents=999)
    return database_url


def test_a_tag_typed_with_its_hash_is_the_tag(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--db", url, "fans", "edit", "lena", "--tag", "vip", "--tag", "#VIP",
                       "--tag", "#whale")
    assert code == 0 and out == "Lena (@lena): tags: vip, whale\n"
    code, out, _ = run(capsys, "--db", url, "fans", "list", "--tag", "#vip")
    assert code == 0 and out.startswith("@lena\t")
    code, out, _ = run(capsys, "--db", url, "fans", "edit", "lena", "--untag", "#whale")
    assert code == 0 and out == "Lena (@lena): tags: vip\n"  # no "nothing to untag"
    with pytest.raises(SystemExit) as refused:  # a bad value: refused as typed, exit 2
        run(capsys, "--db", url, "fans", "edit", "lena", "--tag", "#")
    assert refused.value.code == 2
    assert_one_line_error(2, capsys.readouterr().err, "a tag name needs more than a #")


def test_fans_add_with_a_user_id_says_it_is_taken_as_active(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "--db", url, "fans", "add", "--username", "zoe", "--user-id", "77")
    assert code == 0 and out.splitlines() == ["added @zoe (fan #2) to mia", TAKEN_AS_ACTIVE]
    code, out, _ = run(capsys, "--db", url, "fans", "add", "--username", "joe")
    assert code == 0 and out == "added @joe (fan #3) to mia\n"  # no subscription data: nothing to say


def test_fans_show_uses_one_dash_and_no_price_without_subscription_data(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "--db", url, "fans", "add", "--username", "joe")
    code, out, _ = run(capsys, "--db", url, "fans", "show", "joe")
    assert code == 0
    assert "  name: —   nickname: —" in out and "  tags: —" in out
    assert "  subscription: —, since —, expires —, renewed —, price —" in out
    assert "last seen: —" in out and " -" not in out and "price $0.00" not in out
    code, out, _ = run(capsys, "--db", url, "fans", "show", "lena")
    assert code == 0 and "  subscription: expired, since —, expires —, renewed —, price $9.99" in out


def test_an_import_report_counts_as_the_app_does(
    url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    one = tmp_path / "one.csv"
    one.write_text("user_id,username\n7,ann\n", encoding="utf-8")
    code, out, err = run(capsys, "--db", url, "import", "fans", str(one))
    assert code == 0 and err == ""
    assert out.splitlines() == [TAKEN_AS_ACTIVE, "mia: 1 row: created 1, updated 0, unchanged 0"]
    bad = tmp_path / "bad.csv"
    bad.write_text("username,tips\n" + "".join(f"u{n},-1\n" for n in range(1_021)), encoding="utf-8")
    code, out, err = run(capsys, "--db", url, "import", "fans", str(bad))
    assert code == 1 and out == ""
    assert err.splitlines()[-2:] == ["... and 1,001 more bad rows", "mia: 1,021 rows, 1,021 bad: nothing written"]


def test_a_header_only_file_says_it_has_no_rows_as_an_empty_one(
    url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    empty, header = tmp_path / "empty.csv", tmp_path / "header.csv"
    empty.write_text("", encoding="utf-8")
    header.write_text("user_id,username,status\n", encoding="utf-8")
    code, out, err = run(capsys, "--db", url, "import", "fans", str(empty))
    assert_one_line_error(code, err, "the file is empty")
    code, out, err = run(capsys, "--db", url, "import", "fans", str(header))
    assert_one_line_error(code, err, "the file has no fan rows under its header")
    assert code == 1 and out == ""


def test_export_fans_writes_them_in_the_order_fans_list_prints(
    url: str, db: Database, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """By spend (the app's first order) unless ``--sort`` says another, as ``fans list``
    prints them: the file listed the fans by id."""
    out_file = tmp_path / "fans.csv"
    run(capsys, "--db", url, "fans", "add", "--username", "zed", "--name", "Zed")
    run(capsys, "--db", url, "fans", "add", "--username", "amy", "--name", "Amy")
    with db.write() as session:  # the second fan by id spent most
        session.execute(update(Fan).where(Fan.username == "zed").values(total_spent_cents=500))
    for sort, first in ((None, "zed"), ("name", "amy")):
        options = [] if sort is None else ["--sort", sort]
        code, listed, _ = run(capsys, "--db", url, "fans", "list", *options)
        assert code == 0 and listed.startswith(f"@{first}\t")
        code, _, _ = run(capsys, "--db", url, "export", "fans", str(out_file), "--force", *options)
        rows = out_file.read_text(encoding="utf-8").splitlines()[1:]
        assert code == 0
        assert [row.split(",")[1] for row in rows] == [line.split("\t")[0][1:] for line in listed.splitlines()]
