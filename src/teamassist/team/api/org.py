"""REST for the organisation tree: teams nested, leaders, directors, members, managers."""

from __future__ import annotations

from teamassist.http.deps import PrincipalDep, SessionDep
from teamassist.http.routes import Routes
from teamassist.team import org
from teamassist.team.api.shapes import OrgMemberRead, OrgRead, OrgTeamRead

router = Routes(tags=["people"])


def _node(node: org.TeamNode) -> OrgTeamRead:
    team = node.team
    return OrgTeamRead(
        id=team.id,
        key=team.key,
        name=team.name,
        parent_id=team.parent_id,
        leader_id=team.leader_id,
        director_id=team.director_id,
        members=[
            OrgMemberRead(
                id=p.member.id,
                display_name=p.member.display_name,
                role=p.role,
                core=p.core,
                active=p.member.active,
            )
            for p in node.people
        ],
        children=[_node(child) for child in node.children],
    )


@router.get("/org", response_model=OrgRead)
def get_org(session: SessionDep, principal: PrincipalDep) -> OrgRead:
    """The workspace's organisation (every signed-in member may read it)."""
    found = org.tree(session, workspace_id=principal.workspace.id)
    return OrgRead(teams=[_node(root) for root in found.roots], managers=found.managers)
