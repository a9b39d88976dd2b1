"""Settings of the QQ official bot adapter."""

from __future__ import annotations

from pydantic import BaseModel, SecretStr


class QQSettings(BaseModel):
    """QQ bot credentials and endpoints (see the README's QQ setup guide)."""

    enabled: bool = False
    app_id: str = ""
    secret: SecretStr | None = None
    api_base: str = "https://api.sgroup.qq.com/"
    auth_base: str = "https://bots.qq.com/app/getAppAccessToken"
    # Guild role ids that count as admin (2 = 管理员, 4 = 创建者, as in the seed).
    admin_role_ids: list[str] = ["2", "4"]

    def missing(self) -> list[str]:
        """Name what an enabled QQ adapter still needs."""
        if not self.enabled:
            return []
        gaps = []
        if not self.app_id:
            gaps.append("qq.app_id is empty")
        if self.secret is None:
            gaps.append("TEAMASSIST_QQ__SECRET is not set")
        return gaps
