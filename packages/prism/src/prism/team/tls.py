"""prismd's TLS when it listens beyond loopback: the certificate given, or one generated once
for the listening address (kept in ``tls/`` in the state folder, the key 0600), and the
fingerprint members pin at join.
"""

from __future__ import annotations

import ipaddress
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

from groundwork.errors import ExitCode, ToolError
from groundwork.paths import private_dir
from groundwork.state import atomic_write_text
from prism.team.remote import fingerprint_of_pem

__all__ = ["TlsFiles", "certificate_of", "is_loopback", "prepare_tls"]

_FOLDER = "tls"
_CERT = "cert.pem"
_KEY = "key.pem"


class TlsFiles:
    def __init__(self, certificate: Path, key: Path) -> None:
        self.certificate = certificate
        self.key = key

    @property
    def fingerprint(self) -> str:
        return fingerprint_of_pem(self.certificate.read_text(encoding="ascii"))


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def certificate_of(home: Path) -> str | None:
    """The certificate the local prismd serves, for this machine's own CLI to pin."""
    try:
        return (home / _FOLDER / _CERT).read_text(encoding="ascii")
    except OSError:
        return None


def prepare_tls(home: Path, host: str, certificate: Path | None, key: Path | None) -> TlsFiles:
    """The given pair copied into the state folder, or the generated one for ``host`` (made
    again when it names another address).
    """
    folder = private_dir(home / _FOLDER)
    files = TlsFiles(folder / _CERT, folder / _KEY)
    if (certificate is None) != (key is None):
        raise ToolError(
            "PRISM_TLS_PAIR_INCOMPLETE",
            "A certificate needs its private key, and a key its certificate.",
            suggestions=["Give both: --tls-cert CERT.pem --tls-key KEY.pem, or neither."],
            exit_code=ExitCode.USAGE,
        )
    if certificate is not None and key is not None:
        for given in (certificate, key):
            if not given.is_file():
                raise ToolError(
                    "PRISM_TLS_FILE_MISSING",
                    f"{given} is not a file.",
                    suggestions=["Check the path, or leave both out to have one generated."],
                    exit_code=ExitCode.NOT_FOUND,
                )
        shutil.copyfile(certificate, files.certificate)
        atomic_write_text(files.key, key.read_text(encoding="ascii"), private=True)
        (folder / "generated-for").unlink(missing_ok=True)
        return files
    marker = folder / "generated-for"
    made_for = marker.read_text(encoding="utf-8").strip() if marker.exists() else None
    if made_for != host or not files.certificate.exists() or not files.key.exists():
        _generate(files, host)
        atomic_write_text(marker, host + "\n", private=True)
    return files


def _generate(files: TlsFiles, host: str) -> None:
    from cryptography import x509  # deferred: only a daemon listening beyond loopback
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"prismd {host}")])
    try:
        alt: x509.GeneralName = x509.IPAddress(ipaddress.ip_address(host))
    except ValueError:
        alt = x509.DNSName(host)
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=825))
        .add_extension(x509.SubjectAlternativeName([alt]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(key, hashes.SHA256())
    )
    pem_key = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    atomic_write_text(files.key, pem_key, private=True)
    files.certificate.write_text(
        certificate.public_bytes(serialization.Encoding.PEM).decode(), encoding="ascii"
    )
