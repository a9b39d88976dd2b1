"""OKRs from a sheet (CSV or XLSX) laid out like the seed's OKR template — one row per KR, the O
on its first row (a blank or merged O cell continues the O above) — or like our own export.

Columns are found by their header, in any order (a title row above the header is skipped):
目标(O), 目标类型, 负责人, 关键结果(KR), KR类型, 起始值, 目标值, 单位, 权重; the export's other
columns (current value, progress, score…) are ignored.

The import is a dry run unless applied: every row is checked by the same services chat and
REST use, inside a savepoint that is rolled back, so the report names each row's problem with
its row number and nothing is written. Applied, it creates drafts (never publishes), all or
nothing. An O already in the cycle with the same title and owner is skipped, so importing the
same sheet twice does not double it.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from teamassist.exceptions import DomainError
from teamassist.i18n import t
from teamassist.okr import grammar
from teamassist.okr import objectives as okr
from teamassist.okr.formulas import KrKind, num
from teamassist.okr.models import Cycle, ObjectiveType
from teamassist.okr.objectives import KRS_PER_OBJECTIVE, OBJECTIVES_PER_OWNER, KrInput
from teamassist.team import service as team_service
from teamassist.team.models import Member, Team

MAX_ROWS = 2000
MAX_BYTES = 5 * 1024 * 1024
_HEADER_SCAN = 10  # rows looked at for the header (the template has a title above it)

# Header words (normalised: no spaces or brackets, case-folded) → column.
HEADERS: dict[str, str] = {
    **dict.fromkeys(("目标o", "目标", "o", "objective", "目标名称", "目标objective"), "objective"),
    **dict.fromkeys(("目标类型", "o类型", "类型o", "objectivetype", "otype"), "otype"),
    **dict.fromkeys(("负责人", "责任人", "owner", "目标负责人"), "owner"),
    **dict.fromkeys(
        ("关键结果kr", "关键结果", "kr", "keyresult", "关键结果名称", "关键结果keyresult"),
        "key_result",
    ),
    **dict.fromkeys(("kr类型", "度量类型", "衡量方式", "kind", "krkind"), "kind"),
    **dict.fromkeys(("起始值", "起始", "基线", "基线值", "start", "baseline"), "start"),
    **dict.fromkeys(("目标值", "target"), "target"),
    **dict.fromkeys(("单位", "unit"), "unit"),
    **dict.fromkeys(("权重", "权重%", "weight", "weight%"), "weight"),
}
_NORMALISE = re.compile(r"[\s()（）\[\]【】:：]")

Cell = str | float | int | None


class SheetUnreadable(DomainError):
    """The upload is not a CSV or XLSX file we can read (422 in REST)."""

    status_code = 422


@dataclass(frozen=True)
class Problem:
    """What is wrong, at a row of the sheet (0: the sheet as a whole)."""

    row: int
    message: str

    def line(self, *, warning: bool = False) -> str:
        """``第 n 行：…``; a warning says so (``第 n 行（提醒）：…``): it does not stop the
        import, and listed alike under "表格有 n 处问题" it read as an uncounted problem."""
        if self.row == 0:
            return self.message
        key = "okr_sheet.import.warning_row" if warning else "okr_sheet.import.row"
        return t(key, row=self.row, message=self.message)


@dataclass
class PlannedKr:
    """A KR row as read."""

    row: int
    title: str
    kind: KrKind | None = None
    start: float | None = None
    target: float | None = None
    unit: str = ""
    weight: int | None = None
    label: str = ""


@dataclass
class PlannedObjective:
    """An O and its KR rows; ``exists`` when the cycle has it already (then skipped)."""

    row: int
    title: str
    owner_text: str
    okr_type: ObjectiveType = ObjectiveType.COMMITTED
    owner: Member | None = None
    krs: list[PlannedKr] = field(default_factory=list)
    exists: bool = False
    label: str = ""
    broken: bool = False  # a KR row could not be read: its weight is not counted either


@dataclass
class ImportReport:
    """What the import would do (or did): Os to create, those skipped, every row's problem."""

    cycle: str
    applied: bool
    objectives: list[PlannedObjective]
    problems: list[Problem]
    warnings: list[Problem]

    @property
    def created(self) -> list[PlannedObjective]:
        return [o for o in self.objectives if not o.exists]

    @property
    def skipped(self) -> list[PlannedObjective]:
        return [o for o in self.objectives if o.exists]

    def lines(self) -> list[str]:
        """The report as text lines: the summary, the Os, the warnings and the problems."""
        counts = {
            "cycle": self.cycle,
            "objectives": len(self.created),
            "krs": sum(len(o.krs) for o in self.created),
            "skipped": len(self.skipped),
        }
        if self.problems:
            head = t("okr_sheet.import.refused", count=len(self.problems))
        elif self.applied:
            head = t("okr_sheet.import.applied", **counts)
        else:
            head = t("okr_sheet.import.dry_run", **counts)
        # the problems right under the head that counts them, the warnings marked and last
        lines = [head, *(p.line() for p in self.problems)]
        for objective in self.objectives:
            key = "okr_sheet.import.skipped" if objective.exists else "okr_sheet.import.planned"
            lines.append(
                t(
                    key,
                    label=objective.label or "-",
                    title=objective.title,
                    owner=objective.owner.display_name if objective.owner else "-",
                    otype=t(f"okr.otype.{objective.okr_type.value}"),
                    krs=len(objective.krs),
                )
            )
        lines.extend(w.line(warning=True) for w in self.warnings)
        return lines


# -- reading ---------------------------------------------------------------------------------


def read_table(data: bytes, name: str = "") -> list[tuple[int, list[Cell]]]:
    """The sheet's rows with their row numbers (1-based, as a spreadsheet shows them)."""
    if len(data) > MAX_BYTES:
        raise SheetUnreadable("okr_sheet.import.too_big", rows=MAX_ROWS)
    if data.startswith(b"PK") or name.lower().endswith(".xlsx"):
        return _read_xlsx(data)
    return _read_csv(data)


def _read_csv(data: bytes) -> list[tuple[int, list[Cell]]]:
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GBK
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise SheetUnreadable("okr_sheet.import.unreadable", reason="encoding")
    rows: list[tuple[int, list[Cell]]] = []
    reader = csv.reader(io.StringIO(text))
    try:
        for number, row in enumerate(reader, start=1):
            if number > MAX_ROWS:
                raise SheetUnreadable("okr_sheet.import.too_big", rows=MAX_ROWS)
            rows.append((number, [_unquote(c) for c in row]))
    except csv.Error as exc:
        # A cell over the csv module's field limit (128 KiB: one long cell, or a quote never
        # closed that swallows the rest of the file) was an internal error, a 500 and a CLI
        # traceback (tester s28 E-9). The line where the reader stopped is named.
        raise SheetUnreadable("okr_sheet.import.bad_csv", row=reader.line_num) from exc
    return rows


def _unquote(text: str) -> str:
    # Our export quotes a cell that would run as a formula ('=…); read it back as written.
    return text[1:] if text.startswith("'") and text[1:2] in ("=", "+", "-", "@") else text


def _read_xlsx(data: bytes) -> list[tuple[int, list[Cell]]]:
    # openpyxl is loaded on this path only: serving must not pay for it at start.
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise SheetUnreadable("okr_sheet.import.unreadable", reason=type(exc).__name__) from exc
    sheet = book.worksheets[0]
    rows: list[tuple[int, list[Cell]]] = []
    for number, row in enumerate(sheet.iter_rows(), start=1):
        if number > MAX_ROWS:
            raise SheetUnreadable("okr_sheet.import.too_big", rows=MAX_ROWS)
        rows.append((number, [_xlsx_cell(c) for c in row]))
    book.close()
    return rows


def _xlsx_cell(cell: Any) -> Cell:
    value = cell.value
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float):
        # A percent-formatted 0.5 is the 50% a person sees.
        if "%" in str(getattr(cell, "number_format", "") or ""):
            return f"{num(value * 100)}%"
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    return None if value is None else _unquote(str(value))


def _header(rows: Sequence[tuple[int, list[Cell]]]) -> tuple[int, dict[str, int]] | None:
    for index, (_number, cells) in enumerate(rows[:_HEADER_SCAN]):
        found: dict[str, int] = {}
        for position, cell in enumerate(cells):
            word = _NORMALISE.sub("", str(cell or "")).casefold()
            column = HEADERS.get(word)
            if column is not None and column not in found:
                found[column] = position
        if "objective" in found and "key_result" in found:
            return index, found
    return None


# -- checking --------------------------------------------------------------------------------


def _text(cells: list[Cell], columns: dict[str, int], key: str) -> str:
    position = columns.get(key)
    if position is None or position >= len(cells) or cells[position] is None:
        return ""
    value = cells[position]
    if isinstance(value, float) and value == int(value):
        value = int(value)
    return str(value).strip()


def _number(cells: list[Cell], columns: dict[str, int], key: str) -> float | None:
    position = columns.get(key)
    if position is None or position >= len(cells):
        return None
    value = cells[position]
    if isinstance(value, int | float):
        return float(value)
    text = (value or "").strip()
    what = t("okr.word.start") if key == "start" else t("okr.word.target")
    return grammar.number(text, what=what) if text else None


def _parse(
    rows: Sequence[tuple[int, list[Cell]]], problems: list[Problem]
) -> list[PlannedObjective]:
    found = _header(rows)
    if found is None:
        problems.append(Problem(0, t("okr_sheet.import.no_header")))
        return []
    index, columns = found
    planned: list[PlannedObjective] = []
    current: PlannedObjective | None = None
    for number, cells in rows[index + 1 :]:
        if not any(str(c or "").strip() for c in cells):
            continue
        title = _text(cells, columns, "objective")
        owner = _text(cells, columns, "owner")
        if title and current is not None and (title, owner) == (current.title, current.owner_text):
            title = ""  # the export repeats the O on each of its KR rows
        if title:
            current = PlannedObjective(number, title, owner)
            planned.append(current)
            otype = _text(cells, columns, "otype")
            if otype:
                try:
                    current.okr_type = grammar.objective_type(otype)
                except DomainError as exc:
                    problems.append(Problem(number, exc.message()))
        kr_title = _text(cells, columns, "key_result")
        if not kr_title:
            if current is None:
                problems.append(Problem(number, t("okr_sheet.import.no_key_result")))
            continue
        if current is None:
            problems.append(Problem(number, t("okr_sheet.import.no_objective")))
            continue
        kr = PlannedKr(number, kr_title, unit=_text(cells, columns, "unit"))
        try:
            kind = _text(cells, columns, "kind")
            kr.kind = grammar.kr_kind(kind) if kind else None
            kr.start = _number(cells, columns, "start")
            kr.target = _number(cells, columns, "target")
            weight = _text(cells, columns, "weight")
            kr.weight = grammar.weight(weight) if weight else None
        except DomainError as exc:
            problems.append(Problem(number, exc.message()))
            current.broken = True
            continue
        current.krs.append(kr)
    return planned


def _resolve_owners(
    session: Session,
    *,
    team: Team,
    planned: list[PlannedObjective],
    actor: Member | None,
    problems: list[Problem],
) -> None:
    for objective in planned:
        if not objective.owner_text:
            objective.owner = actor
            if actor is None:
                problems.append(Problem(objective.row, t("okr_sheet.import.no_owner")))
            continue
        try:
            objective.owner = team_service.find_member(
                session,
                workspace=team.workspace,
                platform="",
                tenant_key="",
                user_key=None,
                name=objective.owner_text.removeprefix("@"),
            )
        except DomainError:
            problems.append(
                Problem(
                    objective.row, t("okr_sheet.import.unknown_owner", who=objective.owner_text)
                )
            )


def _check_counts(
    session: Session, *, team: Team, cycle: Cycle, planned: list[PlannedObjective]
) -> tuple[list[Problem], list[Problem]]:
    problems: list[Problem] = []
    warnings: list[Problem] = []
    existing = {(o.title, o.owner_id): o for o in okr.objectives(session, team=team, cycle=cycle)}
    per_owner: dict[int | None, int] = {}
    for o in existing.values():
        per_owner[o.owner_id] = per_owner.get(o.owner_id, 0) + 1
    seen: set[tuple[str, int | None]] = set()
    for objective in planned:
        owner_id = objective.owner.id if objective.owner else None
        key = (objective.title, owner_id)
        if key in existing:
            objective.exists = True
            objective.label = okr.label(existing[key])
            continue
        if key in seen:
            problems.append(Problem(objective.row, t("okr_sheet.import.repeated", title=key[0])))
            continue
        seen.add(key)
        if objective.owner is not None:
            per_owner[owner_id] = per_owner.get(owner_id, 0) + 1
            if per_owner[owner_id] > OBJECTIVES_PER_OWNER.stop - 1:
                problems.append(
                    Problem(
                        objective.row,
                        t(
                            "okr_sheet.import.too_many_objectives",
                            owner=objective.owner.display_name,
                            cycle=cycle.key,
                            count=per_owner[owner_id],
                            limit=OBJECTIVES_PER_OWNER.stop - 1,
                        ),
                    )
                )
        count = len(objective.krs)
        if count > KRS_PER_OBJECTIVE.stop - 1:
            problems.append(
                Problem(
                    objective.krs[KRS_PER_OBJECTIVE.stop - 1].row,
                    t(
                        "okr_sheet.import.too_many_krs",
                        title=objective.title,
                        count=count,
                        limit=KRS_PER_OBJECTIVE.stop - 1,
                    ),
                )
            )
        elif count < KRS_PER_OBJECTIVE.start:
            warnings.append(
                Problem(
                    objective.row, t("okr_sheet.import.few_krs", title=objective.title, count=count)
                )
            )
        weights = [k.weight for k in objective.krs]
        if objective.krs and all(w is None for w in weights):
            warnings.append(
                Problem(objective.row, t("okr_sheet.import.no_weights", title=objective.title))
            )
        elif objective.krs and not objective.broken and sum(w or 0 for w in weights) != 100:
            problems.append(
                Problem(
                    objective.row,
                    t(
                        "okr_sheet.import.weights_sum",
                        title=objective.title,
                        total=sum(w or 0 for w in weights),
                    ),
                )
            )
    return problems, warnings


def _create(
    session: Session,
    *,
    team: Team,
    cycle: Cycle,
    planned: list[PlannedObjective],
    now: datetime,
    problems: list[Problem],
    warnings: list[Problem],
) -> None:
    """Create the new Os and KRs through the services; each refusal becomes a row's problem,
    what publishing would still ask for (a unit, a value) a warning."""
    for objective in planned:
        if objective.exists:
            continue
        try:
            made = okr.create_objective(
                session,
                team=team,
                cycle=cycle,
                owner=objective.owner,
                title=objective.title,
                now=now,
                okr_type=objective.okr_type,
            )
        except DomainError as exc:
            problems.append(Problem(objective.row, exc.message()))
            continue
        objective.label = okr.label(made)
        for kr in objective.krs[: okr.MAX_KRS]:  # the rest is reported above, once
            try:
                key_result = okr.add_key_result(
                    session,
                    team=team,
                    objective=made,
                    data=KrInput(
                        title=kr.title,
                        kind=kr.kind,
                        start=0.0 if kr.kind is KrKind.MILESTONE and kr.start is None else kr.start,
                        target=kr.target,
                        unit=kr.unit,
                        weight=kr.weight or 0,
                    ),
                    now=now,
                )
            except DomainError as exc:
                problems.append(Problem(kr.row, exc.message()))
                continue
            kr.label = okr.label(made, key_result)
            problem = okr.measurable_problem(key_result)
            if problem is not None:
                warnings.append(Problem(kr.row, problem))


def import_sheet(
    session: Session,
    *,
    team: Team,
    cycle: Cycle,
    rows: Sequence[tuple[int, list[Cell]]],
    actor: Member | None,
    now: datetime,
    apply: bool = False,
) -> ImportReport:
    """Check the sheet's rows against ``cycle``; with ``apply`` and no problem, create the
    drafts (the caller's transaction commits them). Nothing is written otherwise."""
    problems: list[Problem] = []
    planned = _parse(rows, problems)
    _resolve_owners(session, team=team, planned=planned, actor=actor, problems=problems)
    # One import of a cycle at a time, before it looks for the Os it would skip: ten imports
    # of one sheet at once each found none and created them all (tester B-10, session 27).
    okr.lock_cycle(session, cycle)
    more, warnings = _check_counts(session, team=team, cycle=cycle, planned=planned)
    problems.extend(more)
    savepoint = session.begin_nested()
    try:
        _create(
            session,
            team=team,
            cycle=cycle,
            planned=planned,
            now=now,
            problems=problems,
            warnings=warnings,
        )
    except BaseException:
        savepoint.rollback()
        raise
    applied = apply and not problems
    if applied:
        savepoint.commit()
    else:
        savepoint.rollback()
    problems.sort(key=lambda p: p.row)
    warnings.sort(key=lambda p: p.row)
    return ImportReport(cycle.key, applied, planned, problems, warnings)
