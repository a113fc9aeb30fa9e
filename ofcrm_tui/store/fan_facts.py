"""Facts about a fan kept on the fan's own row (migration 0021), so a segment's
conditions on them are column tests in one pass over fans (``core.fans.filter``):

- ``fans.ppv_purchases``: the fan's transactions of type 'message' (bought PPVs);
- ``fans.last_outbound_at``: the fan's newest outbound message;
- ``fans.last_chat_at``: the fan's conversation's ``last_message_at`` (a message
  either way; one conversation per fan).

Each counts only source rows of the fan's own account. Written once like the analytics
rollups (``store/rollups``): each fact's definition gives its trigger statements (one
source row in or out) and its bulk statement (the source rows above an id), which the
migration's backfill and the bulk loads (``rollups_deferred``) run.

A ``count`` adds one per row; a ``latest`` keeps the newest value, moved forward by a
new row and read again from the source when the row that held it goes (or changes).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class FanFact:
    column: str  # on fans
    source: str  # the table of the rows it is made of (with account_id and fan_id)
    kind: Literal["count", "latest"]
    value: str = ""  # a ``latest``: the source row's ``{r}`` value kept
    where: str = "true"  # the source rows that count, on ``{r}``


FACTS = (
    FanFact("ppv_purchases", "transactions", "count", where="{r}.type = 'message'"),
    FanFact("last_outbound_at", "messages", "latest", "{r}.created_at", "{r}.direction = 'out'"),
    FanFact("last_chat_at", "conversations", "latest", "{r}.last_message_at"),
)
# Trigger name -> (source table, facts, the source columns whose update fires it).
FACT_TRIGGERS = {
    "fan_facts_transactions": ("transactions", FACTS[0:1], "account_id, fan_id, type"),
    "fan_facts_messages": ("messages", FACTS[1:2], "account_id, fan_id, direction, created_at"),
    "fan_facts_conversations": ("conversations", FACTS[2:3],
                                "account_id, fan_id, last_message_at"),
}
# The sources a bulk load (``rollups_deferred``) adds in one statement once its rows are
# in: it may update the rows it inserted (the generator fills in its conversations'
# summaries after their messages), not older ones.
DEFERRED_SOURCES = ("transactions", "messages", "conversations")


def _fan(row: str) -> str:
    """The fan of source row ``row``, of the row's account."""
    return f"fans.id = {row}.fan_id AND fans.account_id = {row}.account_id"


def fact_statements(fact: FanFact, row: str, sign: int) -> str:
    """Add (``sign`` 1: NEW) or take out (-1: OLD) source row ``row`` to the fact."""
    where = fact.where.format(r=row)
    column = fact.column
    if fact.kind == "count":
        return (f"UPDATE fans SET {column} = {column} + ({sign}) "
                f"WHERE {_fan(row)} AND {where};")
    value = fact.value.format(r=row)
    if sign > 0:
        return (f"UPDATE fans SET {column} = {value} WHERE {_fan(row)} AND {where} "
                f"AND {value} IS NOT NULL AND ({column} IS NULL OR {column} < {value});")
    # Only when the row going held the newest value, and not while the account goes.
    source = fact.source
    newest = (f"(SELECT max({fact.value.format(r='s')}) FROM {source} s "
              f"WHERE s.fan_id = fans.id AND s.account_id = fans.account_id "
              f"AND {fact.where.format(r='s')})")
    return (f"UPDATE fans SET {column} = {newest} WHERE {_fan(row)} AND {where} "
            f"AND {column} <= {value} "
            f"AND EXISTS (SELECT 1 FROM accounts WHERE accounts.id = {row}.account_id);")


def fact_bulk_statement(fact: FanFact) -> str:
    """Add the source rows with an id above ``:newest`` (all of them: a backfill)."""
    r = "s"
    if fact.kind == "count":
        picked, gathered = "count(*)", f"fans.{fact.column} + t.v"
        moves = "true"
    else:
        picked, gathered = f"max({fact.value.format(r=r)})", "t.v"
        moves = f"t.v IS NOT NULL AND (fans.{fact.column} IS NULL OR fans.{fact.column} < t.v)"
    return (
        f"UPDATE fans SET {fact.column} = {gathered} FROM ("
        f"SELECT {r}.fan_id, {r}.account_id, {picked} AS v FROM {fact.source} {r} "
        f"WHERE {fact.where.format(r=r)} AND {r}.fan_id IS NOT NULL AND {r}.id > :newest "
        f"GROUP BY {r}.fan_id, {r}.account_id) AS t "
        f"WHERE fans.id = t.fan_id AND fans.account_id = t.account_id AND {moves}"
    )


def fact_triggers() -> dict[str, tuple[str, str, str, str]]:
    """Trigger name -> (source table, columns, add statements, take-out statements)."""
    return {
        name: (
            table,
            columns,
            "".join(fact_statements(fact, "NEW", 1) for fact in facts),
            "".join(fact_statements(fact, "OLD", -1) for fact in facts),
        )
        for name, (table, facts, columns) in FACT_TRIGGERS.items()
    }
