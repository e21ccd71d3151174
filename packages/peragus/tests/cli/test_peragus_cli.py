"""The peragus command line as a user runs it: headless runs, import and export, bad input, and
one JSON document per command in JSON mode, errors included.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REFERENCE = Path(__file__).parents[1] / "fixtures" / "srcbook"
NOTEBOOK = """<!-- srcbook:{"language":"javascript"} -->

# Steps

###### package.json

```json
{
  "type": "module"
}
```

###### first.mjs

```javascript
console.log("first ran");
```

###### broken.mjs

```javascript
console.log("before the throw");
throw new Error("no such column");
```

###### never.mjs

```javascript
console.log("never ran");
```
"""


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


def environment(home: Path) -> dict[str, str]:
    return {**os.environ, "PERAGUS_HOME": str(home), "NO_COLOR": "1", "COLUMNS": "200"}


def peragus(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "peragus", *args],
        env=environment(home),
        capture_output=True,
        text=True,
        timeout=120,
    )


def one_document(stdout: str) -> dict[str, Any]:
    """stdout as exactly one JSON object: json.loads refuses anything before or after it."""
    document = json.loads(stdout)
    assert isinstance(document, dict), stdout
    return document


def stderr_text(done: subprocess.CompletedProcess[str]) -> str:
    """stderr without the error panel's borders and line breaks."""
    return " ".join(done.stderr.replace("│", " ").split())


def test_run_stops_at_the_first_failing_cell(home: Path, tmp_path: Path) -> None:
    path = tmp_path / "steps.src.md"
    path.write_text(NOTEBOOK)
    done = peragus(home, "run", str(path))
    assert done.returncode == 1
    assert "first ran" in done.stdout and "before the throw" in done.stdout
    assert "no such column" in done.stderr
    assert "never ran" not in done.stdout
    assert "✗ broken.mjs exited with code 1; not run: never.mjs" in done.stderr

    only = peragus(home, "run", str(path), "--cell", "first.mjs", "--output", "json")
    assert only.returncode == 0, only.stderr
    run = one_document(only.stdout)["run"]
    assert run["ok"] is True
    assert [(c["cell"], c["output"]) for c in run["cells"]] == [("first.mjs", "first ran\n")]


def test_a_failing_run_still_prints_its_result(home: Path, tmp_path: Path) -> None:
    path = tmp_path / "steps.src.md"
    path.write_text(NOTEBOOK)
    done = peragus(home, "run", str(path), "--output", "json")
    assert done.returncode == 1
    run = one_document(done.stdout)["run"]
    assert run["ok"] is False
    assert [(c["cell"], c["ok"], c["exit_code"]) for c in run["cells"]] == [
        ("first.mjs", True, 0),
        ("broken.mjs", False, 1),
    ]
    assert "no such column" in run["cells"][1]["output"]
    assert run["not_run"] == ["never.mjs"]


def test_a_typescript_cell_that_does_not_compile_is_a_failed_cell(
    home: Path, tmp_path: Path
) -> None:
    path = tmp_path / "ts.src.md"
    path.write_text(
        '<!-- srcbook:{"language":"typescript"} -->\n\n# TS\n\n'
        "###### bad.ts\n\n```typescript\nconst x: number = ;\n```\n"
    )
    done = peragus(home, "run", str(path), "--output", "json")
    assert done.returncode == 1
    [cell] = one_document(done.stdout)["run"]["cells"]
    assert cell["ok"] is False and cell["exit_code"] is None
    assert "bad.ts does not compile" in cell["error"]


def test_import_then_export_gives_the_same_bytes(home: Path, tmp_path: Path) -> None:
    source = REFERENCE / "srcbook.src.md"
    imported = peragus(home, "import", str(source), "--output", "json")
    assert imported.returncode == 0, imported.stderr
    name = one_document(imported.stdout)["notebook"]["name"]
    out = tmp_path / "out.src.md"
    written = peragus(home, "export", name, "--out", str(out))
    assert written.returncode == 0, written.stderr
    assert written.stdout.strip() == f"Wrote {out}"
    assert out.read_bytes() == source.read_bytes()
    printed = peragus(home, "export", name)
    assert printed.stdout == source.read_text()
    listed = one_document(peragus(home, "list", "--output", "json").stdout)
    assert [n["name"] for n in listed["notebooks"]] == [name]


def test_every_command_prints_one_json_document(home: Path, tmp_path: Path) -> None:
    """Each command's result, in the documented shape, and nothing else on stdout."""
    source = tmp_path / "steps.src.md"
    source.write_text(NOTEBOOK.replace("throw new Error", "// throw new Error"))

    def json_of(*args: str, code: int = 0) -> dict[str, Any]:
        done = peragus(home, *args, "--output", "json")
        assert done.returncode == code, done.stdout + done.stderr
        return one_document(done.stdout)

    created = json_of("new", "Data cleaning", "--language", "javascript")["notebook"]
    assert created["name"] == "data-cleaning" and created["language"] == "javascript"
    assert created["cells"] == 2 and Path(created["folder"]).is_dir()
    imported = json_of("import", str(source))["notebook"]
    assert (imported["name"], imported["title"], imported["cells"]) == ("steps", "Steps", 3)
    listed = json_of("list")
    assert [n["name"] for n in listed["notebooks"]] == ["data-cleaning", "steps"]
    assert listed["notebooks"][1] == imported
    exported = json_of("export", "steps")
    assert exported["notebook"] == imported and exported["out"] is None
    assert exported["src_md"] == source.read_text()
    out = tmp_path / "again.src.md"
    assert json_of("export", "steps", "--out", str(out))["out"] == str(out)
    assert out.read_text() == source.read_text()
    run = json_of("run", "steps")["run"]
    assert run["notebook"] == "steps" and run["ok"] is True and run["not_run"] == []
    assert [c["cell"] for c in run["cells"]] == ["first.mjs", "broken.mjs", "never.mjs"]
    deleted = json_of("delete", "data-cleaning")
    assert deleted["notebook"] == created and Path(deleted["moved_to"]).is_dir()
    doctor = json_of("doctor")
    assert doctor["tool"] == "peragus" and doctor["checks"]
    assert {"containment", "secrets key", "alerts"} <= {c["name"] for c in doctor["checks"]}
    watched = json_of("doctor", "--watch", "--count", "1", "--interval", "0.1")
    assert watched["checks"][-1]["name"] == "alerts"

    found = json_of("list", "--search", "STEP", "--sort", "modified")["notebooks"]
    assert [n["name"] for n in found] == ["steps"]
    templates = json_of("template", "list")["templates"]
    assert {"script", "http-api", "data-steps"} <= {t["name"] for t in templates}
    from_template = json_of("new", "Cities", "--template", "data-steps")["notebook"]
    assert (from_template["title"], from_template["cells"]) == ("Cities", 4)
    saved = json_of("template", "save", "steps", "--title", "My steps")["template"]
    assert saved == {
        "name": "my-steps",
        "title": "My steps",
        "description": "",
        "language": "javascript",
        "builtin": False,
    }
    token = json_of("token", "rotate")
    assert token["token"]["file"] == str(home / "peragus.token") and "notice" in token
    key = json_of("secrets", "rotate-key")["secrets_key"]
    assert key == {
        "location": str(home / "config" / "secrets.key"),
        "secrets": 0,
        "rotated_at": key["rotated_at"],
    }
    audit = json_of("audit", "--limit", "2")
    assert [e["action"] for e in audit["events"]] == ["secrets.rotate_key", "token.rotate"]
    assert audit["file"] == str(home / "logs" / "audit.jsonl")


def test_start_prints_one_json_document_first_and_again(home: Path) -> None:
    first = subprocess.Popen(
        [sys.executable, "-m", "peragus", "start", "--port", "0", "--no-open", "-o", "json"],
        env=environment(home),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert first.stdout is not None
    try:
        text = ""
        for line in first.stdout:  # the document is indented: read until it is whole
            text += line
            if line == "}\n":
                break
        started = one_document(text)
        assert started["already_running"] is False
        assert started["server"]["login_url"].startswith(started["server"]["url"] + "/login?")
        again = peragus(home, "start", "--port", "0", "--no-open", "--output", "json")
        assert again.returncode == 0, again.stderr
        second = one_document(again.stdout)
        assert second["already_running"] is True
        assert second["server"]["url"] == started["server"]["url"]
        assert second["server"]["pid"] == first.pid
        assert second["server"]["login_url"] != started["server"]["login_url"]  # a fresh one
    finally:
        first.terminate()
        rest, _ = first.communicate(timeout=30)
    assert first.returncode == 0
    assert rest == ""  # nothing after the one document, stopping included


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (["run", "no-such-notebook"], 3, "PERAGUS_NOTEBOOK_NOT_FOUND"),
        (["export", "no-such-notebook"], 3, "PERAGUS_NOTEBOOK_NOT_FOUND"),
        (["delete", "no-such-notebook"], 3, "PERAGUS_NOTEBOOK_NOT_FOUND"),
        (["import", "missing.src.md"], 3, "does not exist"),
        (["new", "T", "--language", "cobol"], 2, "cobol"),
        (["run", "x.src.md", "--timeout", "0"], 2, "--timeout"),
        (["export", "x", "-o", "out.src.md"], 2, "out.src.md"),
    ],
    ids=[
        "run-unknown",
        "export-unknown",
        "delete-unknown",
        "import-missing",
        "bad-language",
        "bad-timeout",
        "old-export-flag",
    ],
)
def test_bad_input_is_a_clear_error(home: Path, args: list[str], code: int, says: str) -> None:
    done = peragus(home, *args)
    assert done.returncode == code, done.stderr
    assert says in stderr_text(done)
    assert "Traceback" not in done.stderr
    assert done.stdout == ""


@pytest.mark.parametrize(
    ("args", "code", "problem"),
    [
        (["run", "no-such-notebook"], 3, "PERAGUS_NOTEBOOK_NOT_FOUND"),
        (["export", "no-such-notebook"], 3, "PERAGUS_NOTEBOOK_NOT_FOUND"),
        (["delete", "no-such-notebook"], 3, "PERAGUS_NOTEBOOK_NOT_FOUND"),
        (["import", "MALFORMED"], 2, "PERAGUS_NOTEBOOK_INVALID"),
        (["run", "MALFORMED"], 2, "PERAGUS_NOTEBOOK_INVALID"),
        (["run", "STEPS", "--cell", "frist.mjs"], 3, "PERAGUS_CELL_NOT_FOUND"),
        (["new", "T", "--language", "cobol"], 2, "PERAGUS_USAGE"),
        (["list", "--no-such-flag"], 2, "PERAGUS_USAGE"),
    ],
    ids=[
        "run-unknown",
        "export-unknown",
        "delete-unknown",
        "import-malformed",
        "run-malformed",
        "unknown-cell",
        "bad-language",
        "unknown-flag",
    ],
)
def test_errors_in_json_mode_are_one_problem_document(
    home: Path, tmp_path: Path, args: list[str], code: int, problem: str
) -> None:
    files = {"MALFORMED": tmp_path / "bad.src.md", "STEPS": tmp_path / "steps.src.md"}
    files["MALFORMED"].write_text("# no srcbook header\n")
    files["STEPS"].write_text(NOTEBOOK)
    done = peragus(home, *[str(files.get(a, a)) for a in args], "--output", "json")
    assert done.returncode == code
    document = one_document(done.stdout)
    assert document["code"] == problem
    assert document["exit_code"] == code
    assert document["detail"] and document["suggestions"]
    assert "Traceback" not in done.stderr


def test_a_file_that_is_not_utf8_names_its_line(home: Path, tmp_path: Path) -> None:
    path = tmp_path / "latin1.src.md"
    path.write_bytes(NOTEBOOK.replace("first ran", "premi\xe8re").encode("latin-1"))
    for command in ("run", "import"):
        done = peragus(home, command, str(path))
        assert done.returncode == 2
        assert "latin1.src.md:16: this is not UTF-8 text" in stderr_text(done)
        assert "Traceback" not in done.stderr
    assert list((home / "notebooks").glob("*")) == []  # nothing was imported


def test_an_unknown_cell_lists_the_cells(home: Path, tmp_path: Path) -> None:
    path = tmp_path / "steps.src.md"
    path.write_text(NOTEBOOK)
    done = peragus(home, "run", str(path), "--cell", "frist.mjs")
    assert done.returncode == 3
    assert "first.mjs, broken.mjs, never.mjs" in done.stderr


def test_srcbooks_getting_started_installs_its_dependency_and_runs(
    home: Path, tmp_path: Path
) -> None:
    """The README's own example: it imports random-words, which npm installs first."""
    done = peragus(home, "run", str(REFERENCE / "getting-started.src.md"))
    assert done.returncode == 0, done.stderr
    assert "… npm install (random-words)" in done.stderr
    assert "added" in done.stderr  # npm's own output, streamed
    assert "… installed in " in done.stderr
    words = [line for line in done.stdout.splitlines() if line.startswith("Word ")]
    assert [w.split(":")[0] for w in words] == ["Word 1", "Word 2", "Word 3", "Word 4"]
    assert "I am your father, Leia" in done.stdout
    assert "✓ 6 cells ran" in done.stderr


def test_no_install_refuses_to_run_without_the_dependencies(home: Path) -> None:
    done = peragus(
        home, "run", str(REFERENCE / "getting-started.src.md"), "--no-install", "-o", "json"
    )
    assert done.returncode == 6
    problem = one_document(done.stdout)
    assert problem["code"] == "PERAGUS_DEPENDENCIES_MISSING"
    assert "random-words" in problem["detail"]
    assert "without --no-install" in problem["suggestions"][0]


def test_imports_package_json_does_not_list_are_named(home: Path, tmp_path: Path) -> None:
    path = tmp_path / "undeclared.src.md"
    path.write_text(
        '<!-- srcbook:{"language":"javascript"} -->\n\n# U\n\n'
        "###### a.mjs\n\n```javascript\n"
        "import chalk from 'chalk';\nimport fs from 'node:fs';\n```\n"
    )
    done = peragus(home, "run", str(path), "-o", "json")
    assert done.returncode == 1
    problem = one_document(done.stdout)
    assert problem["code"] == "PERAGUS_DEPENDENCIES_UNDECLARED"
    assert "chalk" in problem["detail"] and "fs" not in problem["detail"]


def test_cells_that_are_not_code_are_kept_and_not_run(home: Path) -> None:
    liberties = REFERENCE.parent / "liberties" / "other-cells.src.md"
    done = peragus(home, "run", str(liberties), "-o", "json")
    assert done.returncode == 0, done.stderr
    assert [c["cell"] for c in one_document(done.stdout)["run"]["cells"]] == ["run.ts"]
    shell = peragus(home, "run", str(liberties), "--cell", "setup.sh", "-o", "json")
    assert shell.returncode == 2
    problem = one_document(shell.stdout)
    assert problem["code"] == "PERAGUS_CELL_NOT_RUNNABLE"
    assert "runs only JavaScript and TypeScript cells" in problem["detail"]


def test_the_first_typescript_run_says_it_installs_the_toolchain(
    home: Path, tmp_path: Path
) -> None:
    path = tmp_path / "ts.src.md"
    path.write_text(
        '<!-- srcbook:{"language":"typescript"} -->\n\n# TS\n\n'
        "###### a.ts\n\n```typescript\nconsole.log(1 as number);\n```\n"
    )
    first = peragus(home, "run", str(path))
    assert first.returncode == 0, first.stderr
    assert "… Installing esbuild@0.24.2 with npm, once" in first.stderr
    assert "… Installed esbuild@0.24.2 in " in first.stderr
    again = peragus(home, "run", str(path))
    assert again.returncode == 0 and "Installing" not in again.stderr


EXAMPLES = Path(__file__).parents[2] / "src" / "peragus" / "examples"


@pytest.mark.parametrize("name", ["typescript-tour", "csv-report", "node-toolbox"])
def test_the_gallery_examples_run_headless(home: Path, name: str) -> None:
    done = peragus(home, "run", str(EXAMPLES / f"{name}.src.md"), "-o", "json")
    assert done.returncode == 0, done.stdout + done.stderr
    run = one_document(done.stdout)["run"]
    assert len(run["cells"]) == 3 and all(c["ok"] for c in run["cells"])
