"""The SSH key prism logs in with: ed25519, generated on this machine, private half never sent."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from groundwork.paths import private_dir
from groundwork.state import atomic_write
from prism.cloud.errors import aws_call

__all__ = ["ensure_key_pair", "local_key"]

_MAKING = threading.Lock()
"""Launches run at once in prismd (a team's members): one makes and imports the key, the others
then find it, rather than each writing a key of its own over the file."""


def local_key(folder: Path, name: str) -> tuple[Path, bytes]:
    """The private key file (0600) and the OpenSSH public key, created on first use."""
    private_path = folder / name
    public_path = folder / f"{name}.pub"
    if not private_path.exists():
        key = Ed25519PrivateKey.generate()
        private = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.OpenSSH,
            serialization.NoEncryption(),
        )
        public = key.public_key().public_bytes(
            serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
        )
        private_dir(folder)
        atomic_write(private_path, private, private=True)
        atomic_write(public_path, public + b" prism\n")
    return private_path, public_path.read_bytes().strip()


def ensure_key_pair(ec2: Any, folder: Path, name: str) -> tuple[str, Path]:
    """Import the local public key into EC2 under ``name`` unless it is there already."""
    with _MAKING:
        private_path, public = local_key(folder, name)
        known = aws_call(
            "DescribeKeyPairs",
            ec2.describe_key_pairs,
            Filters=[{"Name": "key-name", "Values": [name]}],
        )["KeyPairs"]
        if not known:
            aws_call("ImportKeyPair", ec2.import_key_pair, KeyName=name, PublicKeyMaterial=public)
    return name, private_path
