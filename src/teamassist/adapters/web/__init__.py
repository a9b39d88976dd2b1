"""The web platform adapter."""
