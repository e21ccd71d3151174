"""What a launch of a template does differently from what the template says, or warns about.

A template that validates launches what it describes; where it asks for something prism does
not do (yet), or does as asked but unsafely, these notes say so: in `templates validate` as
warnings, and on the launched workstation (``notes``) where `prism launch` and `prism info`
show them.
"""

from __future__ import annotations

import re

from groundwork.errors import ExitCode, ToolError
from prism import __version__
from prism.templates.connection import access_for
from prism.templates.issues import Issue
from prism.templates.model import Template
from prism.templates.semver import parse_range, parse_version
from prism.templates.services import is_distribution_service, is_jupyter, jupyter_settings
from prism.templates.userdata import os_family

__all__ = ["check_compatible", "template_notes"]


def template_notes(template: Template, path: str) -> list[Issue]:
    notes: list[Issue] = []
    for user in template.users:
        if user.password is not None:
            notes.append(
                Issue(
                    path,
                    None,
                    f"users.{user.name}.password",
                    "sets a fixed password, readable by anyone with the template or the"
                    " instance's user data",
                    "Drop it and sign in with the workstation's SSH key (prism connect).",
                    "warning",
                )
            )
    for service in template.services:
        if is_distribution_service(service) and service.config_lines():
            notes.append(
                Issue(
                    path,
                    None,
                    f"services.{service.name}.config",
                    f"written to /etc/{service.name}/{service.name}.conf, where the original"
                    " wrote it; prism does not know whether the service reads it there",
                    f"Write the service's own config file in post_install if {service.name}"
                    " reads another one.",
                    "warning",
                )
            )
        if is_jupyter(service):
            settings = jupyter_settings(service)
            address = settings.get("ip", "127.0.0.1")
            no_token = settings.get("token", "{token}") == ""
            if address not in ("127.0.0.1", "localhost", "::1") and no_token:
                notes.append(
                    Issue(
                        path,
                        None,
                        f"services.{service.name}.config",
                        f"Jupyter listens on {address} without a token: anyone who reaches"
                        f" port {service.port} can run code there (the security group opens it"
                        " to your address only)",
                        "Keep c.ServerApp.ip at '{{.WebInterfaceBindIP}}' and use prism web,"
                        " or set a token.",
                        "warning",
                    )
                )
    script = (template.post_install or "") + (template.user_data or "")
    if "chpasswd" in script:
        notes.append(
            Issue(
                path,
                None,
                "post_install",
                "sets a fixed password (chpasswd)",
                "Use SSH keys; prism tunnels web services over SSH.",
                "warning",
            )
        )
    family = os_family(template.base)
    manager = {"yum": "dnf"}.get(template.package_manager or "", template.package_manager)
    if manager in ("apt", "dnf") and family in ("apt", "dnf") and manager != family:
        notes.append(
            Issue(
                path,
                None,
                "package_manager",
                f"is {template.package_manager}, but base {template.base} uses {family}: system"
                f" packages are installed with {family}",
                f"Set package_manager: {family}, or a base of the {manager} family.",
                "warning",
            )
        )
    notes += _container_secret_notes(template, path)
    access = access_for(template)
    if access.connection_type == "web" and not access.web:
        notes.append(
            Issue(
                path,
                None,
                "connection_type",
                "is web, but no service has a port: prism web has nothing to open",
                "Give the web service its port under services:, or use connection_type: ssh.",
                "warning",
            )
        )
    return notes


_SECRET_NAME = re.compile(r"PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_KEY|CREDENTIAL", re.I)


def _container_secret_notes(template: Template, path: str) -> list[Issue]:
    """A secret written in a template is in the repository it is committed to, in the instance's
    user data and in a world-readable unit file: env_file keeps it on the workstation only.
    """
    return [
        Issue(
            path,
            None,
            f"containers.{container.name}.env.{key}",
            "looks like a secret written into the template: it ends up in the instance's user"
            " data and in a unit file every user of the workstation can read",
            f"Remove it from env; put {key}=... in the container's env_file (a file that stays"
            " on the workstation, mode 600), then restart the container's unit.",
            "warning",
        )
        for container in template.containers
        for key, value in container.env.items()
        if _SECRET_NAME.search(key) and value and "{{" not in value
    ]


def check_compatible(template: Template) -> None:
    """Refuses a template written for other prism versions, saying which ones."""
    if template.prism_version is None:
        return
    wanted = parse_range(template.prism_version)
    if wanted.allows(parse_version(__version__)):
        return
    raise ToolError(
        "PRISM_TEMPLATE_INCOMPATIBLE",
        f"{template.name} {template.version or ''} works with prism {wanted}; this is prism"
        f" {__version__}.".replace("  ", " "),
        suggestions=[
            "Install a version of the template made for this prism:"
            " prism templates search NAME, then prism templates install REPO/NAME@VERSION",
            "Or upgrade prism.",
        ],
        context={"prism_version": str(wanted), "this_prism": __version__},
        exit_code=ExitCode.CONFLICT,
    )
