"""The wecom platform adapter."""
