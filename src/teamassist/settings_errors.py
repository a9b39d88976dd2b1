"""Settings that do not validate, said in plain words: one line per bad key, Chinese first.

pydantic's own message is English and names pydantic's error types and a documentation link
(``Input should be a valid integer, unable to parse string as an integer [type=int_parsing]``);
an operator needs the key, the environment variable that sets it, and what it should be.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from teamassist.validation_words import should_be

ENV_PREFIX = "TEAMASSIST_"  # Settings.model_config: env_prefix, env_nested_delimiter "__"


def explain(
    exc: ValidationError, file: Path | None = None, environ: Mapping[str, str] | None = None
) -> str:
    """One line per error of ``exc``, naming where the bad value came from: ``- web.port
    （TEAMASSIST_WEB__PORT）：应为整数 / must be a whole number`` when that environment
    variable is set (it wins over the file), else ``- web.port（teamassist.toml 中的 [web]
    port）：…`` with ``file`` the configuration file read. Our own validators' messages
    (``value_error``) are shown as written; an error type not listed keeps pydantic's message."""
    env = {name.upper() for name in (os.environ if environ is None else environ)}
    return "\n".join(_line(error, file, env) for error in exc.errors(include_url=False))


def _line(error: ErrorDetails, file: Path | None, environ: set[str]) -> str:
    loc = [str(part) for part in error["loc"]]
    return f"- {_where(loc, file, environ)}：{_should_be(error)}"


def _where(loc: list[str], file: Path | None, environ: set[str]) -> str:
    """The key and its source: the environment variable when set (pydantic-settings matches
    names case-insensitively), else the file's section and key. A key set in neither (a
    required one left out) names the variable that would set it."""
    if not loc:
        return "(settings)"
    key = ".".join(loc)
    env = ENV_PREFIX + "__".join(part.upper() for part in loc)
    if env in environ or file is None:
        return f"{key}（{env}）"
    secrets = os.environ.get("TEAMASSIST_SECRETS_DIR")  # config._SecretsDirSource, after env
    if secrets and (Path(secrets) / env).is_file():
        return f"{key}（{Path(secrets) / env}）"
    section = f"[{'.'.join(loc[:-1])}] " if len(loc) > 1 else ""
    return f"{key}（{file} 中的 {section}{loc[-1]}）"


def _should_be(error: ErrorDetails) -> str:
    return should_be(error["type"], error.get("ctx"), error["msg"])
