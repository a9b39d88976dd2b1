"""The feishu platform adapter."""
