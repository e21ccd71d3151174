"""The template `prism save NAME --as-template T` writes: the workstation's template as its
parent (its services, ports, users and how it is reached), and the saved image as its own
(``ami_config``), so a launch of it starts from the workstation's disks. The setup stages that
ran on the workstation left their markers on those disks, so they are skipped at boot.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import yaml

from groundwork.errors import ExitCode, ToolError
from groundwork.paths import private_dir
from groundwork.state import atomic_write_text
from prism.cloud.snapshot_model import SavedImage
from prism.templates.catalog import catalog_for
from prism.templates.issues import TemplateInvalid
from prism.templates.loader import load_text
from prism.templates.repos.history import TemplateHistoryStore
from prism.workstations.model import Workstation

__all__ = ["write_saved_template"]


def _yaml(slug: str, ws: Workstation, image: SavedImage, parent_name: str) -> str:
    document = {
        "name": slug,
        "slug": slug,
        "description": f"Saved from workstation {ws.name} ({ws.template_name})"
        f" on {datetime.now(UTC):%Y-%m-%d}",
        "version": "1.0.0",
        "inherits": [parent_name],
        "package_manager": "ami",
        "ami_config": {
            "amis": {image.region: {image.architecture: image.image_id}},
            "ssh_user": ws.login_user,
        },
        "instance_defaults": {"type": ws.instance_type, "root_volume_gb": ws.root_volume_gb},
    }
    return yaml.safe_dump(document, sort_keys=False)


def write_saved_template(
    home: Path, slug: str, ws: Workstation, image: SavedImage, *, force: bool
) -> Path:
    """Validate and write ``<state>/templates/SLUG.yml``, kept in the template's history."""
    target = home / "templates" / f"{slug}.yml"
    if target.exists() and not force:
        raise ToolError(
            "PRISM_TEMPLATE_EXISTS",
            f"A template file {target} exists already.",
            suggestions=[
                f"Choose another name, or replace it with --force (prism templates"
                f" history {slug} keeps the old one)."
            ],
            exit_code=ExitCode.CONFLICT,
        )
    catalog = catalog_for(home)
    parent = catalog.resolve(ws.template).template
    text = _yaml(slug, ws, image, parent.key)
    report = catalog.validate_one(load_text(text, str(target), "user"))
    if report.errors:
        raise TemplateInvalid(report.errors)
    history = TemplateHistoryStore(home)
    history.catch_edits(slug, target)
    private_dir(target.parent)
    atomic_write_text(target, text)
    history.record(slug, text, "save")
    return target
