"""A team's cycle as a sheet: one row per KR (an O without KRs gets a row of its own), written
as CSV (BOM, formula-safe cells) or XLSX (numbers as numbers, percents formatted).

The columns are named in the catalogue (``okr_sheet.column.*``); the importer reads this layout
back, so an exported sheet can be edited and imported into the next cycle.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from teamassist.csvfile import safe_cell, write_csv
from teamassist.i18n import t
from teamassist.okr import cycles, rollup, scoring
from teamassist.okr.formulas import num
from teamassist.okr.models import Cycle
from teamassist.okr.objectives import objectives
from teamassist.ports import Workdays
from teamassist.team import service as team_service
from teamassist.team.models import Team

# Column keys in sheet order; each one's header is ``okr_sheet.column.<key>``.
COLUMNS = (
    "objective",
    "otype",
    "owner",
    "key_result",
    "kind",
    "start",
    "target",
    "current",
    "unit",
    "weight",
    "progress",
    "confidence",
    "status",
    "score",
    "last_checkin",
)
PERCENT_COLUMNS = frozenset({"weight", "progress"})
NUMBER_COLUMNS = frozenset({"start", "target", "current", "confidence", "score"})
_WIDTHS = {"objective": 32, "key_result": 32, "owner": 12, "last_checkin": 17}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"

Cell = str | float | int | datetime | None


@dataclass(frozen=True)
class SheetRow:
    """One row of the export, typed: numbers stay numbers, percents are shares (0.5 = 50%)."""

    cells: dict[str, Cell]


def headers() -> list[str]:
    """The column headers, from the catalogue."""
    return [t(f"okr_sheet.column.{key}") for key in COLUMNS]


def rows(
    session: Session, *, team: Team, cycle: Cycle, workdays: Workdays, now: datetime
) -> list[SheetRow]:
    """Every KR of the team's cycle with its O, owner, values, progress, status and score."""
    found = objectives(session, team=team, cycle=cycle)
    _expected, views = rollup.of_cycle(
        session,
        team=team,
        cycle=cycle,
        objectives=found,
        workdays=workdays,
        today=cycles.today_of(team, now),
    )
    names = team_service.names_by_id(session, (o.owner_id for o in found))
    scores = {
        k.id: final
        for entry in scoring.objective_scores(session, found)
        for k, _suggested, final in entry.krs
    }
    zone = ZoneInfo(team.timezone)
    result: list[SheetRow] = []
    for view in views:
        objective = view.objective
        head: dict[str, Cell] = {
            "objective": objective.title,
            "otype": t(f"okr.otype.{objective.okr_type}"),
            "owner": names.get(objective.owner_id or 0, ""),
        }
        if not view.krs:
            result.append(SheetRow(head))
        for kr_view in view.krs:
            key_result = kr_view.key_result
            checked = key_result.last_checkin_at
            result.append(
                SheetRow(
                    {
                        **head,
                        "key_result": key_result.title,
                        "kind": t(f"okr.kind.{key_result.kind}"),
                        "start": key_result.start_value,
                        "target": key_result.target_value,
                        "current": key_result.current_value,
                        "unit": key_result.unit,
                        "weight": key_result.weight / 100,
                        "progress": kr_view.raw if key_result.current_value is not None else None,
                        "confidence": key_result.confidence,
                        "status": t(f"okr.status.{kr_view.status.value}"),
                        "score": scores.get(key_result.id),
                        "last_checkin": (
                            checked.astimezone(zone).replace(tzinfo=None, microsecond=0)
                            if checked is not None
                            else None
                        ),
                    }
                )
            )
    return result


def _text(key: str, value: Cell) -> str:
    if value is None:
        return ""
    if key in PERCENT_COLUMNS and isinstance(value, int | float):
        return f"{value * 100:.0f}%"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, float):
        return num(value)
    return str(value)


def to_csv(found: Sequence[SheetRow]) -> bytes:
    """The rows as CSV (UTF-8 with BOM); a cell starting with = + - @ gets a leading quote."""
    body = [[_text(key, row.cells.get(key)) for key in COLUMNS] for row in found]
    return write_csv(headers(), body).encode("utf-8")


def to_xlsx(found: Sequence[SheetRow], *, title: str) -> bytes:
    """The rows as one XLSX sheet: a bold frozen header, widths to fit, numbers as numbers,
    weights and progress in percent format, text made formula-safe like the CSV."""
    # openpyxl is loaded on this path only: serving must not pay for it at start.
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title[:31]
    sheet.append(headers())
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for row in found:
        values: list[Cell] = []
        for key in COLUMNS:
            value = row.cells.get(key)
            values.append(safe_cell(value) if isinstance(value, str) else value)
        sheet.append(values)
    for index, key in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        width = max(len(headers()[index - 1]) * 2 + 2, _WIDTHS.get(key, 10))
        sheet.column_dimensions[letter].width = width
        number_format = (
            "0%"
            if key in PERCENT_COLUMNS
            else "yyyy-mm-dd hh:mm"
            if key == "last_checkin"
            else "0.0"
            if key == "score"
            else None
        )
        if number_format is None:
            continue
        for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
            cell.number_format = number_format
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def filename(team: Team, cycle: Cycle, suffix: str) -> str:
    """``okr-<team key>-2026Q4.csv``."""
    return f"okr-{team.key}-{cycle.key}.{suffix}"
