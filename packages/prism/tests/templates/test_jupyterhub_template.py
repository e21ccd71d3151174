"""The bundled JupyterHub template: its hub is the template's own unit (not a single Jupyter
server of prism's), its URL logs the connecting user in with their own token, and the hub's
authenticator, run here on a real local account, lets in only who holds the token in a file
that is theirs and readable by them alone; each user's server opens on the project's space.

JupyterHub itself is not installed here: its ``Authenticator`` base class is stood in by a
plain class so the config's own code runs. Installing and booting the hub is the live test's
(`prism templates test jupyterhub-research`).
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from prism.templates.catalog import Catalog
from prism.templates.testing.checks import expected_ports, expected_units
from prism.workstations.templating import LaunchTemplate


def _hub_config() -> str:
    script = Catalog(None).resolve("jupyterhub-research").template.post_install or ""
    return script.split("<<'HUB_CONFIG'\n")[1].split("\nHUB_CONFIG\n")[0]


class _Config:
    """Attribute access that makes sections on the way, as traitlets' config object does."""

    def __getattr__(self, name: str) -> Any:
        value = _Config()
        object.__setattr__(self, name, value)
        return value


class _Handler:
    def __init__(self, **arguments: str) -> None:
        self.arguments = arguments

    def get_argument(self, name: str, default: str) -> str:
        return self.arguments.get(name, default)


@pytest.fixture
def hub() -> Iterator[Any]:
    """The config run as JupyterHub runs it: ``c`` given, jupyterhub.auth importable."""
    auth = types.ModuleType("jupyterhub.auth")
    auth.Authenticator = type("Authenticator", (), {})  # type: ignore[attr-defined]
    saved = {name: sys.modules.get(name) for name in ("jupyterhub", "jupyterhub.auth")}
    sys.modules["jupyterhub"] = types.ModuleType("jupyterhub")
    sys.modules["jupyterhub.auth"] = auth
    try:
        namespace: dict[str, Any] = {"c": _Config()}
        exec(compile(_hub_config(), "jupyterhub_config.py", "exec"), namespace)
        yield namespace
    finally:
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module


@pytest.fixture
def account() -> Iterator[tuple[str, Path]]:
    """A research user's account with its home on a project's space, as prism makes them."""
    if os.geteuid() != 0:
        pytest.fail("making a local account needs root: run this suite as root")
    name = f"hub{secrets.token_hex(4)}"
    root = Path(tempfile.mkdtemp(prefix="prism-hub-"))
    home = root / "shared" / "lab" / "users" / name
    subprocess.run(["useradd", "-M", "-d", str(home), "-s", "/bin/bash", name], check=True)
    try:
        home.mkdir(parents=True)
        shutil.chown(home, name, name)
        yield name, home
    finally:
        subprocess.run(["userdel", name], check=False)
        shutil.rmtree(root)


def _login(hub: Any, **arguments: str) -> str | None:
    authenticator = hub["PrismTokenAuthenticator"]()
    result: str | None = asyncio.run(authenticator.authenticate(_Handler(**arguments), None))
    return result


def test_the_hub_is_the_templates_own_unit_reached_with_the_users_token() -> None:
    resolved = Catalog(None).resolve("jupyterhub-research")
    assert expected_units(resolved.template) == {"jupyterhub": True}
    assert expected_ports(resolved.template) == {"jupyterhub": 8000}
    launch = LaunchTemplate(resolved)
    assert launch.service_urls == {
        "jupyterhub": "http://{local}/hub/login?next=%2Fhub%2F&prism_user={user}&prism_token={user_token}"
    }
    script = resolved.user_data()
    assert "prism-jupyterhub" not in script
    assert "  prism_enable jupyterhub" in script
    assert script.index("run_stage post_install") < script.index("run_stage system_services")


def test_only_the_holder_of_a_users_own_token_gets_in(hub: Any, account: tuple[str, Path]) -> None:
    name, home = account
    token = secrets.token_hex(24)
    assert _login(hub, prism_user=name, prism_token=token) is None  # no token made yet
    folder = home / ".prism"
    folder.mkdir(mode=0o700)
    path = folder / "jupyterhub-token"
    path.write_text(token)
    path.chmod(0o600)
    assert _login(hub, prism_user=name, prism_token=token) is None  # root's file, not theirs
    shutil.chown(path, name, name)
    assert _login(hub, prism_user=name, prism_token=token) == name
    assert _login(hub, prism_user=name, prism_token=token[:-1] + "x") is None
    assert _login(hub, prism_user=name, prism_token="") is None
    assert _login(hub, prism_user="root", prism_token=token) is None
    assert _login(hub, prism_user="nobody-here", prism_token=token) is None
    path.chmod(0o644)
    assert _login(hub, prism_user=name, prism_token=token) is None  # others could read it


def test_each_users_server_opens_on_the_projects_space(hub: Any, account: tuple[str, Path]) -> None:
    name, home = account
    spawner = types.SimpleNamespace(user=types.SimpleNamespace(name=name))
    # The hook reads the account's home as /shared/P/users/NAME: put the account there.
    subprocess.run(["usermod", "-d", f"/shared/lab/users/{name}", name], check=True)
    hub["open_on_the_space"](spawner)
    assert spawner.notebook_dir == "/shared/lab"
    assert spawner.default_url == f"/lab/tree/users/{name}"
    subprocess.run(["usermod", "-d", str(home), name], check=True)
    alone = types.SimpleNamespace(user=types.SimpleNamespace(name=name))
    hub["open_on_the_space"](alone)
    assert alone.notebook_dir == str(home)
    assert not hasattr(alone, "default_url")
    config = hub["c"]
    assert config.JupyterHub.bind_url == "http://127.0.0.1:8000"
    assert config.JupyterHub.authenticator_class is hub["PrismTokenAuthenticator"]
    assert config.Spawner.pre_spawn_hook is hub["open_on_the_space"]
