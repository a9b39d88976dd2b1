"""The WeCom group-robot webhook: ``POST {api_base}/cgi-bin/webhook/send?key=KEY``."""

from __future__ import annotations

from typing import Any

import httpx

from teamassist.outbox.senders import DeliveryError

# errcode → retry? 45009: over 20 messages a minute; -1: system busy.
RETRY_AFTER = {45009: 60.0, -1: 5.0, 6000: 5.0}
# Waiting does not help: bad key, robot removed or disabled, malformed or oversized message.
PERMANENT = {93000, 93004, 93008, 40008, 40058, 44004, 45002, 301002}


class WeComError(DeliveryError):
    """The robot API refused a message."""

    def __init__(
        self,
        message: str,
        *,
        errcode: int | None,
        transient: bool,
        retry_after: float | None,
        ambiguous: bool = False,
    ) -> None:
        super().__init__(message, transient=transient, retry_after=retry_after, ambiguous=ambiguous)
        self.errcode = errcode


class RobotClient:
    """Posts messages to group robots."""

    def __init__(self, api_base: str, *, timeout: float = 10.0) -> None:
        self.http = httpx.Client(base_url=api_base.rstrip("/"), timeout=timeout)

    def send_markdown(self, key: str, content: str) -> None:
        """Post one markdown message; raise :class:`WeComError` unless errcode is 0."""
        self.send(key, {"msgtype": "markdown", "markdown": {"content": content}})

    def send(self, key: str, body: dict[str, Any]) -> None:
        """Post one message of any type."""
        try:
            response = self.http.post("/cgi-bin/webhook/send", params={"key": key}, json=body)
        except (httpx.ReadTimeout, httpx.ReadError, httpx.RemoteProtocolError) as exc:
            # The request went out and no answer came: the robot may have posted it.
            raise WeComError(
                f"wecom: no answer ({type(exc).__name__}); the message may have been posted",
                errcode=None,
                transient=True,
                retry_after=None,
                ambiguous=True,
            ) from exc
        except httpx.HTTPError as exc:  # unreachable, connect timeout: nothing was sent
            raise WeComError(
                f"wecom: {type(exc).__name__}: {exc}",
                errcode=None,
                transient=True,
                retry_after=None,
            ) from exc
        if response.status_code >= 500 or response.status_code == 429:
            raise WeComError(
                f"wecom: HTTP {response.status_code}",
                errcode=None,
                transient=True,
                retry_after=60.0 if response.status_code == 429 else None,
            )
        try:
            answer = response.json()
            errcode = int(answer.get("errcode", -1))
        except (ValueError, AttributeError, TypeError) as exc:
            raise WeComError(
                f"wecom: unreadable answer (HTTP {response.status_code})",
                errcode=None,
                transient=True,
                retry_after=None,
            ) from exc
        if errcode == 0:
            return
        text = f"wecom: errcode {errcode} {answer.get('errmsg', '')}".strip()
        if errcode in PERMANENT:
            raise WeComError(text, errcode=errcode, transient=False, retry_after=None)
        # Unknown codes are retried with backoff; the outbox gives up after its max attempts.
        raise WeComError(
            text, errcode=errcode, transient=True, retry_after=RETRY_AFTER.get(errcode)
        )

    def close(self) -> None:
        """Release connections."""
        self.http.close()
