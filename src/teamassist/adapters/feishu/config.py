"""Settings of the Feishu / Lark adapter."""

from __future__ import annotations

from pydantic import BaseModel, SecretStr


class FeishuSettings(BaseModel):
    """Feishu app credentials and endpoints (see the README's Feishu setup guide)."""

    enabled: bool = False
    app_id: str = ""
    app_secret: SecretStr | None = None
    encrypt_key: SecretStr | None = None
    verification_token: SecretStr | None = None
    # https://open.feishu.cn for Feishu, https://open.larksuite.com for Lark, or a private gateway.
    domain: str = "https://open.feishu.cn"
    mode: str = "webhook"  # "webhook" or "long_connection"

    def missing(self) -> list[str]:
        """Name what an enabled Feishu adapter still needs."""
        if not self.enabled:
            return []
        gaps = []
        if not self.app_id:
            gaps.append("feishu.app_id is empty")
        if self.app_secret is None:
            gaps.append("TEAMASSIST_FEISHU__APP_SECRET is not set")
        if self.mode not in {"webhook", "long_connection"}:
            gaps.append("feishu.mode must be 'webhook' or 'long_connection'")
        if self.mode == "webhook" and self.verification_token is None:
            gaps.append("TEAMASSIST_FEISHU__VERIFICATION_TOKEN is not set (needed for webhooks)")
        return gaps
