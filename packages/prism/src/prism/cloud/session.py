"""boto3 clients for the active profile: the sandbox's loopback endpoint, or real AWS.

AWS profiles use boto3's own credential chain (``~/.aws``, SSO, environment), so whatever works
for the aws CLI works here; ``AWS_ENDPOINT_URL`` is honoured too, which is how the tests point an
"AWS" profile at moto.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError

from prism.cloud.errors import translate
from prism.profiles import Profile, ProfileKind
from prism.sandbox import Sandbox
from prism.sandbox.emulator import SANDBOX_CREDENTIALS

__all__ = ["CloudSession"]

# prism retries itself (with its own policy and messages); botocore's standard mode would retry
# under it and multiply the waits.
_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 1}, connect_timeout=10, read_timeout=60
)


@dataclass
class CloudSession:
    profile: Profile
    home: Path
    _clients: dict[str, Any] = field(default_factory=dict, init=False)
    _session: boto3.Session | None = field(default=None, init=False)
    endpoint_url: str | None = field(default=None, init=False)

    @property
    def region(self) -> str:
        return self.profile.region

    @property
    def simulated(self) -> bool:
        return self.profile.kind is ProfileKind.SANDBOX

    def client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = self._make(service)
        return self._clients[service]

    def _make(self, service: str) -> Any:
        if self.simulated:
            if self.endpoint_url is None:
                self.endpoint_url = Sandbox(self.home).ensure(self.region)
            return boto3.client(
                service,
                endpoint_url=self.endpoint_url,
                region_name=self.region,
                config=_CONFIG,
                **SANDBOX_CREDENTIALS,
            )
        try:
            if self._session is None:
                self._session = boto3.Session(
                    profile_name=self.profile.aws_profile, region_name=self.region
                )
            return self._session.client(service, config=_CONFIG)
        except BotoCoreError as exc:
            raise translate(exc, f"connect to {service}") from exc
