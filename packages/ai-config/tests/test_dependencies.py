"""ai-config installs without a web server: groundwork's service extra is not one of its needs."""

from __future__ import annotations

import subprocess
import sys

WEB = ("fastapi", "uvicorn", "httpx", "starlette", "groundwork.service")


def test_no_module_of_ai_config_imports_the_web_stack() -> None:
    probe = (
        "import importlib, pkgutil, sys, ai_config\n"
        "for m in pkgutil.walk_packages(ai_config.__path__, 'ai_config.'):\n"
        "    if m.name != 'ai_config.__main__':\n"
        "        importlib.import_module(m.name)\n"
        f"print(sorted(n for n in sys.modules if n.startswith({WEB!r})))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
