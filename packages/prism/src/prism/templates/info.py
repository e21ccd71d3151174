"""A template as `templates info` shows it: merged, how it is reached, where it came from,
and its repository's reviews. The CLI and prismd's template form answer with it alike.
"""

from __future__ import annotations

from pathlib import Path

from prism.templates.catalog import Catalog
from prism.templates.connection import access_for
from prism.templates.repos.installs import Installer
from prism.templates.repos.store import RepositoryStore
from prism.templates.results import ConnectionInfo, TemplateDetail, TemplateInfo
from prism.workstations.templating import LaunchTemplate

__all__ = ["template_info"]


def template_info(home: Path, catalog: Catalog, name: str) -> TemplateInfo:
    resolved = catalog.resolve(name)
    template = resolved.template
    definition = template.model_copy(update={"inherits": resolved.file.template.inherits})
    access = access_for(template)
    record = Installer(home).records().get(template.key) if resolved.file.origin == "user" else None
    reviews = []
    if record is not None:
        source = RepositoryStore(home).source(record.repository)
        reviews = [r for r in source.reviews() if r.template == record.name]
    return TemplateInfo(
        template=TemplateDetail(
            slug=template.key,
            origin=resolved.file.origin,
            path=resolved.file.path,
            warnings=resolved.file.warnings + [str(n) for n in resolved.notes],
            connection=ConnectionInfo(
                type=access.connection_type.value,
                primary=access.primary,
                desktop=access.desktop,
                desktop_port=access.desktop_port,
                ports=LaunchTemplate(resolved).ports,
                verbs=access.verbs,
            ),
            installed_from=f"{record.repository}/{record.name}@{record.version}"
            if record
            else None,
            reviews=reviews,
            definition=definition,
        )
    )
