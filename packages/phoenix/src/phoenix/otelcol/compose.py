"""What the pipeline commands ask of the collector side: a render with its fidelity, and a
pipeline file checked by the collector itself."""

from __future__ import annotations

from pathlib import Path

import yaml

from phoenix.deployments import load_pipeline, with_params
from phoenix.otelcol.binary import collector_check, find_collector
from phoenix.otelcol.k8s import DEFAULT_IMAGE, check_manifests, render_k8s
from phoenix.otelcol.render import COLLECTOR_RELEASE, RenderOptions, render_otelcol
from phoenix.pipelines.loader import load_text
from phoenix.pipelines.results import (
    CollectorConfig,
    CollectorValidation,
    PipelineValidation,
    RenderFormat,
    ValidationProblem,
)

__all__ = ["check_with_collector", "collector_config"]


def collector_config(
    name: str,
    fmt: RenderFormat,
    params: dict[str, str],
    cores: int | None = None,
    namespace: str = "observability",
    image: str | None = None,
    check: bool = False,
) -> CollectorConfig:
    source_name, text = load_pipeline(name)
    pipeline = with_params(load_text(text, source_name), params)
    checked: str | None = None
    if fmt is RenderFormat.K8S:
        documents, rendered = render_k8s(pipeline, namespace, image or DEFAULT_IMAGE, cores)
        if check:
            checked = check_manifests(documents)
    else:
        rendered = render_otelcol(pipeline, RenderOptions(cores=cores))
        documents = [rendered.config]
    return CollectorConfig(
        pipeline=pipeline.name,
        format=fmt,
        fidelity="approximate" if rendered.approximate else "exact",
        collector_release=COLLECTOR_RELEASE,
        notes=rendered.notes,
        steps=rendered.steps,
        documents=documents,
        kubernetes_version=checked,
    )


def check_with_collector(found: PipelineValidation, binary: Path | None) -> PipelineValidation:
    """The validation with the collector's word on the pipeline's config added to it."""
    collector = find_collector(binary)
    if found.pipeline is None:
        return found
    config = render_otelcol(found.pipeline).config
    valid, said = collector_check(collector, yaml.safe_dump(config, sort_keys=False))
    problems = list(found.problems)
    if not valid:
        problems.append(
            ValidationProblem(line=None, where="", message=f"the collector refuses it: {said}")
        )
    return found.model_copy(
        update={
            "valid": found.valid and valid,
            "problems": problems,
            "collector": CollectorValidation(
                binary=str(collector), valid=valid, message=said or "valid"
            ),
        }
    )
