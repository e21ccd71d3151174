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
    """Apply ``type.field=value`` overrides (``topk.k=10``) to the first processor of a type.

    Values are read as YAML scalars (``10``, ``2.5``, ``true``, ``[a, b]``) and the result is
    validated like a pipeline file, so ``topk.k=abc`` is refused with the field's own message.
    """
    if not params:
        return pipeline
    import yaml
    from pydantic import ValidationError

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
        try:
            target[field] = yaml.safe_load(value) if value.strip() else value
        except yaml.YAMLError:
            target[field] = value
    try:
        return spec.Pipeline.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"] if part not in spec.PROCESSOR_TYPES)
        message = str(first["msg"]).removeprefix("Value error, ")
        raise ToolError(
            "PHOENIX_PARAM_INVALID",
            f"--param {', '.join(f'{k}={v}' for k, v in params.items())}: {where}: {message}.",
            suggestions=[
                "Give a value of the field's type, e.g. --param topk.k=10",
                "See the fields: phoenix pipeline show NAME",
            ],
            exit_code=ExitCode.USAGE,
        ) from None


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
    """What this host runs: the deployed pipeline with its --param overrides applied (they are
    named in a comment at the top), or the baseline's YAML."""
    deployment = current(conn)
    if deployment is None:
        return DeployedConfig(deployment=None, config=catalog.source(BASELINE))
    if not deployment.params:
        return DeployedConfig(deployment=deployment, config=deployment.source)
    import yaml

    running = with_params(load_text(deployment.source, deployment.pipeline), deployment.params)
    header = "".join(
        f"# --param {key}={value}\n" for key, value in sorted(deployment.params.items())
    )
    body = yaml.safe_dump(
        running.model_dump(mode="json", by_alias=True, exclude_defaults=True), sort_keys=False
    )
    return DeployedConfig(deployment=deployment, config=header + body)
