"""The same OKR sheet imported at once (tester B-10, session 27): on MariaDB 10 imports with
apply=true created its objectives twice, each having looked for them before the other
committed. Each import runs in its own thread and transaction (``tests.support.races``)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from teamassist.okr import cycles, sheet_import
from teamassist.okr.models import Objective
from teamassist.runtime import Runtime
from teamassist.team.models import Team
from tests.conftest import load_demo
from tests.okr.support import at, second_team, team_session
from tests.support.races import side_by_side

NOW = at("2026-11-16 09:00")  # inside 2026Q4
SHEET = """目标(O),目标类型,负责人,关键结果(KR),KR类型,起始值,目标值,单位,权重
导入目标A,承诺型,zhangsan,导入KR1,提升,0,10,个,50
,,,导入KR2,提升,0,20,个,50
导入目标B,挑战型,lisi,导入KR3,降低,10,0,次,100
""".encode()


def test_one_sheet_imported_at_once_creates_its_objectives_once(runtime: Runtime) -> None:
    load_demo(runtime)
    team_id = second_team(runtime)
    with team_session(runtime, team_id) as given:
        cycles.by_key(given.session, team=given.team, key="2026Q4")  # the year's cycles made
    rows = sheet_import.read_table(SHEET, "okr.csv")

    def load(session: Session) -> str | None:
        team = session.get(Team, team_id)
        assert team is not None
        q4 = cycles.by_key(session, team=team, key="2026Q4")
        report = sheet_import.import_sheet(
            session, team=team, cycle=q4, rows=rows, actor=None, now=NOW, apply=True
        )
        assert not report.problems, report.problems
        return f"created {len(report.created)}, skipped {len(report.skipped)}"

    outcome = side_by_side(runtime, [load] * 5, attempts=1)

    assert outcome == ["created 0, skipped 2"] * 4 + ["created 2, skipped 0"], outcome
    with runtime.factory() as session:
        made = session.execute(
            select(Objective.number, Objective.title).where(Objective.team_id == team_id)
        ).all()
        assert sorted(made) == [(1, "导入目标A"), (2, "导入目标B")]
