"""The import's bulk writer: a batch of checked rows into the fans, their tags and notes,
in the import's session (``csv_import`` runs it).

Existing fans are matched in SQL a batch at a time (platform id, else username), new ones
inserted many a statement (``RowsInsert``) with ids taken beforehand, matched ones updated
only where a field differs (the report counts the unchanged), and a fan the platform knows
keeps its platform fields (``csv_format.PLATFORM_FIELDS``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from itertools import chain
from typing import TYPE_CHECKING, Any

from sqlalchemy import Dialect, func, select
from sqlalchemy.orm import Session

from ofcrm_tui.core.fans import csv_format, csv_rows, deleted, tag_names
from ofcrm_tui.core.fans.csv_rows import FanRecord
from ofcrm_tui.store.enums import SubscriptionStatus
from ofcrm_tui.store.models import DeletedFan, Fan
from ofcrm_tui.store.rows_insert import RowsInsert
from ofcrm_tui.store.types import utcnow
from ofcrm_tui.store.upsert import update_by_id

if TYPE_CHECKING:
    from ofcrm_tui.core.fans.csv_import import ImportReport

_KEYS = "ofcrm_import_keys"
# What a new fan holds in a column the file does not have, as SQL: a constant in the
# statement rather than a value bound for every row.
_ABSENT_TEXT = ("username", "name", "nickname")
_ABSENT = {
    "platform_user_id": "NULL", **dict.fromkeys(_ABSENT_TEXT, "''"),
    "subscription_status": f"'{SubscriptionStatus.ACTIVE.value}'",
    **dict.fromkeys(csv_format.DATE_FIELDS, "NULL"),
    **dict.fromkeys(csv_format.MONEY_FIELDS, "0"),
}


def date_encoder(dialect: Dialect) -> Callable[[datetime], Any]:
    """A UTC datetime as the database stores it, exactly as SQLAlchemy would write it.

    On SQLite that is naive ISO text with microseconds, which ``isoformat`` writes ten
    times faster than SQLAlchemy's processor; it is used after checking on a sample
    that both agree, so a change of SQLAlchemy's format cannot slip by.
    """
    official = Fan.__table__.c.last_seen_at.type.dialect_impl(dialect).bind_processor(dialect)
    if official is None:
        return lambda value: value

    @lru_cache(maxsize=4096)  # files repeat dates (whole days, one sync's time)
    def fast(value: datetime) -> str:
        return value.replace(tzinfo=None).isoformat(" ", "microseconds")

    sample = datetime(2001, 2, 3, 4, 5, 6, 7, tzinfo=UTC)
    return fast if dialect.name == "sqlite" and official(sample) == fast(sample) else official


class Writer:
    """Writes batches of valid rows in the import's session."""

    def __init__(self, session: Session, account_id: int, author: str, report: ImportReport,
                 *, keep_authors: bool = True) -> None:
        self.session = session
        self.connection = connection = session.connection()
        self.account_id = account_id
        self.author = author
        self.keep_authors = keep_authors
        self.report = report
        self.tag_ids: dict[str, int] = {}
        self.now = utcnow()
        dialect = self.connection.dialect
        self.postgres = dialect.name == "postgresql"
        self.mark = "?" if dialect.paramstyle == "qmark" else "%s"
        self.encode_date = date_encoder(dialect)
        self.stamp = self.encode_date(self.now)
        # str() of a StrEnum is its value, without the Enum property's cost
        self.status_text = {None: SubscriptionStatus.ACTIVE.value, **{s: str(s) for s in SubscriptionStatus}}
        # Rows match the fans that were there before: none to look up in an empty account.
        self.last_old_fan = session.scalar(select(func.max(Fan.id)).where(Fan.account_id == account_id))
        # Fans deleted here that a row may add again: none to forget in most accounts.
        self.any_deleted = session.scalar(
            select(DeletedFan.platform_user_id).where(DeletedFan.account_id == account_id).limit(1)
        ) is not None
        key, tail = ("key VARCHAR", " ON COMMIT DROP") if self.postgres else ("key", " WITHOUT ROWID")
        self._sql(f"CREATE TEMPORARY TABLE {_KEYS} ({key} PRIMARY KEY, line INTEGER){tail}")
        self.insert_key = RowsInsert(connection, _KEYS, ("key", "line"), tail=" ON CONFLICT (key) DO NOTHING")
        assert report.mapping is not None
        given = set(report.mapping.fields)
        # The fields a new fan's row binds, in FanRecord order; the others are constants.
        self.fan_fields = [name for name in _ABSENT if name in given]
        # The import's time as SQLAlchemy writes it as a literal for this column and database.
        stamp = Fan.__table__.c.created_at.type.literal_processor(dialect)(self.now)
        constants = {"account_id": str(int(account_id)), "renewed_at": "NULL",
                     "created_at": stamp, "updated_at": stamp,
                     **{name: sql for name, sql in _ABSENT.items() if name not in given}}
        self.insert_fan = RowsInsert(
            connection, "fans", ["id", *self.fan_fields, *constants], constants=list(constants.values()))
        # A tag's links of a batch in one statement, its fans' ids as one array (JSON
        # text on SQLite): a fraction of what binding and stepping a link at a time costs.
        fans = ("SELECT ids.fan_id, %s::bigint, {} FROM unnest(%s::bigint[]) AS ids(fan_id)"
                if self.postgres else "SELECT value, ?, {} FROM json_each(?)")
        self.insert_tag = (
            f"INSERT INTO fan_tags (fan_id, tag_id, account_id) {fans.format(int(account_id))} "
            "WHERE true ON CONFLICT (fan_id, tag_id) DO NOTHING"  # WHERE: SQLite's upsert syntax
        )
        self.id_array: Callable[[list[int]], Any] = list if self.postgres else _json_ints
        self.updates: dict[tuple[str, ...], Any] = {}
        self.insert_note = RowsInsert(
            connection, "notes", ("account_id", "fan_id", "author", "body", "created_at", "updated_at"))

    def _sql(self, sql: str, params: Any = None) -> Any:
        """Driver SQL: a tuple of parameters, or a non-empty list of them (executemany)."""
        return self.connection.exec_driver_sql(sql, params)

    def _marks(self, count: int) -> str:
        return ", ".join([self.mark] * count)

    @property
    def stopped(self) -> bool:
        return bool(self.report.problem_count) and not self.report.skip_invalid

    def finish(self) -> None:
        if not self.postgres:
            self._sql(f"DROP TABLE temp.{_KEYS}")

    def write(self, lines: list[int], rows: list[list[Any]]) -> None:
        """Write the valid rows at ``lines`` (in file order), held column by column.

        Once a bad row stopped the writing, the rows are still checked against the
        earlier ones: a repeated fan is a bad row the report must name too.
        """
        if not lines:
            return
        rows = self._first_times(lines, rows)
        count = len(rows[_ID])
        if self.stopped or not count:
            return
        matched, platform = self._matches(rows)
        if not matched:
            fan_ids = self._insert(rows)
        else:
            new = [p for p in range(count) if p not in matched]
            fan_ids = [0] * count
            for position, fan_id in zip(new, self._insert(csv_rows.pick(rows, new)), strict=True):
                fan_ids[position] = fan_id
            for position, fan_id in matched.items():
                fan_ids[position] = fan_id
        self._count_statuses(rows[_ID], rows[_STATUS], matched, platform)
        old = set(matched.values())
        added = self._tags(fan_ids, rows[_TAGS], old) | self._notes(fan_ids, rows[_NOTES], old)
        changed = self._update([(fan_id, FanRecord._make(column[p] for column in rows))
                                for p, fan_id in matched.items()], added, platform) if matched else 0
        if self.any_deleted:
            self._forget_deleted(rows)
        self.report.created += count - len(matched)
        self.report.updated += changed
        self.report.unchanged += len(matched) - changed

    def _count_statuses(self, ids: list[int | None], statuses: list[Any],
                        matched: dict[int, int], platform: set[int]) -> None:
        """Count for the report the rows whose status is not taken as given: a new fan
        with a user id and no status is active (the column's default); a fan without a
        user id has no subscription data (``fields.subscription``), whatever status its
        row gives. A fan the platform knows keeps its own status either way."""
        report = self.report
        if not matched and None not in ids:  # the usual file: new fans, each with an id
            report.status_defaulted += statuses.count(None)
            return
        for position, (user_id, status) in enumerate(zip(ids, statuses, strict=True)):
            fan_id = matched.get(position)
            if fan_id is not None and fan_id in platform:
                continue
            if user_id is None:
                report.status_left_out += status is not None
            elif status is None and fan_id is None:
                report.status_defaulted += 1

    def _forget_deleted(self, rows: list[list[Any]]) -> None:
        """The rows' fans are here again: the sync may bring them (who they are: the
        user id, else the username), as when a fan is added by hand."""
        ids, usernames = rows[_ID], rows[_USERNAME]
        deleted.forget(
            self.session, self.account_id,
            platform_user_ids=[i for i in ids if i is not None],
            usernames=[u for i, u in zip(ids, usernames, strict=True) if i is None and u],
        )

    # -- repeated rows ------------------------------------------------------------------

    def _first_times(self, lines: list[int], rows: list[list[Any]]) -> list[list[Any]]:
        """The rows naming a fan no earlier row named; the others are problems.

        Each key is kept with the first line naming it: a row is the first time when
        its key was not there yet, which the count of keys added tells in one go.
        """
        ids, usernames = rows[_ID], rows[_USERNAME]
        # A username names one fan whatever its case (as ``resolve`` reads it).
        if self.postgres:  # a text column: the two kinds of key told apart by a prefix
            keys: list[Any] = [f"u:{u.lower()}" if i is None else f"id:{i}"
                               for i, u in zip(ids, usernames, strict=True)]
        elif None in ids:  # SQLite's untyped column keeps a number and a text apart
            keys = [f"u:{u.lower()}" if i is None else i for i, u in zip(ids, usernames, strict=True)]
        else:  # the usual file: the platform ids are the keys
            keys = ids
        added = self.insert_key(list(zip(keys, lines, strict=True)))
        if added == len(lines):  # the usual case: every row is new
            return rows
        named = tuple(set(keys))
        first = dict(self._sql(
            f"SELECT key, line FROM {_KEYS} WHERE key IN ({self._marks(len(named))})", named
        ).all())
        fresh: list[int] = []
        for position, (key, line) in enumerate(zip(keys, lines, strict=True)):
            if first[key] == line:
                fresh.append(position)
            else:
                self.report.add_problem(line, f"the same fan as line {first[key]}")
        return csv_rows.pick(rows, fresh)

    # -- existing fans -------------------------------------------------------------------

    def _matches(self, rows: list[list[Any]]) -> tuple[dict[int, int], set[int]]:
        """position -> fan id of the existing fan each row names; the ids of those fans
        the platform knows (a platform id)."""
        if self.last_old_fan is None:
            return {}, set()
        def old(columns: str, key: str, values: list[Any]) -> Any:
            return self._sql(
                f"SELECT {columns} FROM fans WHERE account_id = {self.mark} AND id <= {self.mark} "
                f"AND {key} IN ({self._marks(len(values))}) ORDER BY id",
                (self.account_id, self.last_old_fan, *values),
            )

        platform_ids, usernames = rows[_ID], rows[_USERNAME]
        ids = list(set(platform_ids) - {None})
        by_id: dict[int, int] = {}
        if ids:
            by_id = dict(old("platform_user_id, id", "platform_user_id", ids).all())
        names = list({u for u, i in zip(usernames, platform_ids, strict=True) if u and i not in by_id})
        by_name: dict[str, tuple[int, int | None]] = {}
        if names:
            found = old("username, id, platform_user_id", "username", names)
            for username, fan_id, platform_id in found:
                # A row with a platform id links a fan created by hand, never another
                # platform fan (usernames change; the id is who the fan is).
                by_name.setdefault(username, (fan_id, platform_id))
            if others := [name for name in names if name not in by_name]:
                by_name.update(self._same_usernames(others))
        matched: dict[int, int] = {}
        platform = set(by_id.values())
        for position, (user_id, username) in enumerate(zip(platform_ids, usernames, strict=True)):
            if user_id in by_id:
                matched[position] = by_id[user_id]
            elif username in by_name:
                fan_id, platform_id = by_name[username]
                if user_id is None or platform_id is None:
                    matched[position] = fan_id
                    if platform_id is not None:
                        platform.add(fan_id)
        return matched, platform

    def _same_usernames(self, names: list[str]) -> dict[str, tuple[int, int | None]]:
        """The fan each of ``names`` is in another case (the oldest): what ``old`` fans
        no exact spelling found. Reads the account's usernames (no index on lower())."""
        found = self.session.execute(
            select(Fan.username, Fan.id, Fan.platform_user_id)
            .where(Fan.account_id == self.account_id, Fan.id <= self.last_old_fan,
                   tag_names.named(Fan.username, names))
            .order_by(Fan.id)
        )
        by_key: dict[str, tuple[int, int | None]] = {}
        for username, fan_id, platform_id in found:
            by_key.setdefault(username.lower(), (fan_id, platform_id))
        return {name: by_key[name.lower()] for name in names if name.lower() in by_key}

    # -- writing ---------------------------------------------------------------------------

    def _new_ids(self, count: int) -> list[int]:
        """Ids for ``count`` new fans, taken before the insert so no read-back is needed."""
        if self.postgres:
            return list(self._sql(
                "SELECT nextval(pg_get_serial_sequence('fans', 'id')) FROM generate_series(1, %s)",
                (count,),
            ).scalars())
        # SQLite: the import holds the write lock (BEGIN IMMEDIATE); ids follow the highest.
        last = self._sql("SELECT coalesce(max(id), 0) FROM fans").scalar()
        return list(range(last + 1, last + 1 + count))

    def _insert(self, rows: list[list[Any]]) -> list[int]:
        """The ids of the fans created for ``rows`` (column by column), in their order.

        Each column is put as the table takes it (a column of dates is encoded once
        per distinct date), then zipped into the rows' tuples.
        """
        if not rows[_ID]:
            return []
        ids = self._new_ids(len(rows[_ID]))
        values = list(zip(ids, *(self._column(name, rows[_FIELD[name]]) for name in self.fan_fields),
                          strict=True))
        self.insert_fan(values)
        return ids

    def _column(self, name: str, values: Sequence[Any]) -> Sequence[Any]:
        """A field's values as the fans table takes them (None: the column's default)."""
        if name in _ABSENT_TEXT:
            return _or(values, "")
        if name == "subscription_status":
            return list(map(self.status_text.__getitem__, values))
        if name in csv_format.DATE_FIELDS:
            return self._dates(values)
        if name in csv_format.MONEY_FIELDS:
            return _or(values, 0)
        return values  # the platform id: None is NULL

    def _dates(self, dates: Sequence[datetime | None]) -> list[Any]:
        encoded = {date: None if date is None else self.encode_date(date) for date in set(dates)}
        return list(map(encoded.__getitem__, dates))

    def _update(self, rows: list[tuple[int, FanRecord]], added: set[int], platform: set[int]) -> int:
        """Give the existing fans their rows' fields, the team's own only for the fans of
        ``platform`` (their statements leave the platform's columns out); returns how many
        changed (a field differs: the UPDATE's WHERE, counted by its rowcount; or a tag or
        note ``added``)."""
        groups: dict[tuple[tuple[str, ...], bool], list[dict[str, Any]]] = {}
        for fan_id, record in rows:
            given = record.given()
            if fan_id in platform:
                team = {name: value for name, value in given.items() if name not in _PLATFORM}
                self.report.platform_kept += len(team) < len(given)
                given = team
            elif record.platform_user_id is not None:  # a fan made by hand, matched by username
                given["platform_user_id"] = record.platform_user_id
            key = (tuple(sorted(given)), fan_id in added)
            groups.setdefault(key, []).append({"_id": fan_id, "updated_at": self.now, **given})
        changed = 0
        for (names, anyway), params in groups.items():
            if not (names or anyway):
                continue  # the rows give nothing but who the fan is
            if (names, anyway) not in self.updates:  # built once: its parts refer to each other
                self.updates[names, anyway] = update_by_id(
                    Fan.__table__, (*names, "updated_at"), compared=() if anyway else names)
            changed += self.session.execute(self.updates[names, anyway], params).rowcount
        return changed

    def _tags(self, fan_ids: list[int], tags: list[tuple[str, ...]], old: set[int]) -> set[int]:
        """Link the fans to their tags; returns the ``old`` fans given a tag they lacked."""
        distinct = dict.fromkeys(tags)  # in file order: a new tag takes its first spelling
        missing = [tag for tag in dict.fromkeys(chain.from_iterable(distinct)) if tag not in self.tag_ids]
        if missing:  # the account's tag whatever the case, else a new one
            self.tag_ids.update(tag_names.ensure(self.session, self.account_id, missing))
        fans_with: dict[tuple[str, ...], list[int]] = {names: [] for names in distinct if names}
        for names, fan_id in zip(tags, fan_ids, strict=True):
            if names:
                fans_with[names].append(fan_id)
        fans_of: dict[str, list[list[int]]] = {}
        for names, fans in fans_with.items():
            for name in names:
                fans_of.setdefault(name, []).append(fans)
        # Which fans got a new link matters only for existing fans (a new one is created).
        insert = f"{self.insert_tag} RETURNING fan_id" if old else self.insert_tag
        added: set[int] = set()
        for name, groups in fans_of.items():  # in id order: the links' own order
            fans = sorted(chain.from_iterable(groups)) if len(groups) > 1 else groups[0]
            linked = self._sql(insert, (self.tag_ids[name], self.id_array(fans)))
            if old:
                added.update(fan_id for (fan_id,) in linked if fan_id in old)
        return added

    def _notes(self, fan_ids: list[int], cells: list[str | None], existing: set[int]) -> set[int]:
        """Add the notes the fans lack: a cell's one note, the importer's, or an export's
        notes with their authors and times (``csv_format.cell_notes``), each added unless
        the fan has it word for word; returns the ``existing`` fans given one."""
        with_notes = [(fan_id, cell) for fan_id, cell in zip(fan_ids, cells, strict=True) if cell]
        if not with_notes:
            return set()
        known: dict[int, list[str]] = {}
        old = [fan_id for fan_id, _ in with_notes if fan_id in existing]
        if old:
            for fan_id, body in self._sql(
                f"SELECT fan_id, body FROM notes WHERE account_id = {self.mark} "
                f"AND fan_id IN ({self._marks(len(old))}) ORDER BY fan_id, created_at, id",
                (self.account_id, *old),
            ):
                known.setdefault(fan_id, []).append(body)
        notes = []
        for fan_id, cell in with_notes:
            bodies = known.get(fan_id, [])
            exported = csv_format.cell_notes(cell)
            if exported is None:
                if not csv_format.holds_only(cell, bodies):
                    notes.append((self.account_id, fan_id, self.author, cell, self.stamp, self.stamp))
                continue
            for note in exported:
                if note.body not in bodies:
                    at = self.encode_date(note.at)
                    author = note.author if self.keep_authors else self.author
                    notes.append((self.account_id, fan_id, author, note.body, at, at))
        if notes:
            self.insert_note(notes)
        return {note[1] for note in notes if note[1] in existing}


_FIELD = {name: slot for slot, name in enumerate(FanRecord._fields)}  # a field's column
_ID, _USERNAME, _STATUS, _TAGS, _NOTES = (
    _FIELD[name] for name in ("platform_user_id", "username", "subscription_status", "tags", "notes"))
_PLATFORM = frozenset(csv_format.PLATFORM_FIELDS)


def _json_ints(values: list[int]) -> str:
    return json.dumps(values, separators=(",", ":"))


def _or(values: Sequence[Any], default: Any) -> Sequence[Any]:
    """``values`` with None as ``default``."""
    return values if None not in values else [default if value is None else value for value in values]
