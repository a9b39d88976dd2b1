"""A workspace's export: every row that belongs to it, as JSON and one CSV per table, zipped.

Which rows belong to a workspace is read from the schema, so a domain's new table is exported
without a line here: a table belongs when it has a ``workspace_id``, or a foreign key to a
table that belongs (a required key first: a duty swap belongs through its rotation, not
through whoever created it). The few tables that keep a workspace's rows by id without a
foreign key are named in :data:`_BY_ID`. Secrets stay out: session, sign-in link and binding
code tables, and every ``*_hash`` column (password and token hashes); in every text kept, the
credentials a message may carry (sign-in links, calendar feed tokens, settings secrets) are
masked by :func:`teamassist.redact.redact`, the same rules as the log. What only a domain
knows to be private (the rows that would name an anonymous sender) it withholds by answering
:class:`teamassist.events.ExportWithheld`: those rows are left out, or some of their columns
blanked, and the copies of a left-out row (``_FOLLOWS``: its web inbox copy) go with it;
the archive does not say how many.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, case, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from teamassist.csvfile import BOM, safe_cell
from teamassist.database import Base
from teamassist.events import ExportWithheld, Withheld, ask
from teamassist.i18n import t
from teamassist.redact import redact
from teamassist.team.models import Workspace
from teamassist.team.workspaces import inbox_condition

FORMAT = 1
NOTE_NAME = "NOT-A-BACKUP.txt"  # first in the zip, so a listing shows it at the top
SECRET_TABLES = frozenset({"web_session", "sign_in_link", "binding_code"})
# table -> (its column, the table whose id it holds) for rows kept by id without a foreign key
_BY_ID = {
    "job_run": ("team_id", "team"),
    "job_due": ("team_id", "team"),
}
# table -> (its column, the table whose id it holds): withheld with the row it copies (a web
# inbox copy of a withheld notice)
_FOLLOWS = {"web_message": ("outbox_id", "outbox_message")}


def _secret(column: str) -> bool:
    return column.endswith("_hash") or column in {"secret", "token"}


def ownership(
    session: Session, workspace: Workspace
) -> Iterator[tuple[Table, ColumnElement[bool]]]:
    """Every table that holds rows of ``workspace``, with the condition that selects them
    (tables in dependency order: parents first)."""
    tables = {table.name: table for table in Base.metadata.sorted_tables}
    conditions: dict[str, ColumnElement[bool]] = {}

    def owned(table: Table, seen: frozenset[str]) -> ColumnElement[bool] | None:
        if table.name in conditions:
            return conditions[table.name]
        if table.name == "workspace":
            return table.c.id == workspace.id
        if "workspace_id" in table.c:
            return table.c.workspace_id == workspace.id
        if table.name == "inbound_event":
            return inbox_condition(session, workspace)
        if table.name in _BY_ID:
            column, parent_name = _BY_ID[table.name]
            parent = tables[parent_name]
            parent_condition = owned(parent, seen | {table.name})
            if parent_condition is None:
                return None
            return table.c[column].in_(select(parent.c.id).where(parent_condition))
        keys = sorted(table.foreign_keys, key=lambda fk: (fk.parent.nullable, fk.parent.name))
        for fk in keys:
            parent = fk.column.table
            if parent.name == table.name or parent.name in seen or not isinstance(parent, Table):
                continue
            parent_condition = owned(parent, seen | {table.name})
            if parent_condition is not None:
                return fk.parent.in_(select(fk.column).where(parent_condition))
        return None

    for table in Base.metadata.sorted_tables:
        if table.name in SECRET_TABLES:
            continue
        condition = owned(table, frozenset())
        if condition is not None:
            conditions[table.name] = condition
            yield table, condition


@dataclass(frozen=True)
class Archive:
    """The zip's bytes and how many rows it holds."""

    data: bytes
    rows: int
    filename: str


def _plain(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict | list):
        # JSON payloads (queued notices, web chat messages) carry the texts that were sent
        return json.loads(redact(json.dumps(value, ensure_ascii=False)))
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    return value


def withheld_rules(session: Session, workspace: Workspace) -> dict[str, list[Withheld]]:
    """The domains' :class:`~teamassist.events.Withheld` rules for ``workspace`` by table, plus
    one per table of :data:`_FOLLOWS` whose parent rows are dropped; ValueError for a table or
    column the schema lacks (a typo would leak silently)."""
    tables = Base.metadata.tables
    rules: dict[str, list[Withheld]] = defaultdict(list)
    for answer in ask(session, ExportWithheld(workspace=workspace)):
        for rule in answer:
            table = tables.get(rule.table)
            if table is None:
                raise ValueError(f"withheld rule names no table: {rule.table!r}")
            unknown = [name for name in rule.columns if name not in table.c]
            if unknown:
                raise ValueError(f"withheld rule names no column of {rule.table}: {unknown}")
            rules[rule.table].append(rule)
    for name, (column, parent) in _FOLLOWS.items():
        dropped = [rule.where for rule in rules.get(parent, []) if not rule.columns]
        if dropped:
            table, parent_table = tables[name], tables[parent]
            where = table.c[column].in_(select(parent_table.c.id).where(or_(*dropped)))
            rules[name].append(Withheld(name, where))
    return rules


def _kept(
    row: dict[str, Any], rules: Sequence[Withheld], flags: Sequence[str]
) -> dict[str, Any] | None:
    """``row`` with what ``rules`` withhold applied (None: left out); the flags are popped."""
    matched = [rule for rule, flag in zip(rules, flags, strict=True) if row.pop(flag)]
    if any(not rule.columns for rule in matched):
        return None
    for rule in matched:
        for name in (*rule.columns, *(_DERIVED.get((rule.table, c), "") for c in rule.columns)):
            if name in row:  # a secret column is not exported anyway
                row[name] = None
    return row


# Columns that spell out another one (its folded key): withheld with it, or the key would tell
# what the rule blanked (a member's ``name_key`` is their name without blanks).
_DERIVED = {
    ("member", "handle"): "handle_key",
    ("member", "display_name"): "name_key",
    ("team", "key"): "folded_key",
}


def workspace_rows(session: Session, workspace: Workspace) -> dict[str, list[dict[str, Any]]]:
    """Every row of ``workspace`` by table, secrets and withheld rows left out, in id order."""
    rules = withheld_rules(session, workspace)
    found: dict[str, list[dict[str, Any]]] = {}
    for table, condition in ownership(session, workspace):
        columns = [c for c in table.columns if not _secret(c.name)]
        order = list(table.primary_key.columns)
        table_rules = rules.get(table.name, [])
        # Each rule as a 1/0 column: CASE maps a NULL condition to "not matched", where a
        # NOT in the WHERE clause would silently drop such rows as well.
        flags = [f"_withheld_{i}" for i in range(len(table_rules))]
        marks = [
            case((rule.where, 1), else_=0).label(flag)
            for rule, flag in zip(table_rules, flags, strict=True)
        ]
        query = select(*columns, *marks).where(condition).order_by(*order)
        kept = (_kept(dict(row), table_rules, flags) for row in session.execute(query).mappings())
        found[table.name] = [
            {k: _plain(v) for k, v in row.items()} for row in kept if row is not None
        ]
    return found


def export_workspace(session: Session, *, workspace: Workspace, now: datetime) -> Archive:
    """The zip of ``workspace``: ``workspace.json`` (every table), ``csv/<table>.csv`` and
    ``NOT-A-BACKUP.txt``, which says what the export leaves out and that nothing imports it
    (an operator who opens the zip, not the docs, learns it there: tester s29 F-4)."""
    tables = workspace_rows(session, workspace)
    document = {
        "format": FORMAT,
        "workspace": {"key": workspace.key, "name": workspace.name},
        "exported_at": now.isoformat(),
        "tables": tables,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(NOTE_NAME, t("setup.workspace.export_note") + "\n")
        archive.writestr(
            "workspace.json", json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True)
        )
        for name, rows in tables.items():
            if rows:
                archive.writestr(f"csv/{name}.csv", _csv(rows))
    stamp = now.strftime("%Y%m%d-%H%M%S")
    return Archive(
        data=buffer.getvalue(),
        rows=sum(len(rows) for rows in tables.values()),
        filename=f"teamassist-{workspace.key}-{stamp}.zip",
    )


def _csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    out.write(BOM)  # so a spreadsheet opens the Chinese text as UTF-8
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(v) for k, v in row.items()})
    return out.getvalue()


def _cell(value: Any) -> Any:
    """A CSV cell: structures as JSON; text a spreadsheet would run as a formula quoted (any
    member can type such a text into a feedback or a name); numbers as they are. The JSON file
    keeps the raw text."""
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False)
    return safe_cell(value) if isinstance(value, str) else value
