"""The peragus command line as a user runs it: headless runs, import and export, bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REFERENCE = Path(__file__).parents[5] / "shared" / "reference" / "srcbook"
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


def peragus(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "peragus", *args],
        env={**os.environ, "PERAGUS_HOME": str(home), "NO_COLOR": "1", "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_run_stops_at_the_first_failing_cell(home: Path, tmp_path: Path) -> None:
    path = tmp_path / "steps.src.md"
    path.write_text(NOTEBOOK)
    done = peragus(home, "run", str(path))
    assert done.returncode == 1
    assert "first ran" in done.stdout and "before the throw" in done.stdout
    assert "no such column" in done.stderr
    assert "never ran" not in done.stdout

    only = peragus(home, "run", str(path), "--cell", "first.mjs", "--output", "json")
    assert only.returncode == 0, only.stderr
    assert "first ran" in json.dumps(json.loads(only.stdout))


def test_import_then_export_gives_the_same_bytes(home: Path, tmp_path: Path) -> None:
    source = REFERENCE / "srcbook.src.md"
    imported = peragus(home, "import", str(source), "--output", "json")
    assert imported.returncode == 0, imported.stderr
    name = json.loads(imported.stdout)["name"]
    out = tmp_path / "out.src.md"
    assert peragus(home, "export", name, "-o", str(out)).returncode == 0
    assert out.read_bytes() == source.read_bytes()
    listed = json.loads(peragus(home, "list", "--output", "json").stdout)
    assert [n["name"] for n in listed] == [name]


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (["run", "no-such-notebook"], 3, "PERAGUS_NOTEBOOK_NOT_FOUND"),
        (["export", "no-such-notebook"], 3, "PERAGUS_NOTEBOOK_NOT_FOUND"),
        (["import", "missing.src.md"], 3, "does not exist"),
        (["new", "T", "--language", "cobol"], 2, "cobol"),
    ],
    ids=["run-unknown", "export-unknown", "import-missing", "bad-language"],
)
def test_bad_input_is_a_clear_error(home: Path, args: list[str], code: int, says: str) -> None:
    done = peragus(home, *args)
    assert done.returncode == code, done.stderr
    assert says in " ".join(done.stderr.replace("│", " ").split())
    assert "Traceback" not in done.stderr


def test_a_file_that_is_not_utf8_names_its_line(home: Path, tmp_path: Path) -> None:
    path = tmp_path / "latin1.src.md"
    path.write_bytes(NOTEBOOK.replace("first ran", "premi\xe8re").encode("latin-1"))
    for command in ("run", "import"):
        done = peragus(home, command, str(path))
        assert done.returncode == 2
        message = " ".join(done.stderr.replace("│", " ").split())
        assert "latin1.src.md:16: this is not UTF-8 text" in message
        assert "Traceback" not in done.stderr
    assert not (home / "notebooks").exists() or not any((home / "notebooks").iterdir())


def test_an_unknown_cell_lists_the_cells(home: Path, tmp_path: Path) -> None:
    path = tmp_path / "steps.src.md"
    path.write_text(NOTEBOOK)
    done = peragus(home, "run", str(path), "--cell", "frist.mjs")
    assert done.returncode == 3
    assert "first.mjs, broken.mjs, never.mjs" in done.stderr
