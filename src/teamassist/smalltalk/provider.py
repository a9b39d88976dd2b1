"""One call to an OpenAI-compatible chat-completions endpoint (``POST {url}``).

The request and answer shapes are OpenAI's chat-completions protocol
(https://platform.openai.com/docs/api-reference/chat/create): ``{"model", "messages":
[{"role", "content"}]}`` in, ``choices[0].message.content`` out. Anything else (an error
status, a timeout, a body that is not that shape, an empty or over-long answer) is None: the
caller falls back to the help hint, so a provider can never break a reply.
"""

from __future__ import annotations

import logging

from teamassist.config import ChatProviderSettings

log = logging.getLogger(__name__)

MAX_ANSWER = 1000  # characters a chat reply keeps; a longer answer is cut


def complete(settings: ChatProviderSettings, text: str, *, user: str = "") -> str | None:
    """The provider's answer to ``text``, or None (never raises). ``user`` is an opaque id the
    provider may use to keep one conversation per person (the seed's TerminalId)."""
    import httpx  # only when a provider is configured: start-up stays lean

    headers = {"Content-Type": "application/json"}
    if settings.api_key is not None:
        headers["Authorization"] = f"Bearer {settings.api_key.get_secret_value()}"
    body: dict[str, object] = {
        "model": settings.model,
        "messages": [
            {"role": "system", "content": settings.system_prompt},
            {"role": "user", "content": text[:2000]},
        ],
    }
    if user:
        body["user"] = user
    try:
        response = httpx.post(
            settings.url, json=body, headers=headers, timeout=settings.timeout_seconds
        )
        response.raise_for_status()
        content = response.json()["choices"][0]["message"]["content"]
    except (httpx.HTTPError, ValueError, KeyError, IndexError, TypeError) as exc:
        log.warning("chat provider gave no answer: %s", type(exc).__name__)
        return None
    if not isinstance(content, str) or not content.strip():
        log.warning("chat provider answered with no text")
        return None
    answer = content.strip()
    return answer if len(answer) <= MAX_ANSWER else answer[: MAX_ANSWER - 1] + "…"
