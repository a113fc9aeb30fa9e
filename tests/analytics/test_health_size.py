"""The size ``ofcrm health`` and the monitoring screen report: the SQLite file; on
PostgreSQL, ofcrm's own tables in the connection's schema, not the whole database that
other schemas share."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from ofcrm_tui.cli.main import main
from ofcrm_tui.core import health
from ofcrm_tui.store.database import Database
from ofcrm_tui.tui.screens.monitoring import size_of


def test_the_size_is_ofcrms_own(db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    report = health.check(db, failed_threshold=10, keyless=True)
    main(["--db", db.url.render_as_string(hide_password=False), "health"])
    first = capsys.readouterr().out.splitlines()[0]
    if db.is_sqlite:
        assert report.database_bytes == Path(db.url.database).stat().st_size
        assert report.database_size_of is None and first.endswith(" MB")
        return
    with db.read() as session:
        schema, tables, whole = session.execute(text(
            "SELECT current_schema(),"
            " (SELECT sum(pg_total_relation_size(format('%I.%I', schemaname, tablename)::regclass))"
            "  FROM pg_tables WHERE schemaname = current_schema()),"
            " pg_database_size(current_database())")).one()
    assert report.database_bytes == tables < whole
    assert report.database_size_of == f"ofcrm's tables in schema {schema}"
    assert first.endswith(f" MB (ofcrm's tables in schema {schema})"), first
    assert size_of(report).endswith(f"(ofcrm's tables in schema {schema})")
