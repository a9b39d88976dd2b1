"""Team Assistant (团队助理): a self-hosted, chat-first assistant for developer teams."""

__version__ = "0.1.0"
