"""Settings of the Feishu / Lark adapter."""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import BaseModel, SecretStr

FEISHU_DOMAIN = "https://open.feishu.cn"
LARK_DOMAIN = "https://open.larksuite.com"
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class FeishuSettings(BaseModel):
    """Feishu app credentials and endpoints (see docs/platforms/feishu.md)."""

    enabled: bool = False
    app_id: str = ""
    app_secret: SecretStr | None = None
    encrypt_key: SecretStr | None = None
    verification_token: SecretStr | None = None
    # https://open.feishu.cn for Feishu, https://open.larksuite.com for Lark, or a private gateway.
    domain: str = FEISHU_DOMAIN
    mode: str = "webhook"  # "webhook" or "long_connection"
    # The bot's own open_id: its @mentions are dropped before a command is read. Optional: a
    # leading @mention followed by "/" is dropped anyway.
    bot_open_id: str = ""
    # Signed requests older (or further in the future) than this are refused as replays.
    max_request_age_seconds: int = 300
    # Look up the display name of people who write to the bot (scope contact:user.base:readonly);
    # without it they are enrolled as "feishu-<id>".
    lookup_names: bool = True
    timeout_seconds: float = 10.0
    # The workspace tools for teams on Feishu (docs/platforms/feishu.md, "Workspace tools"):
    # action items as Task v2 tasks, meetings as calendar events, report packs as docx. Off:
    # those teams get the built-in ones (.ics, the dashboard), as QQ teams do.
    workspace_tools: bool = False
    # The calendar events are made on: a shared calendar the bot can write, else (empty) the
    # bot's own primary calendar, whose events people see as invitations.
    calendar_id: str = ""
    # The Drive folder documents go under: one a person shared with the bot (edit), else
    # (empty) the app's own space, invisible but for the shares each document gets.
    docs_folder: str = ""

    def missing(self) -> list[str]:
        """Name what an enabled Feishu adapter still needs."""
        if not self.enabled:
            return []
        gaps = []
        if not self.app_id:
            gaps.append("feishu.app_id is empty (TEAMASSIST_FEISHU__APP_ID)")
        if self.app_secret is None:
            gaps.append("TEAMASSIST_FEISHU__APP_SECRET is not set")
        if self.mode not in {"webhook", "long_connection"}:
            gaps.append("feishu.mode must be 'webhook' or 'long_connection'")
        if self.mode == "webhook":
            if self.verification_token is None:
                gaps.append(
                    "TEAMASSIST_FEISHU__VERIFICATION_TOKEN is not set (needed for webhooks)"
                )
            if self.encrypt_key is None:
                gaps.append(
                    "TEAMASSIST_FEISHU__ENCRYPT_KEY is not set (webhooks are only accepted "
                    "encrypted and signed)"
                )
        problem = domain_problem(self.domain)
        if problem:
            gaps.append(f"feishu.domain {self.domain!r}: {problem}")
        return gaps


def domain_problem(domain: str) -> str | None:
    """Why lark-oapi would refuse ``domain`` as its API origin, or None."""
    parts = urlsplit(domain)
    if parts.scheme not in {"https", "http"} or not parts.hostname:
        return "must be an https:// origin such as https://open.feishu.cn"
    if parts.scheme == "http" and parts.hostname not in _LOOPBACK:
        return "must use https (plain http is only allowed for 127.0.0.1/localhost)"
    if parts.path.strip("/") or parts.query or parts.fragment:
        return "must be an origin without a path (e.g. https://open.larksuite.com)"
    return None
