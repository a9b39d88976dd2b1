"""Settings of the WeCom group-robot notifier."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, SecretStr


class WeComSettings(BaseModel):
    """WeCom group robots: channels name a robot; its webhook key is a secret."""

    enabled: bool = False
    api_base: str = "https://qyapi.weixin.qq.com"
    # robot name -> webhook key; set as TEAMASSIST_WECOM__ROBOTS='{"duty": "KEY"}'
    robots: dict[str, SecretStr] = {}
    # WeCom allows 20 messages a minute per robot; notices beyond wait in the outbox.
    messages_per_minute: int = 20
    # A markdown message holds at most 4096 bytes (UTF-8); longer notices are split.
    max_message_bytes: int = 4096
    timeout_seconds: float = 10.0
    # Robots have no dedupe key. After a send whose outcome is unknown (a timeout after the
    # request went out, the process stopped mid-send): "resend" = at least once, the copy marked
    # as a possible repeat; "skip" = at most once, the notice may be lost.
    after_uncertain_send: Literal["resend", "skip"] = "resend"

    def missing(self) -> list[str]:
        """Name what an enabled WeCom notifier still needs."""
        if not self.enabled:
            return []
        gaps = []
        if not self.robots:
            gaps.append("TEAMASSIST_WECOM__ROBOTS is empty: no group robot key configured")
        for name, key in self.robots.items():
            if not key.get_secret_value().strip():
                gaps.append(f"TEAMASSIST_WECOM__ROBOTS: robot {name!r} has an empty key")
        if not self.api_base.startswith(("https://", "http://")):
            gaps.append(f"wecom.api_base {self.api_base!r} is not an http(s) URL")
        if not 1 <= self.messages_per_minute <= 20:
            gaps.append("wecom.messages_per_minute must be between 1 and 20")
        return gaps
