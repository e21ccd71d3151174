"""T-shirt sizes (XS..XL) as instance types, within the family a template asks for.

The original mapped sizes to t3.micro..t3.xlarge whatever the template; a GPU or memory template
then silently lost its GPU or memory. Here a size scales the template's own family.
"""

from __future__ import annotations

from groundwork.errors import ExitCode, ToolError

__all__ = ["SIZES", "instance_type_for", "smaller_type"]

SIZES = ("XS", "S", "M", "L", "XL")
_BURSTABLE = ("micro", "small", "medium", "large", "xlarge")
_GPU = ("xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge")
_GENERAL = ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge")
_GPU_FAMILIES = ("g4dn", "g5", "g6", "p3", "p4d", "g4ad", "g5g")


def _steps(family: str) -> tuple[str, ...]:
    if family.startswith("t"):
        return _BURSTABLE
    if family in _GPU_FAMILIES:
        return _GPU
    return _GENERAL


def instance_type_for(
    size: str | None, default_type: str | None, minimum_size: str | None
) -> tuple[str, str | None]:
    """(instance type, size) for a launch; no size means the template's default type."""
    minimum = (minimum_size or "XS").upper()
    if minimum not in SIZES:
        minimum = "XS"
    if size is None:
        if default_type:
            return default_type, None
        size = minimum if SIZES.index(minimum) > SIZES.index("M") else "M"
    wanted = size.upper()
    if wanted not in SIZES:
        raise ToolError(
            "PRISM_SIZE_INVALID",
            f"{size!r} is not a size.",
            suggestions=[f"Use one of {', '.join(SIZES)}."],
            exit_code=ExitCode.USAGE,
        )
    if SIZES.index(wanted) < SIZES.index(minimum):
        raise ToolError(
            "PRISM_SIZE_TOO_SMALL",
            f"This template needs at least size {minimum}; {wanted} is too small to run it.",
            suggestions=[f"Use --size {minimum} or larger."],
            context={"minimum_size": minimum},
            exit_code=ExitCode.USAGE,
        )
    family = (default_type or "t3.medium").split(".")[0]
    return f"{family}.{_steps(family)[SIZES.index(wanted)]}", wanted


def smaller_type(instance_type: str) -> str | None:
    """The next size down in the same family, or None at the smallest prism scales to."""
    family, _, size = instance_type.partition(".")
    steps = _steps(family)
    if size not in steps or steps.index(size) == 0:
        return None
    return f"{family}.{steps[steps.index(size) - 1]}"
