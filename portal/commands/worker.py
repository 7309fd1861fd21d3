"""``ecodata worker``: run queued harvest jobs from RQ (needs ECODATA_REDIS_URL)."""

from __future__ import annotations

import click

from catalog.settings import load
from harvesters.queue import work


@click.command(name="worker", help="运行后台采集任务 / Run queued harvest jobs (RQ worker).")
@click.option("--burst", is_flag=True, help="Exit when the queue is empty.")
@click.option("--name", default=None, help="Worker name (unique per machine).")
def command(burst: bool, name: str | None) -> None:
    config = load()
    if not config["ECODATA_REDIS_URL"]:
        raise click.ClickException("ECODATA_REDIS_URL 未设置：没有队列时采集任务在进程内运行 "
                                   "(ECODATA_REDIS_URL is not set; jobs run in process)")
    work(config, burst=burst, name=name)
