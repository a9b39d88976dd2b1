"""A domain's commands are imported on its first command, not at start (issue 9), and the
answers are what a registry that imported everything at start gives."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from dataclasses import replace

import pytest

from teamassist.bootstrap import DOMAINS
from teamassist.chat.command_index import CommandModule, resolve
from teamassist.chat.registry import CommandGroup, Registry
from teamassist.clock import FrozenClock
from teamassist.runtime import Runtime
from tests.conftest import load_demo, make_runtime, migrated
from tests.house import lazy_switch
from tests.support.chat import ChatDriver

PROBE = "tests.house.lazy_probe"
QUALIFICATIONS = next(d for d in DOMAINS if d.key == "qualifications")
# The qualifications desk's commands, declared by the probe module (slow or failing on demand).
PROBED = CommandModule(f"{PROBE}:commands", QUALIFICATIONS.commands[0].commands)


@pytest.fixture
def probe() -> Iterator[None]:
    """The probe not yet imported; its knobs back to normal afterwards."""
    sys.modules.pop(PROBE, None)
    lazy_switch.imports, lazy_switch.fail, lazy_switch.delay = 0, False, 0.0
    yield
    sys.modules.pop(PROBE, None)
    lazy_switch.fail, lazy_switch.delay = False, 0.0


def _runtime(clock: FrozenClock, *, eager: bool = False, probed: bool = False) -> Runtime:
    domains = [
        replace(d, commands=(PROBED,)) if probed and d is QUALIFICATIONS else d for d in DOMAINS
    ]
    runtime = make_runtime(migrated("sqlite").fresh_url(), clock, domains=domains)
    load_demo(runtime)
    if eager:  # the registry as built before session 19: every command module imported
        groups = [resolve(m.path) for d in domains for m in d.commands]
        assert all(isinstance(g, CommandGroup) for g in groups)
        runtime.dispatcher.registry = Registry(groups)
    return runtime


def test_each_domains_first_command_answers_as_the_eager_registry(clock: FrozenClock) -> None:
    lazy, eager = _runtime(clock), _runtime(clock, eager=True)
    try:
        assert lazy.dispatcher.registry.loaded == []
        for domain in DOMAINS:
            if not domain.commands:
                continue
            first = domain.commands[0].commands[0]
            said = f"/{first.name}"
            assert ChatDriver(lazy).text(said, as_="admin") == ChatDriver(eager).text(
                said, as_="admin"
            ), said
            assert domain.commands[0].path in lazy.dispatcher.registry.loaded
        # /帮助 lists every command: it imports every module, and lists what the eager one does.
        assert ChatDriver(lazy).text("/帮助", as_="zhangsan") == ChatDriver(eager).text(
            "/帮助", as_="zhangsan"
        )
        assert len(lazy.dispatcher.registry.loaded) == sum(len(d.commands) for d in DOMAINS)
    finally:
        lazy.close()
        eager.close()


def test_a_typo_is_answered_without_importing_a_domain(clock: FrozenClock) -> None:
    runtime = _runtime(clock)
    try:
        answer = ChatDriver(runtime).text("/值版表", as_="zhangsan")
        assert "你是不是想用 /查看值班表" in answer  # the suggestion, from the index words
        assert runtime.dispatcher.registry.loaded == []
    finally:
        runtime.close()


def test_sixteen_first_commands_at_once_import_and_register_once(probe: None) -> None:
    lazy_switch.delay = 0.3  # the first import is still running when the others ask
    registry = Registry(modules=[PROBED])
    word = PROBED.commands[0].name
    start = threading.Barrier(16)
    found: list[object] = []

    def ask() -> None:
        start.wait()
        found.append(registry.get(word))

    threads = [threading.Thread(target=ask) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(found) == 16
    assert all(spec is found[0] and spec is not None for spec in found)
    assert lazy_switch.imports == 1
    assert registry.loaded == [PROBED.path]


def test_a_failed_import_answers_the_friendly_error_and_is_tried_again(
    probe: None, clock: FrozenClock, caplog: pytest.LogCaptureFixture
) -> None:
    runtime, eager = _runtime(clock, probed=True), _runtime(clock, eager=True)
    said = f"/{PROBED.commands[0].name}"
    try:
        lazy_switch.fail = True
        answer = ChatDriver(runtime).text(said, as_="admin")
        assert answer.startswith("小助理出了点问题"), answer
        assert "lazy_probe fails to import" in caplog.text  # logged with its error id
        assert runtime.dispatcher.registry.loaded == []
        lazy_switch.fail = False
        assert ChatDriver(runtime).text(said, as_="admin") == ChatDriver(eager).text(
            said, as_="admin"
        )
        assert lazy_switch.imports == 2
        assert runtime.dispatcher.registry.loaded == [PROBED.path]
    finally:
        runtime.close()
        eager.close()
