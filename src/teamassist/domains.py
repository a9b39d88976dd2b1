"""The composition root: which domains, commands, jobs, routers and demo data the app has.

Listing them here explicitly (rather than registering at import time) keeps start-up
predictable; a new domain adds one line to each function it takes part in.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from fastapi import APIRouter
from sqlalchemy.orm import Session

from teamassist.chat.registry import CommandGroup
from teamassist.scheduler.registry import JobGroup
from teamassist.team.models import Workspace

if TYPE_CHECKING:
    from teamassist.ports import Ports
    from teamassist.runtime import Runtime


def command_groups() -> list[CommandGroup]:
    """Every chat command group, in help order."""
    from teamassist.chat.commands import commands as core_commands
    from teamassist.duty.commands import commands as duty_commands
    from teamassist.duty.feed_commands import commands as duty_feed_commands
    from teamassist.feedback.commands import commands as feedback_commands

    return [core_commands, duty_commands, duty_feed_commands, feedback_commands]


def job_groups() -> list[JobGroup]:
    """Every domain's scheduled jobs."""
    from teamassist.duty.jobs import jobs as duty_jobs
    from teamassist.feedback.jobs import jobs as feedback_jobs

    return [duty_jobs, feedback_jobs]


def api_routers() -> list[APIRouter]:
    """REST routers, mounted under /api/v1."""
    from teamassist.duty.api import router as duty_router
    from teamassist.feedback.api import router as feedback_router
    from teamassist.team.api import router as team_router

    return [team_router, duty_router, feedback_router]


def dashboard_routers() -> list[APIRouter]:
    """Dashboard page routers (and public feed URLs such as /ical/<token>.ics)."""
    from teamassist.duty.api import public_router as duty_ical
    from teamassist.duty.pages import router as duty_dashboard
    from teamassist.feedback.pages import router as feedback_dashboard

    return [duty_dashboard, duty_ical, feedback_dashboard]


def dashboard_nav() -> list[tuple[str, str]]:
    """Extra dashboard navigation entries: (path, catalogue key of the label)."""
    return [("/duty", "duty_web.nav"), ("/feedback", "feedback_web.nav")]


def demo_loaders() -> list[Callable[[Session, Workspace, datetime], None]]:
    """Functions that add each domain's demo data to a fresh demo workspace."""
    from teamassist.duty.demo import load as duty_demo
    from teamassist.feedback.demo import load_demo as feedback_demo

    # Rotations first: the feedback demo routes items to the people on duty.
    return [duty_demo, feedback_demo]


def webhook_routers(runtime: Runtime) -> list[APIRouter]:
    """Inbound webhook routes of the enabled platforms."""
    routers: list[APIRouter] = []
    if runtime.settings.qq.enabled:
        from teamassist.adapters.qq.webhook import build_router as qq_router

        routers.append(qq_router(runtime))
    if runtime.settings.feishu.enabled:
        from teamassist.adapters.feishu.webhook import build_router as feishu_router

        routers.append(feishu_router(runtime))
    return routers


def wire_events(ports: Ports) -> None:
    """Subscribe each domain's handlers to the others' events (idempotent)."""
    from teamassist import events
    from teamassist.feedback import flows as feedback_flows
    from teamassist.ports import Roster

    events.subscribe("duty.signed_in", feedback_flows.SignedInDigest(ports.get(Roster)))
    events.subscribe("duty.handoff_digest", feedback_flows.handoff_section)
