"""A markdown page per template: what it installs, its parameters, ports, sizes and what each
size costs an hour on x86_64 and on Graviton (prism's bundled list prices, the region given).
"""

from __future__ import annotations

from prism.cost.prices import PriceBook
from prism.templates.catalog import Resolved
from prism.templates.sizecosts import size_costs
from prism.workstations.templating import LaunchTemplate

__all__ = ["template_page"]


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _sizes(template: LaunchTemplate, prices: PriceBook, region: str) -> list[str]:
    rows = [
        "| size | x86_64 type | USD per hour | arm64 (Graviton) type | USD per hour |",
        "| --- | --- | --- | --- | --- |",
    ]
    for row in size_costs(template, prices, region):
        cells = [
            f"{p.instance_type} | {p.hourly_usd:.4f} ({p.price_source})" if p else "- | -"
            for p in (row.x86_64, row.arm64)
        ]
        rows.append(f"| {row.size} | {' | '.join(cells)} |")
    return rows


def template_page(resolved: Resolved, prices: PriceBook, region: str) -> str:
    t = resolved.template
    launch = LaunchTemplate(resolved)
    access = launch.access
    lines = [f"# {t.name}", "", f"`{t.key}` {t.version or ''}".rstrip(), ""]
    lines += [t.long_description or t.description, ""]
    facts = {
        "Base": t.base or "(from its parent)",
        "Inherits": ", ".join(resolved.file.template.inherits),
        "Connection": f"{access.connection_type.value}: {'; '.join(access.verbs)}",
        "Desktop": access.desktop_name,
        "Ports": ", ".join(map(str, launch.ports)),
        "Minimum size": t.minimum_size,
        "Root volume": f"{launch.root_volume_gb} GB",
        "Maintainer": t.maintainer,
    }
    lines += [f"- **{k}**: {_cell(v)}" for k, v in facts.items() if v]
    lines += ["", "## What it installs", ""]
    for kind in ("system", "conda", "spack", "pip"):
        packages = getattr(t.packages, kind)
        if packages:
            lines.append(f"- {kind} packages: {', '.join(f'`{p}`' for p in packages)}")
    for user in t.users:
        groups = f" (groups: {', '.join(user.groups)})" if user.groups else ""
        lines.append(f"- user `{user.name}`{groups}")
    for service in t.services:
        port = f" on port {service.port}" if service.port else ""
        lines.append(f"- service `{service.name}`{port}")
    if t.post_install:
        lines.append("- a post-install script")
    if t.parameters:
        lines += ["", "## Parameters", "", "| parameter | type | default | allowed | about |"]
        lines.append("| --- | --- | --- | --- | --- |")
        for name, p in t.parameters.items():
            allowed = ", ".join(map(str, p.choices)) or (p.pattern or "")
            if p.min is not None or p.max is not None:
                allowed = (
                    f"{p.min if p.min is not None else ''}..{p.max if p.max is not None else ''}"
                )
            about = p.description or p.display_name or ""
            lines.append(
                f"| `{name}` | {p.type} | {_cell(p.default)} | {_cell(allowed)} | {_cell(about)} |"
            )
        lines += ["", f"Set them at launch: `prism launch {t.key} NAME --param KEY=VALUE`."]
    lines += ["", f"## Sizes and estimated cost ({region})", "", *_sizes(launch, prices, region)]
    notes = resolved.notes
    if notes:
        lines += ["", "## Notes", ""]
        lines += [f"- `{n.field}`: {n.problem}" for n in notes]
    return "\n".join(lines) + "\n"
