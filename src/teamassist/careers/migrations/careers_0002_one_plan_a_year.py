"""careers: one career plan per person and year, whichever team starts it

The unique key was (team, person, year): a person in two teams got a second plan for the same
year from the second team, whose director was then told there was none (tester s25 F-16). A
plan is the person's (个人职业发展规划), read by the director of every team they are in, so the
key becomes (person, year) and ``team_id`` (the team that started it) gets an index of its own
(MariaDB keeps the foreign key's index).

Plans that already double up are merged, nothing dropped: the kept one is the written plan
saved last (else the first started); each other's development goals move to it (numbered after
its own; more than three are kept, for the person to trim), its direction, strengths and notes,
where they say something the kept plan does not, are added to the kept plan's notes under a
line naming the team that started it, and its action items (source ``career_plan``) point at
the kept plan. Each merge is logged as a warning naming both plans. Its document on a platform
(if any) stays where it was.

SQLite changes the key by copying the table and dropping the old one, and a connection with
foreign keys on (every one of ours) deletes the goals with it (``ON DELETE CASCADE`` fires on a
DROP TABLE): the goals are read before and written back after, foreign keys deferred.

Revision ID: careers_0002
Revises: careers_0001
Create Date: 2026-12-04 15:20:00
"""

from __future__ import annotations

import logging
from collections import defaultdict
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "careers_0002"
down_revision = "careers_0001"
branch_labels = None
depends_on = None

log = logging.getLogger("teamassist.migrations.careers_0002")

OLD = "uq_career_plan_team_member_year"
NEW = "uq_career_plan_member_year"
TEAM_INDEX = "ix_career_plan_team_id"

plan_t = sa.table(
    "career_plan",
    sa.column("id"),
    sa.column("team_id"),
    sa.column("member_id"),
    sa.column("year"),
    sa.column("direction"),
    sa.column("strengths"),
    sa.column("notes"),
    sa.column("written_at"),
    sa.column("updated_at"),
)
goal_t = sa.table("career_goal", sa.column("id"), sa.column("plan_id"), sa.column("number"))
team_t = sa.table("team", sa.column("id"), sa.column("name"))
item_t = sa.table("action_item", sa.column("source_kind"), sa.column("source_id"))


def _keeper(plans: list[sa.Row[Any]]) -> sa.Row[Any]:
    written = [p for p in plans if p.written_at is not None]
    if written:
        return max(written, key=lambda p: (p.updated_at, p.id))
    return min(plans, key=lambda p: p.id)


def _merged_text(keeper: sa.Row[Any], other: sa.Row[Any], team: str) -> str:
    parts = []
    for label, field in (("发展方向", "direction"), ("优势", "strengths"), ("备注", "notes")):
        value = (getattr(other, field) or "").strip()
        if value and value not in (getattr(keeper, field) or ""):
            parts.append(f"{label}：{value}")
    if not parts:
        return ""
    head = f"（以下合并自「{team}」发起的同年规划 #{other.id}）"
    return "\n\n".join([head, *parts])


def _merge_doubles() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.select(plan_t).order_by(plan_t.c.id)).all()
    by_key: dict[tuple[int, int], list[sa.Row[Any]]] = defaultdict(list)
    for row in rows:
        by_key[(row.member_id, row.year)].append(row)
    doubles = [plans for plans in by_key.values() if len(plans) > 1]
    if not doubles:
        return
    teams = dict(bind.execute(sa.select(team_t.c.id, team_t.c.name)).all())
    has_items = sa.inspect(bind).has_table("action_item")
    for plans in doubles:
        keeper = _keeper(plans)
        notes = keeper.notes or ""
        number = int(
            bind.scalar(
                sa.select(sa.func.coalesce(sa.func.max(goal_t.c.number), 0)).where(
                    goal_t.c.plan_id == keeper.id
                )
            )
            or 0
        )
        for other in plans:
            if other.id == keeper.id:
                continue
            team = teams.get(other.team_id, str(other.team_id))
            extra = _merged_text(keeper, other, team)
            if extra:
                notes = f"{notes}\n\n{extra}" if notes.strip() else extra
            goals = bind.execute(
                sa.select(goal_t.c.id).where(goal_t.c.plan_id == other.id).order_by(goal_t.c.number)
            ).all()
            for (goal_id,) in goals:
                number += 1
                bind.execute(
                    sa.update(goal_t)
                    .where(goal_t.c.id == goal_id)
                    .values(plan_id=keeper.id, number=number)
                )
            if has_items:
                bind.execute(
                    sa.update(item_t)
                    .where(item_t.c.source_kind == "career_plan", item_t.c.source_id == other.id)
                    .values(source_id=keeper.id)
                )
            bind.execute(sa.delete(plan_t).where(plan_t.c.id == other.id))
            log.warning(
                "career_plan %s (member %s, %s, started by team %s) merged into plan %s: "
                "%s goals moved, its texts added to the notes, its action items re-pointed",
                other.id,
                other.member_id,
                other.year,
                team,
                keeper.id,
                len(goals),
            )
        if notes != (keeper.notes or ""):
            bind.execute(sa.update(plan_t).where(plan_t.c.id == keeper.id).values(notes=notes))


def _goals_kept_on_sqlite() -> tuple[sa.Table | None, list[dict[str, object]]]:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return None, []
    goals = sa.Table("career_goal", sa.MetaData(), autoload_with=bind)
    rows = bind.execute(sa.select(goals).order_by(goals.c.id)).all()
    return goals, [dict(row._mapping) for row in rows]


def _put_back(goals: sa.Table | None, rows: list[dict[str, object]]) -> None:
    if goals is None or not rows:
        return
    bind = op.get_bind()
    bind.exec_driver_sql("PRAGMA defer_foreign_keys=ON")  # carried_from_id may point ahead
    bind.execute(sa.delete(goals))
    bind.execute(sa.insert(goals), rows)


def upgrade() -> None:
    _merge_doubles()
    goals, rows = _goals_kept_on_sqlite()
    with op.batch_alter_table("career_plan") as batch_op:
        batch_op.create_index(TEAM_INDEX, ["team_id"], unique=False)
        batch_op.drop_constraint(OLD, type_="unique")
        batch_op.create_unique_constraint(NEW, ["member_id", "year"])
    _put_back(goals, rows)


def downgrade() -> None:
    # Merged plans stay merged.
    goals, rows = _goals_kept_on_sqlite()
    with op.batch_alter_table("career_plan") as batch_op:
        batch_op.drop_constraint(NEW, type_="unique")
        batch_op.create_unique_constraint(OLD, ["team_id", "member_id", "year"])
        batch_op.drop_index(TEAM_INDEX)
    _put_back(goals, rows)
