"""The user guide's generated parts are current, and every error code phoenix can print and
every command has an entry (a new code or command without one fails here)."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

DOCS = Path(__file__).parents[2] / "docs"
SRC = Path(__file__).parents[2] / "src" / "phoenix"


def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("phoenix_docs_generate", DOCS / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def headings(name: str) -> set[str]:
    text = (DOCS / name).read_text(encoding="utf-8")
    return {
        line.removeprefix("## ").strip() for line in text.splitlines() if line.startswith("## ")
    }


def test_every_error_code_in_phoenix_has_an_entry_with_its_fix() -> None:
    # A code is the first argument of the call that makes the error (ToolError(...) or a
    # subclass's super().__init__(...)); environment variables are never followed by a comma.
    literals = {
        code
        for path in SRC.rglob("*.py")
        for code in re.findall(r'\(\s*"(PHOENIX_[A-Z_]+)",', path.read_text(encoding="utf-8"))
    }
    assert len(literals) >= 40
    documented = headings("troubleshooting.md")
    missing = literals - documented
    assert not missing, f"no troubleshooting entry for {sorted(missing)}: run docs/generate.py"
    for code in ("PHOENIX_USAGE", "PHOENIX_INTERNAL_ERROR", "GROUNDWORK_RATE_LIMITED"):
        assert code in documented
    text = (DOCS / "troubleshooting.md").read_text(encoding="utf-8")
    for code in literals:
        entry = text.split(f"## {code}\n", 1)[1].split("\n## ", 1)[0]
        assert "\n- " in entry, f"{code} has no fix listed"


def test_every_command_has_an_entry_with_its_help() -> None:
    commands = generator().commands()
    assert {"pipeline status", "experiment promote", "fleet host add", "server"} <= set(commands)
    documented = headings("cli.md")
    missing = {f"phoenix {c}" for c in commands} - documented
    assert not missing, f"no CLI reference for {sorted(missing)}: run docs/generate.py"
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    assert "Usage: phoenix pipeline deploy" in text


def test_the_generated_pages_are_current() -> None:
    done = subprocess.run(
        [sys.executable, str(DOCS / "generate.py"), "--check"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


def test_the_guide_links_every_page() -> None:
    index = (DOCS / "README.md").read_text(encoding="utf-8")
    for page in sorted(DOCS.glob("*.md")):
        if page.name != "README.md":
            assert f"({page.name})" in index, f"docs/README.md does not link {page.name}"
