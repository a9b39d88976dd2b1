"""The settings a start runs on, or a plain message and exit code 2 when they do not validate."""

from __future__ import annotations

from typing import TYPE_CHECKING

from teamassist.launch.refusal import say

if TYPE_CHECKING:
    from teamassist.config import Settings


def load() -> Settings:
    """The settings, or a plain message and exit code 2 when they do not validate."""
    from pydantic import ValidationError

    from teamassist.config import config_path, load_settings, read_toml, toml_problem
    from teamassist.settings_errors import explain

    broken = toml_problem()
    if broken is not None:
        say(f"配置有误 / configuration error:\n{broken}", "red")
        raise SystemExit(2)
    try:
        settings = load_settings()
    except ValidationError as exc:
        say(f"配置有误 / configuration error:\n{explain(exc, config_path())}", "red")
        raise SystemExit(2) from exc
    except Exception as exc:  # e.g. a TOML file that does not parse: its message names the line
        say(f"配置有误 / configuration error:\n{exc}", "red")
        raise SystemExit(2) from exc
    _, problems = read_toml()
    for problem in problems:  # typos in the file, secrets it must not hold: said, not fatal
        say(f"warning: {problem}", "yellow")
    return settings
