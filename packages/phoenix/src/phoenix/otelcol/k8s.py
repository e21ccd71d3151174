"""A pipeline as Kubernetes manifests: a collector on every node, reading the host's processes.

The DaemonSet runs the contrib image of the release phoenix-otelcol is built from (the same
components and OTTL), with the host's PID namespace and its root mounted at /hostfs, which is
the one place `root_path: /hostfs` belongs. Prometheus reaches each pod through the metrics
Service; the health check extension answers the kubelet's probes.
"""

from __future__ import annotations

from typing import Any

import yaml

from groundwork.errors import ExitCode, ToolError
from phoenix.otelcol.render import COLLECTOR_RELEASE, Rendered, RenderOptions, render_otelcol
from phoenix.pipelines import spec

__all__ = ["DEFAULT_IMAGE", "check_manifests", "render_k8s"]

DEFAULT_IMAGE = f"otel/opentelemetry-collector-contrib:{COLLECTOR_RELEASE}"
METRICS_PORT = 8889
HEALTH_PORT = 13133


def render_k8s(
    pipeline: spec.Pipeline,
    namespace: str = "observability",
    image: str = DEFAULT_IMAGE,
    cores: int | None = None,
) -> tuple[list[dict[str, Any]], Rendered]:
    """`cores`: the nodes' CPU count, which CPU thresholds need (default: this machine's)."""
    name = f"phoenix-{pipeline.name}"
    rendered = render_otelcol(
        pipeline,
        RenderOptions(
            # Inside the pod: every interface, for the Service and the kubelet's probes.
            prometheus_endpoint=f"0.0.0.0:{METRICS_PORT}",
            health_endpoint=f"0.0.0.0:{HEALTH_PORT}",
            root_path="/hostfs",
            cores=cores,
        ),
    )
    labels = {"app.kubernetes.io/name": name, "app.kubernetes.io/part-of": "phoenix"}
    meta = {"name": name, "namespace": namespace, "labels": labels}
    probe = {"httpGet": {"path": "/", "port": "health"}, "periodSeconds": 10}
    container = {
        "name": "otelcol",
        "image": image,
        "args": ["--config=/conf/config.yaml"],
        "ports": [
            {"name": "metrics", "containerPort": METRICS_PORT},
            {"name": "health", "containerPort": HEALTH_PORT},
        ],
        "env": [
            {"name": "GOMEMLIMIT", "value": "160MiB"},
        ],
        "resources": {
            "requests": {"cpu": "50m", "memory": "64Mi"},
            "limits": {"cpu": "200m", "memory": "200Mi"},
        },
        "livenessProbe": probe,
        "readinessProbe": probe,
        "securityContext": {"readOnlyRootFilesystem": True, "allowPrivilegeEscalation": False},
        "volumeMounts": [
            {"name": "config", "mountPath": "/conf", "readOnly": True},
            {
                "name": "hostfs",
                "mountPath": "/hostfs",
                "readOnly": True,
                "mountPropagation": "HostToContainer",
            },
        ],
    }
    documents: list[dict[str, Any]] = [
        {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"name": namespace, "labels": {"app.kubernetes.io/part-of": "phoenix"}},
        },
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta},
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": meta,
            "data": {"config.yaml": yaml.safe_dump(rendered.config, sort_keys=False)},
        },
        {
            "apiVersion": "apps/v1",
            "kind": "DaemonSet",
            "metadata": meta,
            "spec": {
                "selector": {"matchLabels": labels},
                "template": {
                    "metadata": {"labels": labels},
                    "spec": {
                        "serviceAccountName": name,
                        "hostPID": True,
                        "containers": [container],
                        "volumes": [
                            {"name": "config", "configMap": {"name": name}},
                            {"name": "hostfs", "hostPath": {"path": "/"}},
                        ],
                    },
                },
            },
        },
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": meta,
            "spec": {
                "selector": labels,
                "ports": [{"name": "metrics", "port": METRICS_PORT, "targetPort": "metrics"}],
            },
        },
    ]
    return documents, rendered


def check_manifests(documents: list[dict[str, Any]]) -> str:
    """Check every manifest offline against the Kubernetes API schemas kubernetes-validate
    ships (strict: an unknown field is an error); returns the Kubernetes version checked."""
    try:
        import kubernetes_validate  # type: ignore[import-untyped]
        from kubernetes_validate.utils import latest_version  # type: ignore[import-untyped]
    except ImportError:
        raise ToolError(
            "PHOENIX_K8S_VALIDATOR_MISSING",
            "Checking manifests needs kubernetes-validate, which is not installed.",
            suggestions=["Install phoenix with its k8s extra: pip install 'phoenix[k8s]'"],
            exit_code=ExitCode.UNAVAILABLE,
        ) from None
    version = str(latest_version())
    problems = []
    for document in documents:
        try:
            kubernetes_validate.validate(document, version, strict=True)
        except kubernetes_validate.ValidationError as exc:
            where = ".".join(str(p) for p in exc.path) or "(top level)"
            problems.append(f"{document.get('kind')}: {where}: {exc.message}")
    if problems:
        raise ToolError(
            "PHOENIX_K8S_INVALID",
            f"{len(problems)} manifest problem(s) against Kubernetes {version}: {problems[0]}",
            suggestions=["Report it: phoenix's k8s render must give valid manifests."],
            context={"problems": problems},
            exit_code=ExitCode.FAILURE,
        )
    return version
