"""The outbox: every outgoing notice is a row first, delivered with retries, once per key."""
