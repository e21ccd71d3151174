"""Writes the generated parts of phoenix's user guide from the code itself:

- catalog.md: every catalog pipeline, its parameters, expected and measured reduction, and how
  exactly a collector runs it (from the catalog files and measurements.json);
- troubleshooting.md: every error code phoenix can print, with its message and its fixes (read
  from the `ToolError(...)` and `problem(...)` calls of phoenix and of the groundwork modules it
  runs on);
- cli.md: every command's --help.

    .venv/bin/python packages/phoenix/docs/generate.py          # write them
    .venv/bin/python packages/phoenix/docs/generate.py --check  # exit 1 when one is stale

tests/docs/test_user_guide.py fails when a file is stale or an error code or command has no entry.
"""

from __future__ import annotations

import ast
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

DOCS = Path(__file__).parent
PHOENIX_SRC = DOCS.parent / "src" / "phoenix"
GROUNDWORK_SRC = DOCS.parents[1] / "groundwork" / "src" / "groundwork"
GROUNDWORK_PARTS = ["service", "state", "cli.py"]
"""The groundwork modules phoenix runs on: its services, its SQLite store, its command line."""

EXIT_CODES = {
    "OK": 0,
    "FAILURE": 1,
    "USAGE": 2,
    "NOT_FOUND": 3,
    "CONFLICT": 4,
    "PERMISSION": 5,
    "UNAVAILABLE": 6,
    "TIMEOUT": 7,
    "INTERNAL": 70,
    "INTERRUPTED": 130,
}
COMMAND_LINE = [
    (
        "PHOENIX_USAGE",
        "A command line phoenix cannot read: an unknown command or option, a missing argument, a"
        " value outside its choices.",
        ["Read the command's help: phoenix COMMAND --help (or docs/cli.md)."],
        2,
    ),
    (
        "PHOENIX_INTERNAL_ERROR",
        "A bug: phoenix stopped on an error it did not expect. The message says where the log"
        " with the traceback is.",
        ["Run it again with --debug to see the traceback", "Report it with the log attached."],
        70,
    ),
    (
        "PHOENIX_INTERRUPTED",
        "Ctrl+C (or SIGINT) stopped the command.",
        ["Run it again; a deployment or experiment keeps the state it had reached."],
        130,
    ),
]
"""What groundwork's command line prints under phoenix's prefix (groundwork.cli.run)."""


@dataclass
class ErrorSite:
    message: str
    suggestions: list[str]
    exit_codes: list[int]
    where: str


@dataclass
class ErrorCode:
    code: str
    sites: list[ErrorSite] = field(default_factory=list)


def _text(node: ast.expr) -> str | None:
    """A string literal, or an f-string with each placeholder shown as <name>."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        parts = []
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append(str(value.value))
            elif isinstance(value, ast.FormattedValue):
                inner = ast.unparse(value.value)
                parts.append(f"<{inner.split('.')[-1].split('(')[0].strip('_')}>")
        return "".join(parts)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _text(node.left), _text(node.right)
        return left + right if left is not None and right is not None else None
    if isinstance(node, ast.Name | ast.Attribute):  # a value added to a string
        return f"<{ast.unparse(node).split('.')[-1].strip('_')}>"
    return None


def _suggestions(node: ast.expr | None) -> list[str]:
    if node is None:
        return []
    if isinstance(node, ast.List):
        return [t for t in (_text(e) for e in node.elts) if t]
    if isinstance(node, ast.BinOp):
        return _suggestions(node.left) + _suggestions(node.right)
    if isinstance(node, ast.ListComp):
        text = _text(node.elt)
        return [text] if text else []
    return []


def _exit_codes(node: ast.expr | None) -> list[int]:
    """The exit codes an `exit_code=` expression can give (both sides of a conditional)."""
    if isinstance(node, ast.Attribute) and node.attr in EXIT_CODES:
        return [EXIT_CODES[node.attr]]
    if isinstance(node, ast.IfExp):
        return sorted({*_exit_codes(node.body), *_exit_codes(node.orelse)})
    return []


def _calls(path: Path, root: Path) -> Iterator[tuple[str, ErrorSite]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    where = str(path.relative_to(root.parent))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = ast.unparse(node.func).split(".")[-1]
        keywords = {k.arg: k.value for k in node.keywords}
        if name in ("ToolError", "__init__") and len(node.args) >= 2:
            code, message = _text(node.args[0]), _text(node.args[1])
            suggestions = _suggestions(
                keywords.get("suggestions", node.args[2] if len(node.args) > 2 else None)
            )
            exit_codes = _exit_codes(keywords.get("exit_code"))
        elif name == "problem" and len(node.args) >= 4:
            code, message = _text(node.args[1]), _text(node.args[2])
            suggestions, exit_codes = _suggestions(node.args[3]), []
        else:
            continue
        if code and message and code.isupper() and "<" not in code:
            yield code, ErrorSite(message, suggestions, exit_codes, where)


def error_codes() -> list[ErrorCode]:
    found: dict[str, ErrorCode] = {}
    sources = sorted(PHOENIX_SRC.rglob("*.py"))
    for part in GROUNDWORK_PARTS:
        target = GROUNDWORK_SRC / part
        sources += sorted(target.rglob("*.py")) if target.is_dir() else [target]
    for path in sources:
        root = PHOENIX_SRC if PHOENIX_SRC in path.parents else GROUNDWORK_SRC
        for code, site in _calls(path, root):
            entry = found.setdefault(code, ErrorCode(code))
            if all(s.message != site.message for s in entry.sites):
                entry.sites.append(site)
    for code, message, suggestions, exit_code in COMMAND_LINE:
        found[code] = ErrorCode(
            code, [ErrorSite(message, suggestions, [exit_code], "groundwork/cli.py")]
        )
    return sorted(found.values(), key=lambda e: (not e.code.startswith("PHOENIX_"), e.code))


def troubleshooting() -> str:
    codes = error_codes()
    out = [
        "# Troubleshooting\n",
        "<!-- generated by docs/generate.py from the code: do not edit by hand -->\n",
        "Every error phoenix prints has a stable code, a message that says what went wrong, and"
        " what to do next. With `-o json` the same error is one problem+json document on stdout"
        " (`code`, `detail`, `suggestions`, `exit_code`); the console shows the same three parts"
        " in a red box. Exit codes: 0 ok, 1 failed, 2 usage, 3 not found, 4 conflict,"
        " 5 permission, 6 unavailable, 7 timeout, 70 internal, 130 interrupted.\n",
        "Codes starting `GROUNDWORK_` come from the service base and the store phoenix runs on"
        " (`phoenix server`, `phoenix agent`, the SQLite state).\n",
        "| code | exit |\n| --- | --- |\n"
        + "".join(f"| [`{e.code}`](#{e.code.lower()}) | {_exits(e)} |\n" for e in codes),
    ]
    for entry in codes:
        out.append(f"## {entry.code}\n")
        for site in entry.sites:
            exits = " or ".join(map(str, site.exit_codes))
            exit_text = f" (exit {exits})" if exits else " (an HTTP reply of phoenix's services)"
            out.append(f"**{_escape(site.message)}**{exit_text}  \n*from `{site.where}`*\n")
            if site.suggestions:
                out.append("".join(f"- {_escape(s)}\n" for s in site.suggestions))
    return "\n".join(out)


def _exits(entry: ErrorCode) -> str:
    codes = sorted({code for s in entry.sites for code in s.exit_codes})
    return ", ".join(map(str, codes)) or "HTTP"


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;").replace("*", "\\*")


def catalog() -> str:
    import yaml

    from phoenix.otelcol.compose import collector_config
    from phoenix.pipelines import catalog as bundled
    from phoenix.pipelines.results import RenderFormat

    measured = bundled.measurements()
    figures = measured.get("pipelines", {})
    out = [
        "# Pipeline catalog\n",
        "<!-- generated by docs/generate.py from the catalog files: do not edit by hand -->\n",
        f"Measured by `{measured.get('measured_by', 'bench/collector_vs_engine.py')}` on"
        f" {measured.get('machine', '?')}, {measured.get('load', '?')}, a"
        f" {measured.get('interval_seconds', '?')} s interval. Deploy one with"
        " `phoenix pipeline deploy NAME [--param processor.field=value]`; see its YAML with"
        " `phoenix pipeline show NAME` and its collector config with"
        " `phoenix pipeline render NAME --explain`.\n",
        "| pipeline | expected reduction | engine | collector | on a collector |\n"
        "| --- | --- | --- | --- | --- |\n"
        + "".join(
            f"| [{name}](#{name}) | {_range(bundled.get(name))} |"
            f" {_measured(figures.get(name), 'engine')} |"
            f" {_measured(figures.get(name), 'collector')} |"
            f" {figures.get(name, {}).get('fidelity', 'not measured')} |\n"
            for name in bundled.names()
        ),
    ]
    for name in bundled.names():
        pipeline = bundled.get(name)
        data = yaml.safe_load(bundled.source(name))
        config = collector_config(name, RenderFormat.OTELCOL, {})
        out.append(f"## {name}\n")
        out.append(f"{pipeline.description}\n")
        out.append(f"- Expected reduction: {_range(pipeline)}")
        figure = figures.get(name)
        if figure:
            out.append(
                f"- Measured: engine {figure['engine_series']} series"
                f" ({figure['engine_reduction_percent']}% fewer), collector"
                f" {figure['collector_series']} ({figure['collector_reduction_percent']}% fewer),"
                f" difference {figure['collector_difference_percent']:+g}%"
            )
        out.append(
            f"- Critical processes: {', '.join(pipeline.critical_processes.names)}"
            + (
                f"; patterns {', '.join(f'`{p}`' for p in pipeline.critical_processes.patterns)}"
                if pipeline.critical_processes.patterns
                else ""
            )
        )
        out.append(
            f"- On a collector: {config.fidelity} (tolerance"
            f" {pipeline.collector_tolerance_percent:g}% in `pipeline verify`)\n"
        )
        out.append("| step | processor | on a collector | how |\n| --- | --- | --- | --- |")
        for step in config.steps:
            exact = "exact" if step.exact else "approximate"
            out.append(f"| {step.index} | `{step.processor}` | {exact} | {_escape(step.note)} |")
        if not config.steps:
            out.append("| - | none | exact | every process, every series |")
        out.append("\nParameters (`--param NAME=VALUE`, values in YAML):\n")
        params = []
        seen: set[str] = set()
        for processor in data.get("processors") or []:
            if processor["type"] in seen:
                continue
            seen.add(processor["type"])
            for key, value in processor.items():
                if key != "type":
                    shown = yaml.safe_dump(value, default_flow_style=True, width=1000).strip()
                    shown = shown.removesuffix("\n...")
                    params.append(f"- `{processor['type']}.{key}` = `{shown}`")
        out.append("\n".join(params) if params else "- none")
        documented = data.get("documented_params") or []
        if documented:
            out.append("\nDocumented sets (each checked by the collector in the tests):\n")
            out.extend(
                "- `" + " ".join(f"--param {k}={v}" for k, v in s.items()) + "`" for s in documented
            )
        out.append("")
    return "\n".join(out)


def _range(pipeline: object) -> str:
    r = pipeline.expected_reduction  # type: ignore[attr-defined]
    return f"{r.min:g}-{r.max:g}%"


def _measured(figure: dict[str, object] | None, side: str) -> str:
    if not figure:
        return "-"
    return f"{figure[f'{side}_series']} series ({figure[f'{side}_reduction_percent']}%)"


def commands() -> list[str]:
    import typer
    from typer._click import Context

    from phoenix.cli import app

    root = typer.main.get_command(app)
    found: list[str] = []

    def walk(command: object, path: str) -> None:
        subcommands = getattr(command, "commands", None)
        if subcommands is None:
            found.append(path.strip())
            return
        context = Context(command)  # type: ignore[arg-type]
        for name in command.list_commands(context):  # type: ignore[attr-defined]
            walk(command.get_command(context, name), f"{path} {name}")  # type: ignore[attr-defined]

    walk(root, "")
    return found


def cli() -> str:
    from typer.testing import CliRunner

    from phoenix.cli import app

    runner = CliRunner()
    out = [
        "# Command reference\n",
        "<!-- generated by docs/generate.py from the commands' --help: do not edit by hand -->\n",
        "Every command takes `-o json` (one JSON document on stdout; see the README's JSON output"
        " section) and `--help`.\n",
        "".join(f"- [`phoenix {c}`](#phoenix-{c.replace(' ', '-')})\n" for c in commands()),
    ]
    for command in ["", *commands()]:
        done = runner.invoke(app, [*command.split(), "--help"], env={"COLUMNS": "100"})
        text = "\n".join(line.rstrip() for line in done.output.splitlines()).strip()
        out.append(f"## phoenix {command}".rstrip() + "\n")
        out.append(f"```text\n{text}\n```\n")
    return "\n".join(out)


GENERATED = {"catalog.md": catalog, "troubleshooting.md": troubleshooting, "cli.md": cli}


def main() -> int:
    os.environ["COLUMNS"] = "100"
    os.environ["NO_COLOR"] = "1"
    stale = []
    for name, make in GENERATED.items():
        text = make().rstrip() + "\n"
        path = DOCS / name
        if "--check" in sys.argv:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            path.write_text(text, encoding="utf-8")
    if stale:
        sys.stderr.write(f"stale: {', '.join(stale)}; run docs/generate.py\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
