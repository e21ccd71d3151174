"""Finding phoenix-otelcol (or the user's own collector) and asking it to check a config.

`make collector` builds phoenix-otelcol into `${XDG_CACHE_HOME:-~/.cache}/phoenix/otelcol/<hash>/`;
a user's own collector is named with `--collector PATH` or `PHOENIX_OTELCOL`. A collector built
with other components may refuse a config that names ours: `validate` says which.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from groundwork.errors import ExitCode, ToolError

__all__ = ["ENV_VAR", "collector_check", "find_collector"]

ENV_VAR = "PHOENIX_OTELCOL"
BINARY = "phoenix-otelcol"


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "phoenix" / "otelcol"


def find_collector(explicit: Path | None = None) -> Path:
    """The collector to run: --collector, then $PHOENIX_OTELCOL, PATH, the newest cached build."""
    candidates: list[Path] = []
    if explicit is not None:
        candidates.append(explicit)
    elif os.environ.get(ENV_VAR):
        candidates.append(Path(os.environ[ENV_VAR]))
    else:
        on_path = shutil.which(BINARY)
        if on_path:
            candidates.append(Path(on_path))
        built = sorted(
            _cache_dir().glob(f"*/{BINARY}"), key=lambda p: p.stat().st_mtime, reverse=True
        )
        candidates += built
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    named = f" ({candidates[0]} is not an executable file)" if candidates else ""
    raise ToolError(
        "PHOENIX_COLLECTOR_NOT_FOUND",
        f"No OpenTelemetry Collector to run{named}.",
        suggestions=[
            "Build phoenix's own: make collector (needs Go; the binary goes to"
            f" {_cache_dir()}/<hash>/{BINARY})",
            f"Or name yours: --collector PATH, or set {ENV_VAR}",
        ],
        exit_code=ExitCode.UNAVAILABLE,
    )


def collector_check(binary: Path, config_text: str) -> tuple[bool, str]:
    """(valid, what the collector said) for one config, checked without running it."""
    with tempfile.TemporaryDirectory(prefix="phoenix-otelcol-") as folder:
        config = Path(folder) / "config.yaml"
        config.write_text(config_text, encoding="utf-8")
        try:
            done = subprocess.run(
                [str(binary), "validate", f"--config={config}"],
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return False, f"{binary} validate did not answer within 120 s"
        except OSError as exc:
            return False, f"{binary} could not be run: {exc}"
    said = (done.stderr + done.stdout).strip()
    return done.returncode == 0, said.replace(str(config), "config.yaml")
