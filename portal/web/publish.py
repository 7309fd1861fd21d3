"""Upload a data file (validated by the real ingest), submit for publication, and the reviewer queue
with the exact per-audience preview from the disclosure rules."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.utils import secure_filename
from werkzeug.wrappers import Response

from catalog import datasets
from catalog.authz import Actor, can_write_in
from catalog.errors import EcodataError
from catalog.models import Resource, new_id
from portal.app import get_catalog
from portal.auth import resolve_actor

from .i18n import pick
from .workspace import signed_in

bp = Blueprint("web_publish", __name__)
UPLOAD_FORMATS = {".csv": ("CSV", "text/csv"), ".tsv": ("TSV", "text/tab-separated-values"),
                  ".xlsx": ("XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")}


def table_schemas() -> list[tuple[str, str]]:
    from catalog.tabular.schema import TABLES_DIR, load_table_schema

    out = []
    for path in sorted(Path(TABLES_DIR).glob("*.json")):
        descriptor = load_table_schema(path.stem)
        out.append((path.stem, pick(descriptor.get("title"), descriptor.get("x-title-en")) or path.stem))
    return out


def _editable(actor: Actor, name: str) -> dict[str, Any]:
    with get_catalog().read() as session:
        ds = datasets.get_visible(session, actor, name)
        if not can_write_in(actor, ds.org_id):
            abort(403)
        return datasets.dataset_record(ds)


@bp.route("/dataset/<name>/resource/new", methods=["GET", "POST"])
@signed_in
def upload(name: str) -> str | tuple[str, int]:
    actor = resolve_actor()
    record = _editable(actor, name)
    schemas = table_schemas()
    if request.method == "GET":
        return render_template("web/workspace/upload.html", ds=record, schemas=schemas, result=None, error=None)
    upload_file = request.files.get("file")
    schema_name = request.form.get("table_schema", "")
    suffix = Path(upload_file.filename or "").suffix.lower() if upload_file else ""
    if not upload_file or suffix not in UPLOAD_FORMATS or schema_name not in dict(schemas):
        error = _("请选择 CSV、TSV 或 XLSX 文件，并选择对应的表结构")
        return render_template("web/workspace/upload.html", ds=record, schemas=schemas, result=None,
                               error=error), 422
    result = _ingest_and_stage(actor, record, upload_file, schema_name, suffix)
    status = 200 if result["valid"] else 422
    return render_template("web/workspace/upload.html", ds=record, schemas=schemas, result=result,
                           error=None), status


def _ingest_and_stage(actor: Actor, record: dict[str, Any], upload_file: Any, schema_name: str,
                      suffix: str) -> dict[str, Any]:
    from catalog.publication import stage_table
    from catalog.storage import open_store
    from catalog.tabular.ingest import ingest_file
    from catalog.tabular.schema import load_table_schema

    catalog = get_catalog()
    config = catalog.config
    store = open_store(config["ECODATA_STORAGE_URL"], config.home, config["ECODATA_S3_ENDPOINT"])
    schema = load_table_schema(schema_name)
    filename = secure_filename(upload_file.filename) or f"upload{suffix}"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / (Path(filename).stem + suffix)
        upload_file.save(path)
        result = ingest_file(path, schema, store)
    summary = {"valid": result.valid, "encoding": result.encoding, "rows_total": result.rows_total,
               "rows_valid": result.rows_valid, "rows_invalid": result.rows_invalid, "staged": False,
               "errors": result.report["tasks"][0]["errors"], "stats": result.report["tasks"][0]["stats"],
               "filename": upload_file.filename}
    if result.parquet is None or result.rows_valid == 0:
        return summary
    fmt, media = UPLOAD_FORMATS[suffix]
    resource = {"id": new_id(), "name": upload_file.filename or filename, "format": fmt, "media_type": media,
                "byte_size": result.original.size, "table_schema": schema_name,
                "checksum": {"algorithm": "sha256", "value": result.original.sha256}}
    with catalog.write() as session:
        ds = datasets.update(session, actor, record["name"],
                             {"resources": [*record.get("resources", []), resource]}, partial=True)
        row = session.get(Resource, resource["id"])
        assert row is not None and row.dataset_id == ds.id
        stage_table(session, actor, row, blob_key=result.parquet.key, sha256=result.parquet.sha256,
                    size=result.parquet.size, rows=result.rows_valid, table_schema=schema)
    summary["staged"] = True
    return summary


@bp.route("/dataset/<name>/submit", methods=["GET", "POST"])
@signed_in
def submit(name: str) -> str | Response | tuple[str, int]:
    from catalog.models.publication import StagedTable
    from catalog.publication import submit as submit_version

    actor = resolve_actor()
    record = _editable(actor, name)
    if request.method == "POST":
        try:
            with get_catalog().write() as session:
                submit_version(session, actor, name, (request.form.get("comment") or "").strip() or None)
        except EcodataError as exc:
            flash(pick(exc.message, exc.message_en), "error")
            return redirect(url_for("web_publish.submit", name=name))
        flash(_("已提交发布申请，等待审核员审核"), "success")
        return redirect(url_for("web.dataset", name=name))
    with get_catalog().read() as session:
        staged = {s.resource_id: s for s in session.scalars(
            sa.select(StagedTable).where(StagedTable.dataset_id == record["id"]))}
        resources = [{"name": r.get("name"), "format": r.get("format"),
                      "rows": staged[r["id"]].rows if r["id"] in staged else None}
                     for r in record.get("resources", [])]
    return render_template("web/workspace/submit.html", ds=record, resources=resources)
