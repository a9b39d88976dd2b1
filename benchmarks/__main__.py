"""Run every benchmark module listed here and print its figures."""

from __future__ import annotations

import importlib

BENCHMARKS: list[str] = [
    "feedback_submit",
    "feedback_search",
    "duty_schedule",
    "duty_now_db",
    "okr_team",
    "report_pack",
    "template_render",
    "chat_http",
    "outbox_drain",
    "scheduler_scale",
    "scaleout_delivery",
    "webhook_replicas",
    "startup",
]


def main() -> None:
    """Run the benchmarks in order."""
    for name in BENCHMARKS:
        print(f"== {name}")
        importlib.import_module(f"benchmarks.{name}").main()


if __name__ == "__main__":
    main()
