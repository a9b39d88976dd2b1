"""Scale-out mode's process roles besides ``serve``: ``worker`` (a Celery worker running ticks,
job batches, delivery passes and sweeps) and ``beat`` (sends fixed-interval ticks, nothing else).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from teamassist.cli.app import app, build, load

if TYPE_CHECKING:
    from teamassist.config import Settings


def scale_out_settings() -> Settings:
    """The settings, refused with a plain message (exit 2) when they cannot run scaled out."""
    from teamassist.workers import mode

    settings = load()
    try:
        mode.check(settings)
    except mode.ScaleOutRefused as exc:
        typer.secho(str(exc), fg="red", err=True)
        raise typer.Exit(2) from exc
    return settings


def require_broker(settings: Settings) -> None:
    """Wait for the broker to answer (``scale_out.broker_wait_seconds``); a plain message and
    exit 1 when it does not."""
    from teamassist.workers import mode

    try:
        mode.reach_broker(settings)
    except mode.BrokerUnreachable as exc:
        typer.secho(str(exc), fg="red", err=True)
        raise typer.Exit(1) from exc


@app.command("worker")
def worker(
    concurrency: Annotated[
        int, typer.Option(help="worker processes (prefork)", min=1, max=256)
    ] = 2,
    metrics_port: Annotated[
        int, typer.Option(help="serve Prometheus metrics on this port (0: off)", min=0)
    ] = 0,
    metrics_host: Annotated[str, typer.Option(help="address of the metrics listener")] = (
        "127.0.0.1"
    ),
) -> None:
    """Run a Celery worker: scheduler ticks, job batches, delivery, replays, sweeps."""
    from teamassist import logs, metrics
    from teamassist.workers import celery_app

    settings = scale_out_settings()
    logs.configure(settings.log_level, settings.log_format)
    if metrics_port:
        if not metrics.multiprocess():
            typer.secho(
                f"{metrics.MULTIPROC_ENV} is not set: the prefork children's counts are not "
                "shared, and the metrics listener sees only the parent's",
                fg="yellow",
                err=True,
            )
        metrics.serve_http(metrics_port, metrics_host)
    runtime = build(settings)  # built once, before the fork; children drop its connections
    try:
        require_broker(settings)  # after the database: a role names its database first (exit 3)
        celery = celery_app.make_celery(settings)
        celery_app.install(runtime)
        runtime.kicker.worker = celery_app.Nudger(celery, runtime)
        celery.worker_main(
            [
                "worker",
                f"--concurrency={concurrency}",
                f"--loglevel={settings.log_level}",
                f"--hostname={celery_app.node_name()}",
                f"--queues={celery_app.QUEUE}",
                "--pool=prefork",
                # Workers need nothing from each other: no gossip, sync or heartbeat traffic.
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ]
        )
    finally:
        runtime.close()


@app.command("beat")
def beat() -> None:
    """Run Celery beat: one tick message every scheduler.tick_seconds (due work is read from
    the database by the workers; beat never holds a future reminder)."""
    from teamassist import logs
    from teamassist.workers import celery_app

    settings = scale_out_settings()
    logs.configure(settings.log_level, settings.log_format)
    require_broker(settings)
    celery = celery_app.make_celery(settings)
    celery.start(["beat", f"--loglevel={settings.log_level}"])
