"""A template as `templates info` shows it: merged, how it is reached, where it came from,
its repository's reviews, and what each size costs an hour on x86_64 and on Graviton. The CLI
and prismd's template form answer with it alike.
"""

from __future__ import annotations

from pathlib import Path

from prism.cost.prices import PriceBook
from prism.profiles.store import ProfileStore
from prism.templates.catalog import Catalog
from prism.templates.connection import access_for
from prism.templates.repos.installs import Installer
from prism.templates.repos.store import RepositoryStore
from prism.templates.results import ConnectionInfo, TemplateDetail, TemplateInfo
from prism.templates.sizecosts import size_costs
from prism.workstations.templating import LaunchTemplate

__all__ = ["template_info"]


def template_info(
    home: Path, catalog: Catalog, name: str, region: str | None = None
) -> TemplateInfo:
    """Prices for ``region``, or the active profile's."""
    resolved = catalog.resolve(name)
    template = resolved.template
    definition = template.model_copy(update={"inherits": resolved.file.template.inherits})
    access = access_for(template)
    record = Installer(home).records().get(template.key) if resolved.file.origin == "user" else None
    reviews = []
    if record is not None:
        source = RepositoryStore(home).source(record.repository)
        reviews = [r for r in source.reviews() if r.template == record.name]
    launch = LaunchTemplate(resolved)
    support = launch.support
    region = region or ProfileStore(home).active().region
    prices = PriceBook(home / "cache" / "prices.json")
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
                ports=launch.ports,
                verbs=access.verbs,
            ),
            installed_from=f"{record.repository}/{record.name}@{record.version}"
            if record
            else None,
            reviews=reviews,
            definition=definition,
            architectures=list(support.architectures),
            architectures_reason=support.reason,
            price_region=region,
            sizes=size_costs(launch, prices, region),
        )
    )
