"""What `prism templates test` answers with `--output json`."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, computed_field

__all__ = ["TemplateTest", "TemplateTestResult", "TestCheck", "TestStage"]


class TestStage(BaseModel):
    name: str
    result: Literal["passed", "failed", "skipped"]
    seconds: float
    detail: str
    log: list[str] = Field(default_factory=list, description="The log's end, when it failed.")
    log_file: str | None = None


class TestCheck(BaseModel):
    kind: str = Field(
        description="package, user, group, unit-enabled, unit-active, port-open, post_install,"
        " idempotence, validation, bash, shellcheck"
    )
    name: str
    ok: bool
    detail: str = ""


class TemplateTest(BaseModel):
    template: str
    family: str = Field(description="apt, dnf, conda, spack: how it installs software.")
    live: bool = Field(description="Whether the script ran for real (apt templates, as root).")
    environment: str
    stages: list[TestStage]
    checks: list[TestCheck]
    seconds: float
    log_folder: str | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def passed(self) -> bool:
        return all(s.result != "failed" for s in self.stages) and all(c.ok for c in self.checks)


class TemplateTestResult(BaseModel):
    test: TemplateTest
