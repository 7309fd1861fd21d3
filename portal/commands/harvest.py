"""``ecodata harvest …``: register sources, run jobs (in process or on RQ), list jobs, show reports."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from catalog import harvest_store
from catalog.service import Catalog
from harvesters import jobs, queue, runner
from harvesters.sources import add_source

TYPES = ("ckan", "dcat", "csw", "datapackage", "files", "sql")


def _open() -> Catalog:
    from portal.cli import open_catalog

    return open_catalog()


def _option_value(raw: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def _options(pairs: tuple[str, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"选项应为 KEY=VALUE：{pair}", param_hint="--option")
        out[key.strip()] = _option_value(value)
    return out


@click.group(name="harvest", help="元数据采集 / Harvest remote catalogues into the catalogue.")
def command() -> None:
    pass


@command.command("sources", help="List harvest sources.")
@click.option("--json", "as_json", is_flag=True)
def sources(as_json: bool) -> None:
    catalog = _open()
    with catalog.read() as session:
        rows = [{"name": s.name, "org": s.organization.name, "type": s.type, "url": s.url,
                 "schedule": s.schedule, "active": s.active, "running_job": s.current_job_id}
                for s in harvest_store.list_sources(session)]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False))
        return
    for r in rows:
        click.echo(f"{r['name']}\t{r['org']}\t{r['type']}\t{r['url']}\t{r['schedule'] or '-'}")


@command.command("add", help="Register a harvest source.")
@click.argument("name")
@click.option("--org", required=True, help="Department code (e.g. cq-sthjj).")
@click.option("--type", "type_", required=True, type=click.Choice(TYPES))
@click.option("--url", required=True)
@click.option("--option", "options", multiple=True, help="KEY=VALUE (VALUE may be JSON).")
@click.option("--schedule", default=None, help="Cron expression, e.g. '0 2 * * *'.")
@click.option("--share-type", default=None)
@click.option("--open-type", default=None)
@click.option("--update-cycle", default=None)
@click.option("--theme", default=None)
@click.option("--allow-private", is_flag=True, help="Allow private/loopback addresses for this source.")
@click.option("--webhook", default=None, help="URL told (JSON POST) when a job fails.")
@click.option("--email", default=None, help="Address told when a job fails.")
def add(name: str, org: str, type_: str, url: str, options: tuple[str, ...], schedule: str | None,
        share_type: str | None, open_type: str | None, update_cycle: str | None, theme: str | None,
        allow_private: bool, webhook: str | None, email: str | None) -> None:
    defaults = {k: v for k, v in (("share_type", share_type), ("open_type", open_type),
                                  ("update_cycle", update_cycle), ("theme", theme)) if v}
    notify = {k: v for k, v in (("webhook", webhook), ("email", email)) if v}
    catalog = _open()
    with catalog.write() as session:
        add_source(session, name=name, org=org, type=type_, url=url, options=_options(options),
                   defaults=defaults, schedule=schedule, allow_private=allow_private, notify=notify)
    click.echo(f"已登记采集来源 {name}（{type_}）")


def _progress_fn(enabled: bool) -> tuple[Any, Any]:
    from portal.progress import Progress

    bar = Progress("采集", enabled=enabled and sys.stderr.isatty())
    return bar, bar.update


def _run_one(catalog: Catalog, name: str, *, dry_run: bool, force: bool, remap: bool,
             show: bool) -> dict[str, Any]:
    job_id = runner.queue_job(catalog, name, dry_run=dry_run)
    if catalog.config["ECODATA_REDIS_URL"] and not (force or remap):
        queue.enqueue(catalog.config, job_id)
        return queue.wait(catalog, job_id)
    bar, update = _progress_fn(show)
    try:
        return runner.run_job(catalog, job_id, force=force, remap=remap, progress=update)
    finally:
        bar.close()


def _print_report(report: dict[str, Any], as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False))
        return
    c = report["counts"]
    click.echo(f"{report['source']} 任务 {report['id']}：{report['status']}"
               f"{'（试运行）' if report['dry_run'] else ''} — 新增 {c['added']}，更新 {c['updated']}，"
               f"未变 {c['unchanged']}，撤回 {c['withdrawn']}，无效 {c['invalid']}，失败 {c['failed']}")
    for err in report["errors"][:50]:
        click.echo(f"  - {err['remote_id']}: {err['message']}")
    if report.get("error"):
        click.echo(f"错误 [{report['error']['code']}]：{report['error']['message']}", err=True)


@command.command("run", help="Run a harvest job for SOURCE (or every active source with --all).")
@click.argument("name", required=False)
@click.option("--all", "run_all", is_flag=True)
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object.")
@click.option("--dry-run", is_flag=True, help="Show what would change without writing.")
@click.option("--force", is_flag=True, help="Re-map every record even if unchanged.")
@click.option("--remap", is_flag=True, help="Map the kept raw records again without fetching.")
def run(name: str | None, run_all: bool, as_json: bool, dry_run: bool, force: bool, remap: bool) -> None:
    if not name and not run_all:
        raise click.UsageError("give a SOURCE or --all")
    catalog = _open()
    with catalog.read() as session:
        names = [s.name for s in harvest_store.list_sources(session) if s.active] if run_all else [name or ""]
    reports = [_run_one(catalog, n, dry_run=dry_run, force=force, remap=remap, show=not as_json) for n in names]
    if as_json and not run_all:
        _print_report(reports[0], True)
    elif as_json:
        click.echo(json.dumps(reports, ensure_ascii=False))
    else:
        for r in reports:
            _print_report(r, False)
    if any(r["status"] != "finished" for r in reports):
        sys.exit(2)


@command.command("jobs", help="List recent harvest jobs.")
@click.option("--source", default=None)
@click.option("--json", "as_json", is_flag=True)
def jobs_cmd(source: str | None, as_json: bool) -> None:
    catalog = _open()
    jobs.detect_stuck(catalog)
    with catalog.read() as session:
        ids = [harvest_store.get_source(session, source).id] if source else None
        rows = [{"id": j.id, "source_id": j.source_id, "status": j.status, "dry_run": j.dry_run,
                 "created": j.created.isoformat(), "counts": j.counts} for j in harvest_store.list_jobs(session, ids)]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False))
        return
    for r in rows:
        click.echo(f"{r['id']}\t{r['status']}\t{r['created']}\t{json.dumps(r['counts'], ensure_ascii=False)}")


@command.command("report", help="Show the report of a job.")
@click.argument("job_id")
@click.option("--json", "as_json", is_flag=True)
def report_cmd(job_id: str, as_json: bool) -> None:
    _print_report(jobs.report(_open(), job_id), as_json)


@command.command("schedule", help="Run (or enqueue) every source whose cron schedule is due.")
@click.option("--json", "as_json", is_flag=True)
def schedule(as_json: bool) -> None:
    catalog = _open()
    jobs.detect_stuck(catalog)
    due = runner.run_at(catalog)
    started = []
    for name in due:
        job_id = runner.queue_job(catalog, name)
        queue.submit(catalog, job_id)
        started.append({"source": name, "job": job_id})
    click.echo(json.dumps(started, ensure_ascii=False) if as_json else
               "\n".join(f"{s['source']}\t{s['job']}" for s in started) or "没有到期的采集来源")
