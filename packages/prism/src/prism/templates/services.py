"""A template's services as systemd units, and the URL each web service answers on.

Jupyter (a service named ``jupyter...``) gets a unit of prism's with its ``config`` lines in a
config file of its own: they are Jupyter's ``c.ServerApp...`` settings (token, address, base
URL), and prism's loopback address comes first, so the template's lines win. Its token, unless
the template sets one, is made on the workstation at first boot into a file only root reads
(``/etc/prism/tokens/NAME.env``, handed to Jupyter by systemd as ``JUPYTER_TOKEN``): it is never
in the template or the instance's user data, and ``prism web`` reads it over SSH. Its URL says
``{token}`` where the token goes. A ``jupyterhub`` service's URL logs the connecting user in
with a token of their own (``{user}``, ``{user_token}``; see the JupyterHub template).
A service with a ``command`` gets a unit running it. Any other service is the distribution's
unit of that name, enabled as asked; its ``config`` lines go to ``/etc/NAME/NAME.conf``, where
the original wrote them.
"""

from __future__ import annotations

import re
import shlex

from prism.templates.model import Service
from prism.templates.scriptparts import unit_lines

__all__ = [
    "distribution_service_lines",
    "is_distribution_service",
    "is_jupyter",
    "jupyter_config_file",
    "jupyter_settings",
    "service_lines",
    "service_url",
    "token_file",
]

_JUPYTER_SETTING = re.compile(
    r"^\s*c\.(?:ServerApp|NotebookApp)\.(?P<key>\w+)\s*=\s*['\"](?P<value>[^'\"]*)['\"]"
)
_JUPYTER_DEFAULTS = ["c.ServerApp.ip = '127.0.0.1'"]
TOKEN_DIR = "/etc/prism/tokens"  # noqa: S105 - a folder, not a secret
RANDOM_HEX = "od -An -N24 -tx1 /dev/urandom | tr -d ' \\n'"
HUB_SERVICE = "jupyterhub"
# next= sends the browser on to a clean URL, not one that carries the token forward.
HUB_URL = "http://{local}/hub/login?next=%2Fhub%2F&prism_user={user}&prism_token={user_token}"


def is_jupyter(service: Service) -> bool:
    """A single Jupyter server prism runs; a hub is the template's own unit."""
    name = service.name.lower()
    return name.startswith("jupyter") and name != HUB_SERVICE and service.command is None


def jupyter_config_file(service: Service) -> str:
    return f"/etc/prism/jupyter/{service.name}_config.py"


def token_file(service: str, folder: str = TOKEN_DIR) -> str:
    """Where a service's token is kept on the workstation, as ``JUPYTER_TOKEN=...``."""
    return f"{folder}/{service}.env"


def jupyter_settings(service: Service) -> dict[str, str]:
    settings: dict[str, str] = {}
    for line in [*_JUPYTER_DEFAULTS, *service.config_lines()]:
        match = _JUPYTER_SETTING.match(line)
        if match:
            settings[match["key"]] = match["value"]
    return settings


def service_url(service: Service) -> str:
    """The URL of a web service through a tunnel, ``{local}`` standing for host:port and
    ``{token}`` for the token prism made on the workstation.
    """
    if service.name.lower() == HUB_SERVICE and service.command is None:
        return HUB_URL
    if not is_jupyter(service):
        return "http://{local}/"
    settings = jupyter_settings(service)
    base = settings.get("base_url", "/") or "/"
    base = base if base.endswith("/") else f"{base}/"
    path = "tree" if service.name.lower() in ("jupyter-notebook", "notebook") else "lab"
    token = settings.get("token", "{token}")
    return "http://{local}" + base + path + (f"?token={token}" if token else "")


def _unit(service: Service, run_as: str, command: str, environment: str | None = None) -> list[str]:
    return [
        "[Unit]",
        f"Description=prism service {service.name}",
        "After=network-online.target",
        "",
        "[Service]",
        f"User={run_as}",
        *([f"EnvironmentFile={environment}"] if environment else []),
        f"ExecStart={command}",
        "Restart=on-failure",
        "",
        "[Install]",
        "WantedBy=multi-user.target",
    ]


def _jupyter_lines(service: Service, run_as: str, *, conda: bool) -> list[str]:
    config = jupyter_config_file(service)
    jupyter = "/opt/conda/bin/jupyter" if conda else "/usr/local/bin/jupyter"
    app = "notebook" if service.name.lower() in ("jupyter-notebook", "notebook") else "lab"
    home = "/root" if run_as == "root" else f"/home/{run_as}"
    command = (
        f"{jupyter} {app} --config={config} --port={service.port or 8888} --no-browser"
        f" --notebook-dir={home}"
    )
    token = token_file(service.name)
    lines = [
        f"install -d -m 700 {TOKEN_DIR}",
        f"if [ ! -s {token} ]; then",
        f"  (umask 077; printf 'JUPYTER_TOKEN=%s\\n' \"$({RANDOM_HEX})\" > {token})",
        "fi",
        "mkdir -p /etc/prism/jupyter",
        f"cat > {config} <<'PRISM_CONFIG'",
        *_JUPYTER_DEFAULTS,
        *service.config_lines(),
        "PRISM_CONFIG",
    ]
    unit = _unit(service, run_as, command, environment=token)
    return lines + unit_lines(f"prism-{service.name}", unit, enable=service.enable)


def is_distribution_service(service: Service) -> bool:
    """A unit the distribution (or a post_install) provides, not one prism writes."""
    return not is_jupyter(service) and service.command is None


def service_lines(service: Service, run_as: str, *, conda: bool) -> list[str]:
    """The unit prism writes for a service (Jupyter, or one with a command)."""
    if is_jupyter(service):
        return _jupyter_lines(service, run_as, conda=conda)
    unit = _unit(service, run_as, service.command or "")
    return unit_lines(f"prism-{service.name}", unit, enable=service.enable)


def distribution_service_lines(service: Service) -> list[str]:
    """Config lines where the original wrote them, then the unit enabled as asked. Run after
    post_install, which may be what installs it; a unit that is still missing is said so.
    """
    name = shlex.quote(service.name)
    lines: list[str] = []
    if service.config_lines():
        folder = shlex.quote(f"/etc/{service.name}")
        lines += [
            f"mkdir -p {folder}",
            f"cat > {shlex.quote(f'/etc/{service.name}/{service.name}.conf')} <<'PRISM_CONFIG'",
            *service.config_lines(),
            "PRISM_CONFIG",
        ]
    action = "prism_enable" if service.enable else "prism_disable"
    return [
        *lines,
        f"if systemctl list-unit-files {name}.service >/dev/null 2>&1; then",
        f"  {action} {name}",
        "else",
        f"  echo {shlex.quote(f'prism: no unit {service.name}.service here; not enabled')}",
        "fi",
    ]
