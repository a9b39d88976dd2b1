"""The command indexes say what the command modules declare (issue 9: domains load on first use).

A domain's ``command_index.py`` is what the registry knows of its commands before their module
is imported; it is written from the modules (``python -m teamassist.write_command_index``), and
these tests fail while it differs from them, so the words stay in one place.
"""

from __future__ import annotations

import ast
import re
from dataclasses import replace
from pathlib import Path

import pytest

from teamassist import write_command_index
from teamassist.bootstrap import DOMAINS
from teamassist.chat.command_index import resolve
from teamassist.chat.commands import _listing
from teamassist.chat.registry import CommandGroup, Registry, StaleIndex
from teamassist.domain import Domain, later, load_demo
from teamassist.scheduler.registry import JobGroup
from tests.house.toy.domain import DOMAIN as TOY

SRC = Path(write_command_index.__file__).parent


def _eager(domains: list[Domain]) -> Registry:
    """The registry as it was built before session 19: every command module imported."""
    groups = [resolve(m.path) for d in domains for m in d.commands]
    assert all(isinstance(g, CommandGroup) for g in groups)
    return Registry(groups)


@pytest.mark.parametrize("domain", [d for d in [*DOMAINS, TOY] if d.commands], ids=lambda d: d.key)
def test_each_index_is_what_its_modules_declare(domain: Domain) -> None:
    path = write_command_index.index_file(domain)
    assert path.read_text(encoding="utf-8") == write_command_index.source(domain), (
        f"{path} is stale: run `python -m teamassist.write_command_index`"
    )


def test_every_domain_lists_its_commands_by_index() -> None:
    for domain in DOMAINS:
        for module in domain.commands:
            assert resolve(module.path).commands, f"{module.path} declares no command"


def test_the_lazy_registry_is_the_eager_one() -> None:
    lazy = Registry(modules=[m for d in DOMAINS for m in d.commands])
    eager = _eager(DOMAINS)
    # Before any import: the same words, in the same order, with the same groups.
    assert lazy.words() == eager.words()
    assert lazy.word_lengths() == eager.word_lengths()
    assert [(c.key, c.name, c.aliases, c.group, c.usage, c.help) for c in lazy.listed] == [
        (s.key, s.name, s.aliases, s.group, s.usage, s.help) for s in eager.specs
    ]
    for word in eager.words():
        assert lazy.find(word) == eager.get(word).listed()  # type: ignore[union-attr]
    # Loaded: the very same specs (handler, args, permission, group), and the same listing.
    assert [(s.key, s.handler, s.args, s.permission, s.group) for s in lazy.specs] == [
        (s.key, s.handler, s.args, s.permission, s.group) for s in eager.specs
    ]
    assert _listing(lazy) == _listing(eager)
    assert len(lazy.loaded) == sum(len(d.commands) for d in DOMAINS)


def test_a_stale_index_is_refused_on_load() -> None:
    module = next(d for d in DOMAINS if d.key == "qualifications").commands[0]
    first = module.commands[0]
    wrong = "admin" if first.permission != "admin" else "anyone"
    stale = replace(module, commands=(replace(first, permission=wrong), *module.commands[1:]))
    with pytest.raises(StaleIndex, match="write_command_index"):
        Registry(modules=[stale]).get(first.name)
    assert Registry(modules=[module]).get(first.name) is not None


LATER = re.compile(r'later\(\s*"([^"]+)"\s*\)')


def test_every_handler_named_by_path_exists() -> None:
    """``later("pkg.mod:name")``, jobs and demo loaders are strings mypy cannot check."""
    named = [
        path
        for file in sorted(SRC.glob("*/domain.py"))
        for path in LATER.findall(file.read_text(encoding="utf-8"))
    ]
    assert len(named) > 30
    for path in named:
        assert callable(later(path).resolve()), path
    for domain in [*DOMAINS, TOY]:
        for path in domain.jobs:
            assert isinstance(resolve(path), JobGroup), path
        if domain.demo is not None:
            assert callable(load_demo(domain)), domain.demo


def test_no_descriptor_imports_its_handlers() -> None:
    """A ``domain.py`` describes: it imports its models (the schema is one) and its index,
    never its commands, jobs, demo, flows or services (those load on first use)."""
    # duty's rotation revision hooks every session's writes, and its Roster port is built at
    # start (it imports the desk on its first question).
    allowed = {"models", "command_index", "revision", "roster"}
    for file in sorted(SRC.glob("*/domain.py")):
        package = f"teamassist.{file.parent.name}"
        tree = ast.parse(file.read_text(encoding="utf-8"))
        for node in tree.body:  # at import; a factory may import what it builds, when called
            if isinstance(node, ast.ImportFrom) and node.module:
                if node.module == package:
                    names = {a.name for a in node.names}
                elif node.module.startswith(f"{package}."):
                    names = {node.module.removeprefix(f"{package}.").split(".")[0]}
                else:
                    continue
                assert names <= allowed, f"{file}: imports {sorted(names - allowed)}"
