"""The gateway collector of a fleet: OTLP/HTTP in from the hosts, Prometheus out.

Resource attributes (host.name, phoenix.group, the process identity) become labels, so each
host's processes stay apart; series a host stops sending expire after `expire_seconds`, so a
rolled-back or removed host's old series do not linger in the counts.
"""

from __future__ import annotations

from typing import Any

__all__ = ["gateway_config"]


def gateway_config(
    listen: str,
    prometheus: str,
    *,
    health_endpoint: str = "127.0.0.1:13133",
    telemetry_port: int = 8888,
    expire_seconds: float = 60,
) -> dict[str, Any]:
    return {
        "extensions": {"health_check": {"endpoint": health_endpoint}},
        "receivers": {"otlp": {"protocols": {"http": {"endpoint": listen}}}},
        "processors": {
            "memory_limiter": {
                "check_interval": "1s",
                "limit_percentage": 80,
                "spike_limit_percentage": 20,
            },
            "batch": {},
        },
        "exporters": {
            "prometheus": {
                "endpoint": prometheus,
                "resource_to_telemetry_conversion": {"enabled": True},
                "metric_expiration": f"{expire_seconds:g}s",
            }
        },
        "service": {
            "extensions": ["health_check"],
            "telemetry": {
                "metrics": {
                    "level": "normal",
                    "readers": [
                        {
                            "pull": {
                                "exporter": {
                                    "prometheus": {"host": "127.0.0.1", "port": telemetry_port}
                                }
                            }
                        }
                    ],
                }
            },
            "pipelines": {
                "metrics": {
                    "receivers": ["otlp"],
                    "processors": ["memory_limiter", "batch"],
                    "exporters": ["prometheus"],
                }
            },
        },
    }
