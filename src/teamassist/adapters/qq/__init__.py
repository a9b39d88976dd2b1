"""The qq platform adapter."""
