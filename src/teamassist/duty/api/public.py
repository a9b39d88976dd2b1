"""The public feed URL ``GET /ical/{token}.ics``: no sign-in, the secret token is the credential."""

from __future__ import annotations

from fastapi import HTTPException
from fastapi.responses import Response

from teamassist.duty import feeds
from teamassist.duty.api.feeds import ICAL_MEDIA_TYPE
from teamassist.http.deps import RuntimeDep, SessionDep
from teamassist.http.routes import Routes
from teamassist.i18n import t

public_router = Routes(include_in_schema=False)


@public_router.api_route("/ical/{token}.ics", methods=["GET", "HEAD"])
def ical_feed(token: str, session: SessionDep, runtime: RuntimeDep) -> Response:
    """The calendar of a secret feed URL (subscribable from Feishu, Outlook, Google)."""
    now = runtime.clock()
    feed = feeds.resolve(session, token=token, now=now)
    if feed is None:
        raise HTTPException(status_code=404, detail="unknown calendar feed")
    if feeds.made_by_a_leaver(session, feed=feed, now=now):
        return Response(
            content=t("duty_feeds.error.creator_left"),
            status_code=410,
            media_type="text/plain; charset=utf-8",
            headers={"Cache-Control": "no-store", "X-Robots-Tag": "noindex"},
        )
    body = feeds.render_feed(
        session, feed=feed, now=now, domain=feeds.uid_domain(runtime.settings.web.public_url)
    )
    return Response(
        content=body,
        media_type=ICAL_MEDIA_TYPE,
        headers={
            "Cache-Control": "private, max-age=900",
            "Content-Disposition": 'inline; filename="duty.ics"',
            "X-Robots-Tag": "noindex",
        },
    )
