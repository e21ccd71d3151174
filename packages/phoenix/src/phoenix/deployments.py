"""Which pipeline this host runs, as numbered versions: deploy adds one, rollback re-deploys an
earlier one (so rolling back is itself undoable), delete returns to the baseline.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from groundwork.errors import ExitCode, ToolError
from phoenix.pipelines import catalog, spec
from phoenix.pipelines.loader import load_text
from phoenix.pipelines.results import BASELINE, DeployedConfig, Deployment

__all__ = [
    "BASELINE",
    "Deployment",
    "back_to_baseline",
    "current",
    "deploy",
    "deployed_config",
    "history",
    "load_pipeline",
    "rollback",
]


def load_pipeline(name_or_file: str) -> tuple[str, str]:
    """(name, YAML source) of a catalog pipeline or a pipeline file, validated."""
    path = Path(name_or_file)
    if name_or_file.endswith((".yaml", ".yml")) and path.exists():
        text = path.read_text(encoding="utf-8")
        pipeline = load_text(text, str(path))
        return pipeline.name, text
    text = catalog.source(name_or_file)
    load_text(text, f"catalog:{name_or_file}")
    return name_or_file, text


def with_params(pipeline: spec.Pipeline, params: dict[str, str]) -> spec.Pipeline:
    """Apply ``type.field=value`` overrides (``topk.k=10``) to the first processor of a type."""
    if not params:
        return pipeline
    data = pipeline.model_dump(by_alias=True)
    for key, value in params.items():
        kind, _, field = key.partition(".")
        target = next((p for p in data["processors"] if p.get("type") == kind), None)
        if target is None or not field:
            raise ToolError(
                "PHOENIX_PARAM_UNKNOWN",
                f"--param {key}: the pipeline has no {kind!r} processor to set {field!r} on.",
                suggestions=["Write it as processor_type.field=value, e.g. --param topk.k=10"],
                exit_code=ExitCode.USAGE,
            )
        target[field] = json.loads(value) if value.replace(".", "", 1).isdigit() else value
    return spec.Pipeline.model_validate(data)


def _row(row: sqlite3.Row) -> Deployment:
    return Deployment(
        version=row["version"],
        pipeline=row["pipeline"],
        source=row["source"],
        params=json.loads(row["params"]),
        reason=row["reason"],
        deployed_at=row["deployed_at"],
    )


def current(conn: sqlite3.Connection) -> Deployment | None:
    row = conn.execute("SELECT * FROM deployments ORDER BY version DESC LIMIT 1").fetchone()
    return _row(row) if row else None


def history(conn: sqlite3.Connection) -> list[Deployment]:
    return [_row(r) for r in conn.execute("SELECT * FROM deployments ORDER BY version DESC")]


def deploy(
    conn: sqlite3.Connection, name_or_file: str, params: dict[str, str], reason: str
) -> Deployment:
    name, source = load_pipeline(name_or_file)
    with_params(load_text(source, name), params)
    conn.execute(
        "INSERT INTO deployments (pipeline, source, params, reason, deployed_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (name, source, json.dumps(params), reason, datetime.now(UTC).isoformat(timespec="seconds")),
    )
    found = current(conn)
    assert found is not None
    return found


def rollback(conn: sqlite3.Connection, to_version: int | None) -> Deployment:
    versions = history(conn)
    if to_version is None and len(versions) == 1 and versions[0].pipeline != BASELINE:
        return deploy(conn, BASELINE, {}, "rollback to the baseline")
    if len(versions) < (1 if to_version else 2):
        raise ToolError(
            "PHOENIX_NOTHING_TO_ROLL_BACK",
            "There is no earlier deployment to roll back to.",
            suggestions=["See the history: phoenix pipeline status"],
            exit_code=ExitCode.CONFLICT,
        )
    target = (
        versions[1]
        if to_version is None
        else next((d for d in versions if d.version == to_version), None)
    )
    if target is None:
        raise ToolError(
            "PHOENIX_VERSION_NOT_FOUND",
            f"There is no deployment version {to_version}.",
            suggestions=["See the history: phoenix pipeline status"],
            exit_code=ExitCode.NOT_FOUND,
        )
    conn.execute(
        "INSERT INTO deployments (pipeline, source, params, reason, deployed_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (
            target.pipeline,
            target.source,
            json.dumps(target.params),
            f"rollback to version {target.version}",
            datetime.now(UTC).isoformat(timespec="seconds"),
        ),
    )
    found = current(conn)
    assert found is not None
    return found


def back_to_baseline(conn: sqlite3.Connection) -> Deployment:
    return deploy(conn, BASELINE, {}, "deleted: back to baseline")


def deployed_config(conn: sqlite3.Connection) -> DeployedConfig:
    """The YAML this host runs: the deployed version's, or the baseline's."""
    deployment = current(conn)
    config = deployment.source if deployment else catalog.source(BASELINE)
    return DeployedConfig(deployment=deployment, config=config)
