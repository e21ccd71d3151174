"""Closed sets of values that the CLI offers as choices and the API accepts.

Kept free of pydantic and boto3: typer reads them while it builds the command line, on every
start, so `--help` lists them and shell completion offers them.
"""

from enum import StrEnum

__all__ = [
    "Arch",
    "BudgetAction",
    "BudgetPeriod",
    "ConnectionType",
    "CostBy",
    "DiskType",
    "IdleAction",
    "Size",
]


class Size(StrEnum):
    """T-shirt sizes, scaled within the template's own instance family."""

    XS = "XS"
    S = "S"
    M = "M"
    L = "L"
    XL = "XL"


class Arch(StrEnum):
    """CPU architectures a workstation runs on: Intel/AMD, or AWS Graviton."""

    X86_64 = "x86_64"
    ARM64 = "arm64"


class DiskType(StrEnum):
    """EBS volume types prism creates."""

    GP3 = "gp3"
    GP2 = "gp2"
    IO2 = "io2"
    ST1 = "st1"
    SC1 = "sc1"


class ConnectionType(StrEnum):
    """The original's connection types; prism.templates.connection says what each means."""

    SSH = "ssh"
    WEB = "web"
    DCV = "dcv"
    DESKTOP = "desktop"
    BOTH = "both"
    ALL = "all"
    AUTO = "auto"


class IdleAction(StrEnum):
    """What an idle policy does once a workstation has been idle long enough."""

    HIBERNATE = "hibernate"
    STOP = "stop"


class BudgetPeriod(StrEnum):
    MONTHLY = "monthly"
    TOTAL = "total"


class BudgetBasis(StrEnum):
    """What a budget threshold is measured on: spend so far, or spend projected to the period's
    end at the current burn rate (an early warning, as AWS Budgets' forecasted alerts).
    """

    SPENT = "spent"
    FORECAST = "forecast"


class BudgetAction(StrEnum):
    """What happens when a project's spend crosses one of its budget's thresholds."""

    NOTIFY = "notify"
    HIBERNATE_ALL = "hibernate_all"
    STOP_ALL = "stop_all"
    PREVENT_LAUNCH = "prevent_launch"


class CostBy(StrEnum):
    """How `prism cost --by` groups its totals."""

    DAY = "day"
    WORKSTATION = "workstation"
    KIND = "kind"
