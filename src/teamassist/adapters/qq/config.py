"""Settings of the QQ official bot adapter."""

from __future__ import annotations

import re

from pydantic import BaseModel, SecretStr

# "qq:channel:123", "feishu:oc_abc", "wecom:ops-robot" or the id of a row of the channel table.
_FALLBACK = re.compile(r"^(?:\d+|(?:qq|feishu|wecom|web):\S+)$")


class QQSettings(BaseModel):
    """QQ bot credentials and endpoints (see docs/platforms/qq.md)."""

    enabled: bool = False
    app_id: str = ""
    secret: SecretStr | None = None
    api_base: str = "https://api.sgroup.qq.com/"
    auth_base: str = "https://bots.qq.com/app/getAppAccessToken"
    # Guild role ids that count as admin (2 = 管理员, 4 = 创建者, as in the seed).
    admin_role_ids: list[str] = ["2", "4"]
    # QQ group member roles that count as admin ("owner", "admin", "member").
    admin_group_roles: list[str] = ["owner", "admin"]
    # Send replies and notices as QQ native markdown (msg_type 2); off = plain text (msg_type 0),
    # for bots that have not been granted markdown.
    markdown: bool = True
    # Send a reply's buttons (完成/确认/延期 on an action item...) as a QQ keyboard of command
    # buttons under the markdown, instead of the commands as text. Keyboards need QQ's approval
    # of the bot, hence off by default; a kind of chat where QQ refuses one gets text again.
    keyboard: bool = False
    # Refuse signed events whose X-Signature-Timestamp is older than this (replays); 0 = no limit.
    max_event_age_seconds: int = 300
    # Deprecated and ignored (accepted for one release): guilds and groups are bound by an
    # admin with a binding code (`/绑定`) or `teamassist bind qq`; `config check` warns.
    workspace: str = ""
    # QQ's proactive (non-reply) message limits; beyond them notices go to ``fallback_channel``.
    proactive_daily_limit_per_channel: int = 20
    proactive_monthly_limit_per_group: int = 4
    proactive_monthly_limit_per_user: int = 4
    # Where notices go that QQ will not take proactively: a channel-table id ("7") or
    # "<platform>:<address>" ("feishu:oc_123", "wecom:ops", "qq:channel:456"). Empty: they wait
    # for the limit to reset.
    fallback_channel: str = ""
    # Error codes with which QQ refuses a proactive message for exceeding its limits.
    proactive_limit_codes: list[int] = [22009, 304045, 304046, 304047, 304048, 304049]
    # The zone in which QQ's daily / monthly limits reset.
    limit_timezone: str = "Asia/Shanghai"
    timeout_seconds: float = 10.0

    def deprecated(self) -> list[str]:
        """Settings still accepted but no longer used."""
        if self.workspace:
            return [
                f"qq.workspace = {self.workspace!r} is deprecated and ignored: bind guilds and "
                "groups with `teamassist bind code` + `/绑定 <code>` or `teamassist bind qq`"
            ]
        return []

    def missing(self) -> list[str]:
        """Name what an enabled QQ adapter still needs."""
        if not self.enabled:
            return []
        gaps = []
        if not self.app_id:
            gaps.append("qq.app_id is empty (TEAMASSIST_QQ__APP_ID)")
        if self.secret is None or not self.secret.get_secret_value():
            gaps.append("TEAMASSIST_QQ__SECRET is not set")
        for name in ("api_base", "auth_base"):
            value = getattr(self, name)
            if not value.startswith(("http://", "https://")):
                gaps.append(f"qq.{name} must be an http(s) URL, not {value!r}")
        if self.fallback_channel and not _FALLBACK.match(self.fallback_channel):
            gaps.append(
                "qq.fallback_channel must be a channel id or '<platform>:<address>', "
                f"not {self.fallback_channel!r}"
            )
        return gaps
