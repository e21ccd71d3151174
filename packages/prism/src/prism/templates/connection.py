"""What each ``connection_type`` of the original means here: the ports, the services a launch
adds, and the verbs that reach the workstation.

SSH always works (it is how prism administers a workstation and tunnels to it); a template's web
services (those with a port) are always reachable with ``prism web``. The type says which
interface comes first and whether a remote desktop server is installed:

| type | desktop server | first interface |
| --- | --- | --- |
| ssh | none | ``prism connect`` |
| web | none (needs a service with a port) | ``prism web`` |
| dcv | NICE DCV, port 8443, browser or DCV client | ``prism web NAME desktop`` |
| desktop | Xfce over TigerVNC with noVNC, port 6080, in the browser | ``prism web NAME desktop`` |
| both | SSH and web; NICE DCV too when the template installs a desktop | web, else SSH |
| all | NICE DCV, SSH and web | the desktop |
| auto | decided from the template: a desktop environment, else web services, else SSH | |
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from prism.choices import ConnectionType

if TYPE_CHECKING:
    from prism.templates.model import Template

__all__ = [
    "DESKTOP_SERVICE",
    "Access",
    "ConnectionType",
    "DesktopKind",
    "access_for",
    "declares_desktop",
]

DesktopKind = Literal["dcv", "vnc"]
DESKTOP_SERVICE = "desktop"
DESKTOP_PORTS: dict[str, int] = {"dcv": 8443, "vnc": 6080}
DESKTOP_URLS: dict[str, str] = {
    "dcv": "https://{local}/",
    "vnc": "http://{local}/vnc.html?autoconnect=true&resize=remote",
}
DESKTOP_NAMES: dict[str, str] = {
    "dcv": "NICE DCV (in the browser, or the DCV client pointed at the tunnel)",
    "vnc": "an Xfce desktop through noVNC in the browser",
}
_DESKTOP_SERVICES = {"gdm", "gdm3", "lightdm", "sddm", "xdm", "dcvserver", "xrdp"}
_DESKTOP_PACKAGES = ("ubuntu-desktop", "xfce4", "gnome-shell", "kde-plasma", "xubuntu", "mate")


@dataclass(frozen=True)
class Access:
    """How a workstation of a template is reached."""

    connection_type: ConnectionType
    desktop: DesktopKind | None
    web: bool
    primary: Literal["ssh", "web", "desktop"]

    @property
    def desktop_port(self) -> int | None:
        return DESKTOP_PORTS[self.desktop] if self.desktop else None

    @property
    def desktop_url(self) -> str | None:
        return DESKTOP_URLS[self.desktop] if self.desktop else None

    @property
    def desktop_name(self) -> str | None:
        return DESKTOP_NAMES[self.desktop] if self.desktop else None

    @property
    def verbs(self) -> list[str]:
        verbs = ["prism connect NAME"]
        if self.web:
            verbs.append("prism web NAME [SERVICE]")
        if self.desktop:
            verbs.append(f"prism web NAME {DESKTOP_SERVICE}")
        return verbs


def declares_desktop(template: Template) -> bool:
    """Whether the template installs or starts a desktop environment itself."""
    if any(s.name in _DESKTOP_SERVICES for s in template.services):
        return True
    return any(p.startswith(_DESKTOP_PACKAGES) for p in template.packages.system)


def access_for(template: Template) -> Access:
    kind = ConnectionType(template.connection_type or ConnectionType.AUTO)
    web = any(s.port for s in template.services)
    if kind is ConnectionType.SSH:
        return Access(kind, None, web, "ssh")
    if kind is ConnectionType.WEB:
        return Access(kind, None, web, "web")
    if kind is ConnectionType.DCV:
        return Access(kind, "dcv", web, "desktop")
    if kind is ConnectionType.DESKTOP:
        return Access(kind, "vnc", web, "desktop")
    if kind is ConnectionType.ALL:
        return Access(kind, "dcv", web, "desktop")
    desktop: DesktopKind | None = "dcv" if declares_desktop(template) else None
    if kind is ConnectionType.BOTH:
        return Access(kind, desktop, web, "web" if web else "ssh")
    return Access(kind, desktop, web, "desktop" if desktop else "web" if web else "ssh")
