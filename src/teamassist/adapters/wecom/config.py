"""Settings of the WeCom group-robot notifier."""

from __future__ import annotations

from pydantic import BaseModel, SecretStr


class WeComSettings(BaseModel):
    """WeCom group robots: channels name a robot; its webhook key is a secret."""

    enabled: bool = False
    api_base: str = "https://qyapi.weixin.qq.com"
    # robot name -> webhook key; set as TEAMASSIST_WECOM__ROBOTS='{"duty": "KEY"}'
    robots: dict[str, SecretStr] = {}

    def missing(self) -> list[str]:
        """Name what an enabled WeCom notifier still needs."""
        if self.enabled and not self.robots:
            return ["TEAMASSIST_WECOM__ROBOTS is empty: no group robot key configured"]
        return []
