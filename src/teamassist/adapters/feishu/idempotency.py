"""The idempotency tokens Feishu gets for the product's own keys.

Task v2 create takes a ``client_token``, Calendar v4 event create an ``idempotency_key``, Docx
block writes a ``client_token``: each a UUID string (Feishu Open API reference of those calls).
Deriving it from the product key with UUIDv5 makes a retry after a crash send the same token, so
Feishu answers with the object it made the first time instead of making a second one.
"""

from __future__ import annotations

import uuid

# Never change it: tokens already sent would no longer match their retries.
_KEYS = uuid.UUID("8a7c4a52-3f0e-4c55-9a55-0c3b7e0b6f11")


def token_for(key: str) -> str:
    """The idempotency token (a UUID string, stable forever) for product key ``key``."""
    return str(uuid.uuid5(_KEYS, key))
