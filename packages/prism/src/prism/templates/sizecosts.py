"""What each size of a template costs an hour on x86_64 and on Graviton: the instance type the
size map picks on each architecture, priced from prism's price book.
"""

from __future__ import annotations

from groundwork.errors import ToolError
from prism.cost.prices import PriceBook
from prism.templates.results import ArchPrice, SizeCost
from prism.workstations.sizes import (
    ARCHITECTURES,
    SIZES,
    instance_type_for,
    type_for_architecture,
)
from prism.workstations.templating import LaunchTemplate

__all__ = ["size_costs"]


def size_costs(template: LaunchTemplate, prices: PriceBook, region: str) -> list[SizeCost]:
    works_on = template.support.architectures
    default = template.default_instance_type
    minimum = template.minimum_size or "XS"
    labels: list[str | None] = [None] if default else []
    labels += list(SIZES[SIZES.index(minimum) :])

    def priced(instance_type: str, architecture: str) -> ArchPrice | None:
        if architecture not in works_on:
            return None
        try:
            peer = type_for_architecture(instance_type, architecture)
        except ToolError:
            return None
        price = prices.hourly(peer, region)
        return ArchPrice(instance_type=peer, hourly_usd=price.hourly, price_source=price.source)

    rows = []
    for size in labels:
        instance_type, _ = instance_type_for(size, default, template.minimum_size)
        by_arch = {arch: priced(instance_type, arch) for arch in ARCHITECTURES}
        rows.append(SizeCost(size=size or "default", **by_arch))
    return rows
