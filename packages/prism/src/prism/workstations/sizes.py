"""T-shirt sizes (XS..XL) as instance types, within the family a template asks for.

The original mapped sizes to t3.micro..t3.xlarge whatever the template; a GPU or memory template
then silently lost its GPU or memory. Here a size scales the template's own family, and
``--arch`` moves that family to its peer on the other architecture (m5 -> m7g, g4dn -> g5g), so a
memory template stays a memory template on Graviton.
"""

from __future__ import annotations

import re

from groundwork.errors import ExitCode, ToolError

__all__ = [
    "ARCHITECTURES",
    "SIZES",
    "family_architecture",
    "instance_type_for",
    "smaller_type",
    "type_for_architecture",
]

ARCHITECTURES = ("x86_64", "arm64")

SIZES = ("XS", "S", "M", "L", "XL")
_BURSTABLE = ("micro", "small", "medium", "large", "xlarge")
_GPU = ("xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge")
_GENERAL = ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge")
_GPU_FAMILIES = ("g4dn", "g5", "g6", "p3", "p4d", "g4ad", "g5g")
_G5G = ("xlarge", "2xlarge", "4xlarge", "8xlarge", "16xlarge")
"""g5g has no 12xlarge: XL is its 16xlarge (2 GPUs, as g4dn.12xlarge has 4)."""
_GRAVITON_PEER = {
    **dict.fromkeys(("t2", "t3", "t3a"), "t4g"),
    **dict.fromkeys(("m5", "m5a", "m6i", "m6a", "m7i", "m7a"), "m7g"),
    **dict.fromkeys(("c5", "c5a", "c6i", "c6a", "c7i", "c7a"), "c7g"),
    **dict.fromkeys(("r5", "r5a", "r6i", "r6a", "r7i", "r7a"), "r7g"),
    "g4dn": "g5g",
}
"""x86 family -> its Graviton peer: same purpose, the newest generation prism prices."""
_X86_PEER = {
    "t4g": "t3",
    **dict.fromkeys(("m6g", "m7g"), "m6i"),
    **dict.fromkeys(("c6g", "c7g"), "c6i"),
    **dict.fromkeys(("r6g", "r7g"), "r6i"),
    "g5g": "g4dn",
}
_GRAVITON_FAMILY = re.compile(r"[a-z]+[0-9]+g[a-z]*")


def _steps(family: str) -> tuple[str, ...]:
    if family == "g5g":
        return _G5G
    if family.startswith("t"):
        return _BURSTABLE
    if family in _GPU_FAMILIES:
        return _GPU
    return _GENERAL


def family_architecture(instance_type: str) -> str:
    """arm64 for a Graviton family (t4g, m7g, g5g, c7gn...), else x86_64; from the name alone,
    for planning: a launch asks EC2 (:func:`prism.cloud.instances.architecture_of`).
    """
    return "arm64" if _GRAVITON_FAMILY.fullmatch(instance_type.split(".")[0]) else "x86_64"


def type_for_architecture(instance_type: str, architecture: str) -> str:
    """The instance type's peer on ``architecture`` (itself when it is of that architecture
    already), at the same size step: r5.large -> r7g.large, g4dn.12xlarge -> g5g.16xlarge.
    """
    if architecture not in ARCHITECTURES:
        raise ToolError(
            "PRISM_ARCH_INVALID",
            f"{architecture!r} is not an architecture prism launches.",
            suggestions=[f"Use one of {', '.join(ARCHITECTURES)}."],
            exit_code=ExitCode.USAGE,
        )
    if family_architecture(instance_type) == architecture:
        return instance_type
    family, _, step = instance_type.partition(".")
    peers = _GRAVITON_PEER if architecture == "arm64" else _X86_PEER
    peer = peers.get(family)
    if peer is None:
        other = "x86_64" if architecture == "arm64" else "arm64"
        sources: dict[str, list[str]] = {}
        for source, target in peers.items():
            sources.setdefault(target, []).append(source)
        known = ", ".join(f"{'/'.join(v)} -> {k}" for k, v in sources.items())
        raise ToolError(
            "PRISM_ARCH_NO_PEER",
            f"{instance_type} has no {architecture} counterpart: prism knows no {architecture}"
            f" instance family that does what {family} does (its GPU, memory or size).",
            suggestions=[
                f"Launch it on {other}: --arch {other} (or leave --arch out).",
                f"Or choose a template whose instance family has a peer ({known}).",
            ],
            context={"instance_type": instance_type, "architecture": architecture},
            exit_code=ExitCode.USAGE,
        )
    steps, peer_steps = _steps(family), _steps(peer)
    if step in steps and steps.index(step) < len(peer_steps):
        step = peer_steps[steps.index(step)]
    return f"{peer}.{step}"


def instance_type_for(
    size: str | None,
    default_type: str | None,
    minimum_size: str | None,
    architecture: str | None = None,
) -> tuple[str, str | None]:
    """(instance type, size) for a launch; no size means the template's default type, and no
    architecture the template's own type's.
    """
    instance_type, chosen = _within_family(size, default_type, minimum_size)
    if architecture is not None:
        instance_type = type_for_architecture(instance_type, architecture)
    return instance_type, chosen


def _within_family(
    size: str | None, default_type: str | None, minimum_size: str | None
) -> tuple[str, str | None]:
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
