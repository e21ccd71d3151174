"""Where the secrets key lives, apart from the database it protects, and rotating it.

The key is in the OS keyring when there is one (groundwork's SecretBox decides); else in a 0600
file in the config folder, never the data folder that holds `peragus.db`: a copy or backup of the
data folder then carries ciphertext without the key that opens it.

- `PERAGUS_CONFIG_HOME` names the config folder outright.
- With `PERAGUS_HOME` set (a throwaway or per-project peragus), the config folder is
  `<PERAGUS_HOME>/config`: still apart from the database's folder, and everything of that
  peragus stays under the one folder the user chose, so two of them never share a key.
- Otherwise the platform's config folder (`~/.config/peragus` on Linux), while the database is in
  the platform's data folder (`~/.local/share/peragus`); where the two are one folder (macOS),
  `config/` inside it.

A key left beside the database by an earlier release moves on first use (copied, checked, then
removed: a crash in between leaves two equal keys, and the next start removes the old one).
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from groundwork.errors import ExitCode, ToolError
from groundwork.paths import private_dir
from groundwork.state.atomic import atomic_write

__all__ = ["CONFIG_ENV", "KEY_NAME", "config_dir", "move_old_key"]

CONFIG_ENV = "PERAGUS_CONFIG_HOME"
KEY_NAME = "secrets.key"
_MARKER = f"{KEY_NAME}.in-keyring"  # groundwork's: "the key is in the keyring"


def config_dir(home: Path) -> Path:
    override = os.environ.get(CONFIG_ENV, "").strip()
    if override:
        return Path(override).expanduser().resolve()
    default_home = platformdirs.user_data_path("peragus", appauthor=False)
    if home.resolve() != default_home.resolve():
        return home / "config"
    config = platformdirs.user_config_path("peragus", appauthor=False)
    return config if config.resolve() != home.resolve() else home / "config"


def move_old_key(home: Path, key_file: Path) -> bool:
    """Moves a key (or the keyring marker) from beside the database; True when one moved."""
    moved = False
    for name in (KEY_NAME, _MARKER):
        old, new = home / name, key_file.with_name(name)
        if not old.exists() or old == new:
            continue
        data = old.read_bytes()
        if new.exists():
            if new.read_bytes() != data:
                raise ToolError(
                    "PERAGUS_SECRETS_KEY_CONFLICT",
                    f"There are two different secrets keys: {old} (beside the database, from an"
                    f" earlier peragus) and {new}.",
                    suggestions=[
                        f"Keep the one your secrets were encrypted with and remove the other;"
                        f" if unsure, move {new} aside and start peragus again (it then moves"
                        f" {old} into place).",
                    ],
                    exit_code=ExitCode.CONFLICT,
                )
        else:
            private_dir(new.parent)
            atomic_write(new, data, private=True)
            moved = True
        old.unlink()
    return moved
