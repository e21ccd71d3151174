"""`prism templates test NAME`, stage by stage.

Every template gets the static checks (validation, ``bash -n``, shellcheck when installed).
An apt template is then run for real: its rendered setup script in a throwaway Debian system
(see :mod:`.container`), checked (packages, users and groups, units, post_install), booted
with systemd to see its enabled units come up, and run twice more: once with its stage markers
cleared, which must change nothing, and once as it is, which must skip every stage. Templates of
other families (dnf, conda, spack, an image of their own) get the static checks and are told
the live test is not available for them here.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from groundwork.errors import ExitCode, ToolError
from groundwork.paths import private_dir
from prism.templates.catalog import Catalog, Resolved
from prism.templates.model import Template
from prism.templates.testing import checks as scripts
from prism.templates.testing.container import (
    SUITE,
    Container,
    _locked,
    cache_root,
    debian_root,
    require_tools,
)
from prism.templates.testing.results import TemplateTest, TestCheck, TestStage
from prism.templates.userdata import os_family

__all__ = ["family_of", "run_template_test"]

Report = Callable[[str], None]
_LOG_TAIL = 40
_LOCAL_AUTHORITIES = "/usr/local/share/ca-certificates"


def family_of(template: Template) -> str:
    manager = template.package_manager or ""
    if manager in ("conda", "spack") or template.packages.conda or template.packages.spack:
        return "conda" if manager == "conda" or template.packages.conda else "spack"
    if manager == "ami":
        return "ami"
    return os_family(template.base)


class _Stages:
    def __init__(self, report: Report, logs: Path | None) -> None:
        self.report = report
        self.logs = logs
        self.stages: list[TestStage] = []
        self.checks: list[TestCheck] = []

    @contextlib.contextmanager
    def stage(self, name: str, log_name: str | None = None) -> Iterator[dict[str, str]]:
        self.report(f"{name}: running")
        started = time.monotonic()
        outcome: dict[str, str] = {"result": "passed", "detail": ""}
        log_file = self.logs / log_name if self.logs and log_name else None
        try:
            yield outcome
        except ToolError as exc:
            outcome.update(result="failed", detail=exc.message)
        seconds = round(time.monotonic() - started, 1)
        failed = outcome["result"] == "failed"
        tail = scripts.read(log_file).splitlines()[-_LOG_TAIL:] if failed and log_file else []
        self.stages.append(
            TestStage(
                name=name,
                result=outcome["result"],
                seconds=seconds,
                detail=outcome["detail"],
                log=tail,
                log_file=str(log_file) if log_file else None,
            )
        )
        self.report(f"{name}: {outcome['result']} in {seconds:.1f}s")

    @property
    def failed(self) -> bool:
        return any(s.result == "failed" for s in self.stages)


def _static(resolved: Resolved, catalog: Catalog, stages: _Stages, work: Path) -> None:
    with stages.stage("static") as outcome:
        report = catalog.validate_one(resolved.file)
        stages.checks.append(
            TestCheck(
                kind="validation",
                name=resolved.template.key,
                ok=report.ok,
                detail=str(report.errors[0]) if report.errors else "valid",
            )
        )
        script = work / "setup.sh"
        script.write_text(resolved.user_data(), encoding="utf-8")
        syntax = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
        stages.checks.append(
            TestCheck(kind="bash", name="bash -n", ok=syntax.returncode == 0, detail=syntax.stderr)
        )
        shellcheck = shutil.which("shellcheck")
        if shellcheck is None:
            outcome["detail"] = "shellcheck is not installed (apt-get install shellcheck): not run"
        else:
            done = subprocess.run(
                [shellcheck, "--severity=warning", str(script)], capture_output=True, text=True
            )
            stages.checks.append(
                TestCheck(
                    kind="shellcheck",
                    name="shellcheck --severity=warning",
                    ok=done.returncode == 0,
                    detail=done.stdout[-2000:],
                )
            )
        if not all(c.ok for c in stages.checks):
            outcome.update(result="failed", detail="a static check failed")


def _require_root() -> None:
    if os.geteuid() != 0:
        raise ToolError(
            "PRISM_TEST_NEEDS_ROOT",
            "Testing a template for real runs its setup script in a container, which needs root.",
            suggestions=[
                "Run it as root: sudo prism templates test NAME",
                "Or check it without running it: prism templates validate",
            ],
            exit_code=ExitCode.PERMISSION,
        )


def _live(template: Template, script: str, stages: _Stages, logs: Path) -> None:
    root_log = logs / "root.log"
    with stages.stage("root", "root.log") as outcome:
        lower, built = debian_root(root_log)
        outcome["detail"] = f"Debian {SUITE} ({'built with debootstrap' if built else 'cached'})"
    if stages.failed:
        return
    container = Container.create(lower)
    try:
        _in_container(container, template, script, stages, logs)
    finally:
        container.remove()


def _trust_local_authorities(container: Container, log: Path) -> None:
    """The certificate authorities this machine added (a TLS-inspecting proxy's, a company's)
    go where Debian's ca-certificates adds them, so downloads a setup script makes over HTTPS
    (pip, npm, curl) work in the container as they do here.
    """
    authorities = sorted(Path(_LOCAL_AUTHORITIES).glob("*.crt"))
    for crt in authorities:
        container.put(f"{_LOCAL_AUTHORITIES}/{crt.name}", crt.read_text(encoding="utf-8"))
    if authorities and (container.lower / "usr/sbin/update-ca-certificates").exists():
        container.run(["/usr/sbin/update-ca-certificates"], log)


def _in_container(
    container: Container, template: Template, script: str, stages: _Stages, logs: Path
) -> None:
    apt_lock = cache_root() / "apt-archives.lock"
    _trust_local_authorities(container, logs / "root.log")
    container.put("/root/prism-setup.sh", script, 0o700)
    with stages.stage("setup", "setup.log") as outcome, _locked(apt_lock):
        code = container.run(["/bin/bash", "/root/prism-setup.sh"], logs / "setup.log")
        if code != 0:
            outcome.update(result="failed", detail=f"the setup script exited {code}")
    if stages.failed:
        return
    container.put("/root/prism-checks.sh", scripts.state_checks_script(template), 0o700)
    with stages.stage("checks", "checks.log") as outcome:
        container.run(["/bin/bash", "/root/prism-checks.sh"], logs / "checks.log")
        found = scripts.parse_checks(scripts.read(logs / "checks.log"))
        stages.checks += found
        bad = [c for c in found if not c.ok]
        outcome["detail"] = f"{len(found) - len(bad)} of {len(found)} checks passed"
        if bad:
            outcome["result"] = "failed"
    _boot(container, template, stages, logs)
    _idempotence(container, stages, logs, apt_lock)


def _boot(container: Container, template: Template, stages: _Stages, logs: Path) -> None:
    container.put("/root/prism-boot-check.sh", scripts.boot_check_script(template), 0o700)
    container.put("/etc/systemd/system/prism-test-check.service", scripts.boot_unit())
    wants = container.upper / "etc/systemd/system/multi-user.target.wants"
    wants.mkdir(parents=True, exist_ok=True)
    link = wants / "prism-test-check.service"
    link.unlink(missing_ok=True)
    link.symlink_to("/etc/systemd/system/prism-test-check.service")
    with stages.stage("boot", "boot.log") as outcome:
        code = container.run([], logs / "boot.log", boot=True, timeout=600)
        results = container.upper / scripts.BOOT_RESULTS.lstrip("/")
        found = scripts.parse_checks(scripts.read(results))
        stages.checks += found
        if not results.exists():
            outcome.update(result="failed", detail=f"systemd did not run the checks (exit {code})")
        elif any(not c.ok for c in found):
            outcome.update(result="failed", detail="a unit did not come up, or its port is shut")
        else:
            units = sum(1 for c in found if c.kind == "unit-active")
            ports = sum(1 for c in found if c.kind == "port-open")
            outcome["detail"] = (
                f"booted with systemd; {units} enabled units active, {ports} ports answering"
            )
    link.unlink(missing_ok=True)


def _idempotence(container: Container, stages: _Stages, logs: Path, apt_lock: Path) -> None:
    body = "\n".join(
        [
            "#!/bin/bash",
            scripts.snapshot_script("/root/prism-state-before.txt"),
            "rm -f /var/lib/prism/setup/*.done",
            "bash /root/prism-setup.sh > /root/prism-second-run.log 2>&1;"
            " echo $? > /root/prism-second-run.exit",
            scripts.snapshot_script("/root/prism-state-after.txt"),
            "bash /root/prism-setup.sh > /root/prism-third-run.log 2>&1",
            "",
        ]
    )
    container.put("/root/prism-idempotence.sh", body, 0o700)
    with stages.stage("idempotence", "idempotence.log") as outcome, _locked(apt_lock):
        container.run(["/bin/bash", "/root/prism-idempotence.sh"], logs / "idempotence.log")
        root = container.upper / "root"
        for name in ("prism-second-run.log", "prism-third-run.log"):
            with (logs / "idempotence.log").open("a", encoding="utf-8") as out:
                out.write(f"--- {name}\n{scripts.read(root / name)}")
        exit_code = scripts.read(root / "prism-second-run.exit").strip()
        before = scripts.read(root / "prism-state-before.txt").splitlines()
        after = scripts.read(root / "prism-state-after.txt").splitlines()
        changed = sorted(set(before) ^ set(after))
        third = scripts.read(root / "prism-third-run.log")
        ran_again = [line for line in third.splitlines() if ":START " in line]
        checks = [
            TestCheck(
                kind="idempotence",
                name="second run, stage markers cleared",
                ok=exit_code == "0" and bool(before) and not changed,
                detail=f"exit {exit_code or '?'}; "
                + ("nothing changed" if not changed else "changed: " + "; ".join(changed[:10])),
            ),
            TestCheck(
                kind="idempotence",
                name="third run, stage markers kept",
                ok="STAGE:complete:COMPLETE" in third and not ran_again,
                detail="every stage skipped" if not ran_again else "; ".join(ran_again),
            ),
        ]
        stages.checks += checks
        if exit_code != "0":
            outcome.update(result="failed", detail=f"the second run exited {exit_code or '?'}")
        elif not all(c.ok for c in checks):
            outcome.update(result="failed", detail="a second run changed the system")
        else:
            outcome["detail"] = "a second run changed nothing; a third skipped every stage"


def run_template_test(
    resolved: Resolved, catalog: Catalog, home: Path, report: Report
) -> TemplateTest:
    started = time.monotonic()
    template = resolved.template
    family = family_of(template)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    logs = home / "template-tests" / f"{template.key}-{stamp}"
    private_dir(logs)
    stages = _Stages(report, logs)
    _static(resolved, catalog, stages, logs)
    live = family == "apt"
    environment = f"static checks only: the live test is not available for {family} templates here"
    if live and not stages.failed:
        _require_root()
        require_tools()
        environment = f"Debian {SUITE} (debootstrap), systemd-nspawn, booted with systemd"
        if template.containers:
            environment += (
                "; containers: Docker and their units checked, not started (Docker's daemon"
                " does not run inside systemd-nspawn)"
            )
        _live(template, resolved.user_data(), stages, logs)
    return TemplateTest(
        template=template.key,
        family=family,
        live=live and stages.stages[0].result != "failed",
        environment=environment,
        stages=stages.stages,
        checks=stages.checks,
        seconds=round(time.monotonic() - started, 1),
        log_folder=str(logs),
    )
