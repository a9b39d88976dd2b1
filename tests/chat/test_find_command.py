"""Finding the command at the start of a message: a lookup per word length answers what a scan
of every command word, longest first, answered (given/when/then)."""

from __future__ import annotations

import pytest

from teamassist.bootstrap import DOMAINS
from teamassist.chat.parser import CommandCall, find_command, split_token
from teamassist.chat.registry import Registry


@pytest.fixture(scope="module")
def registry() -> Registry:
    return Registry(modules=[m for domain in DOMAINS for m in domain.commands])


def _scanned(text: str, registry: Registry) -> CommandCall | None:
    """The earlier parser: every word, longest first, the first that fits."""
    if not text.startswith(("/", "／")):
        return None
    body = text[1:]
    folded = body.casefold()
    for word in registry.words():
        if not folded.startswith(word):
            continue
        rest = body[len(word) :]
        if rest and word.isascii() and not rest[0].isspace():
            continue
        return CommandCall(spec=registry.get(word), word=body[: len(word)], rest=rest)
    return CommandCall(spec=None, word=split_token(body)[0], rest="")


def test_every_word_and_its_neighbours_find_what_the_scan_found(registry: Registry) -> None:
    # given every command word of the product, typed as people type them
    texts = []
    for word in registry.words():
        for typed in (word, word.upper(), word.title()):
            texts += [f"/{typed}", f"／{typed} 参数", f"/{typed}x", f"/{typed}登录不了"]
            texts += [f"/{typed}\n第二行", f"/{typed[:-1]}", f"/{typed}\u3000全角空格"]
    texts += ["/", "／", "", "帮助", "/ 帮助", "/不存在的指令 abc", "/helpme", "/ß"]
    # when each is parsed
    # then the lookup by length finds the same command, word and rest as the full scan
    for text in texts:
        assert find_command(text, registry) == _scanned(text, registry), text


def test_longest_name_wins_and_ascii_alias_ends_at_a_word(registry: Registry) -> None:
    # a Chinese name runs straight into its argument
    call = find_command("/问题反馈登录不了", registry)
    assert call is not None and call.spec is not None
    assert (call.spec.key, call.word, call.rest) == ("feedback.report", "问题反馈", "登录不了")
    # an ASCII alias must end at a word boundary: /helpme is no /help
    call = find_command("/helpme", registry)
    assert call is not None and (call.spec, call.word) == (None, "helpme")
    # case does not matter for an alias, and the word keeps what was typed
    call = find_command("/HELP 帮助", registry)
    assert call is not None and call.spec is not None
    assert (call.spec.key, call.word, call.rest) == ("core.help", "HELP", " 帮助")
