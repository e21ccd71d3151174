"""The idle agent's part of a workstation's setup script: the agent itself (``agent.sh``,
packed), a systemd timer that runs it every check interval, and its settings
(``/etc/prism/idle.env``).

The settings are written on every run of the script, outside the stages: a workstation restored
from a snapshot keeps the finished stages of the one it was taken from, but is a workstation of
its own name.
"""

from __future__ import annotations

import base64
import gzip
import shlex
from dataclasses import dataclass
from importlib import resources

from prism.templates.model import IdleDetection, Template

__all__ = ["PREVIEW_WORKSTATION", "AgentSetup", "config_lines", "stage_lines"]

PREVIEW_WORKSTATION = "example"
AGENT_PATH = "/usr/local/lib/prism/idle-agent.sh"
CONFIG_PATH = "/etc/prism/idle.env"
NAMESPACE = "Prism/Workstations"
NO_PROJECT = "-"


@dataclass(frozen=True)
class AgentSetup:
    workstation: str
    template: str
    region: str
    project: str | None = None
    check_minutes: int = 5
    cpu_threshold: float = 10.0
    gpu_threshold: float = 5.0

    @classmethod
    def for_template(
        cls,
        template: Template,
        *,
        workstation: str = PREVIEW_WORKSTATION,
        region: str = "us-east-1",
        project: str | None = None,
    ) -> AgentSetup | None:
        """The agent a launch of the template installs; None when the template turns it off."""
        settings = template.idle_detection or IdleDetection()
        if settings.enabled is False:
            return None
        return cls(
            workstation=workstation,
            template=template.key,
            region=region,
            project=project,
            check_minutes=settings.check_interval_minutes,
            cpu_threshold=settings.cpu_threshold_percent,
            gpu_threshold=settings.gpu_threshold_percent,
        )


def _agent_packed() -> list[str]:
    """agent.sh gzipped and in base64 lines: a third of its size in AWS's 16 KB of UserData.
    The same bytes every time (no timestamp), so the rendered script is too.
    """
    text = resources.files("prism.idle").joinpath("agent.sh").read_bytes()
    packed = base64.b64encode(gzip.compress(text, mtime=0)).decode()
    return [packed[i : i + 76] for i in range(0, len(packed), 76)]


def stage_lines(setup: AgentSetup) -> list[str]:
    """Install the agent and its timer (a stage: done once)."""
    minutes = setup.check_minutes
    return [
        "mkdir -p /usr/local/lib/prism /var/lib/prism/idle",
        f"base64 -d <<'PRISM_IDLE_AGENT' | gzip -dc > {AGENT_PATH}",
        *_agent_packed(),
        "PRISM_IDLE_AGENT",
        f"chmod 755 {AGENT_PATH}",
        "cat > /etc/systemd/system/prism-idle.service <<'PRISM_UNIT'",
        "[Unit]",
        "Description=prism idle agent: samples activity for idle policies",
        "After=network-online.target",
        "",
        "[Service]",
        "Type=oneshot",
        f"ExecStart=/bin/bash {AGENT_PATH}",
        "PRISM_UNIT",
        "cat > /etc/systemd/system/prism-idle.timer <<'PRISM_UNIT'",
        "[Unit]",
        f"Description=prism idle agent, every {minutes} min",
        "",
        "[Timer]",
        "OnBootSec=2min",
        f"OnUnitActiveSec={minutes}min",
        "AccuracySec=30s",
        "",
        "[Install]",
        "WantedBy=timers.target",
        "PRISM_UNIT",
        "if systemd_running; then systemctl daemon-reload; fi",
        "prism_enable prism-idle.timer",
    ]


def config_lines(setup: AgentSetup) -> list[str]:
    """The agent's settings for this workstation (run every time the script runs)."""
    values = {
        "PRISM_WORKSTATION": setup.workstation,
        "PRISM_PROJECT": setup.project or NO_PROJECT,
        "PRISM_TEMPLATE": setup.template,
        "PRISM_REGION": setup.region,
        "PRISM_NAMESPACE": NAMESPACE,
        "PRISM_ENDPOINT": f"https://monitoring.{setup.region}.amazonaws.com/",
        "PRISM_CHECK_MINUTES": str(setup.check_minutes),
        "PRISM_CPU_THRESHOLD": f"{setup.cpu_threshold:g}",
        "PRISM_GPU_THRESHOLD": f"{setup.gpu_threshold:g}",
    }
    return [
        "mkdir -p /etc/prism",
        f"cat > {CONFIG_PATH} <<'PRISM_IDLE_ENV'",
        *(f"{key}={shlex.quote(value)}" for key, value in values.items()),
        "PRISM_IDLE_ENV",
    ]
