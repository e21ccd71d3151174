"""The native processors, each turning one batch into another.

They work a column at a time (list comprehensions over whole columns), which is what keeps a
pipeline fast in plain Python. None of them protects critical processes: the engine does, after
each one, so a new processor cannot forget to.
"""

from __future__ import annotations

import heapq
import re
import zlib
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field

from phoenix.collector.model import ROLLUP_PID, ProcessBatch, new_row
from phoenix.pipelines import spec

MB = 1024 * 1024


@dataclass
class RunContext:
    """What a processor may need beyond the batch: the rows dropped so far (for the rollup)."""

    left_out: ProcessBatch
    next_synthetic_id: int = -1
    notes: list[str] = field(default_factory=list)

    def synthetic_id(self) -> int:
        value = self.next_synthetic_id
        self.next_synthetic_id -= 1
        return value


def name_matcher(match: spec.NameMatch) -> Callable[[str], bool]:
    names = frozenset(match.names)
    pattern = re.compile("|".join(f"(?:{p})" for p in match.patterns)) if match.patterns else None
    if pattern is None:
        return names.__contains__
    fullmatch = pattern.fullmatch
    return lambda name: name in names or fullmatch(name) is not None


class Processor(ABC):
    """A step of a pipeline. `consumes_left_out` marks the rollup, which empties the pool.

    `apply` may change the batch it is given: the engine hands each step its own copy.
    """

    consumes_left_out = False

    @abstractmethod
    def apply(self, batch: ProcessBatch, context: RunContext) -> ProcessBatch: ...


class Priority(Processor):
    def __init__(self, config: spec.PriorityProcessor) -> None:
        self._rules = [
            (level, name_matcher(rule), rule)
            for level, rule in (
                ("critical", config.critical),
                ("high", config.high),
                ("medium", config.medium),
            )
        ]

    def apply(self, batch: ProcessBatch, context: RunContext) -> ProcessBatch:
        levels = ["low"] * len(batch)
        undecided = list(range(len(batch)))
        for level, by_name, rule in self._rules:
            cpu = rule.cpu_percent_above
            rss = rule.rss_mb_above * MB if rule.rss_mb_above is not None else None
            still = []
            for i in undecided:
                if (
                    by_name(batch.name[i])
                    or (cpu is not None and batch.cpu_percent[i] > cpu)
                    or (rss is not None and batch.rss[i] > rss)
                ):
                    levels[i] = level
                else:
                    still.append(i)
            undecided = still
        batch.priority = levels
        batch.critical = [
            c or level == "critical" for c, level in zip(batch.critical, levels, strict=True)
        ]
        return batch


def _condition_mask(condition: spec.Condition, batch: ProcessBatch) -> list[bool]:
    if condition.priority is not None:
        wanted = frozenset(condition.priority)
        return [p in wanted for p in batch.priority]
    if condition.attribute is not None:
        column = _attribute_column(condition.attribute, batch)
        if condition.equals is not None:
            expected = condition.equals
            return [str(v) == expected for v in column]
        if condition.in_ is not None:
            allowed = frozenset(condition.in_)
            return [str(v) in allowed for v in column]
        fullmatch = re.compile(condition.matches or "").fullmatch
        return [fullmatch(str(v)) is not None for v in column]
    values = _metric_column(condition.metric or "", batch)
    low = condition.above
    high = condition.below
    if low is not None and high is not None:
        return [low < v < high for v in values]
    if low is not None:
        return [v > low for v in values]
    return [v < (high or 0.0) for v in values]


def _attribute_column(attribute: str, batch: ProcessBatch) -> list[int] | list[str]:
    columns: dict[str, list[int] | list[str]] = {
        "process.pid": batch.pid,
        "process.parent_pid": batch.parent_pid,
        "process.executable.name": batch.name,
        "process.executable.path": batch.exe,
        "process.command_line": batch.cmdline,
        "process.owner": batch.owner,
    }
    return columns[attribute]


def _metric_column(metric: str, batch: ProcessBatch) -> list[float] | list[int]:
    if metric == "process.disk.io":
        return [r + w for r, w in zip(batch.read_bytes, batch.write_bytes, strict=True)]
    columns: dict[str, list[float] | list[int]] = {
        "process.cpu.utilization": batch.cpu_percent,
        "process.memory.usage": batch.rss,
        "process.memory.virtual": batch.vms,
        "process.threads": batch.threads,
        "process.open_file_descriptors": batch.fds,
    }
    return columns[metric]


class Filter(Processor):
    def __init__(self, config: spec.FilterProcessor) -> None:
        self._config = config

    def apply(self, batch: ProcessBatch, context: RunContext) -> ProcessBatch:
        masks = [_condition_mask(c, batch) for c in self._config.conditions]
        combine = any if self._config.match == "any" else all
        matched = [combine(row) for row in zip(*masks, strict=True)]
        keep = self._config.action == "keep"
        return batch.take([i for i, hit in enumerate(matched) if hit is keep])


def _busiest(batch: ProcessBatch, candidates: list[int], k: int) -> list[int]:
    """The k busiest rows by CPU, ties broken by memory."""
    cpu = batch.cpu_percent
    rss = batch.rss
    return heapq.nlargest(k, candidates, key=lambda i: (cpu[i], rss[i]))


class TopK(Processor):
    def __init__(self, config: spec.TopKProcessor) -> None:
        self._config = config
        self._always = name_matcher(config.always_keep)
        self._current: int | None = None
        self._pending: tuple[int, float] | None = None

    def k_for(self, load: float, now: float) -> int:
        adaptive = self._config.adaptive
        if adaptive is None:
            return self._config.k or 1
        target = adaptive.default_k
        for band in sorted(adaptive.bands, key=lambda b: b.load_above, reverse=True):
            if load > band.load_above:
                target = band.k
                break
        target = max(adaptive.min_k, min(adaptive.max_k, target))
        if self._current is None or target == self._current:
            self._current = target
            self._pending = None
        elif self._pending is None or self._pending[0] != target:
            self._pending = (target, now)
        if self._pending is not None and now - self._pending[1] >= adaptive.hysteresis_seconds:
            self._current = self._pending[0]
            self._pending = None
        return self._current

    def apply(self, batch: ProcessBatch, context: RunContext) -> ProcessBatch:
        k = self.k_for(batch.host_load, batch.timestamp)
        always = [i for i, name in enumerate(batch.name) if self._always(name)]
        pinned = set(always)
        rest = [i for i in range(len(batch)) if i not in pinned]
        return batch.take(sorted(always + _busiest(batch, rest, k)))


class AdaptiveThresholds(Processor):
    def __init__(self, config: spec.AdaptiveThresholdsProcessor) -> None:
        self._config = config
        self._scaling = sorted(config.scaling, key=lambda s: s.load_above, reverse=True)

    def factor(self, load: float) -> float:
        return next((s.factor for s in self._scaling if load > s.load_above), 1.0)

    def apply(self, batch: ProcessBatch, context: RunContext) -> ProcessBatch:
        factor = self.factor(batch.host_load)
        cpu_min = self._config.cpu_percent * factor
        rss_min = self._config.memory_mb * factor * MB
        born_before = batch.timestamp - self._config.min_age_seconds
        cpu, rss, born = batch.cpu_percent, batch.rss, batch.create_time
        kept = [
            i
            for i in range(len(batch))
            if (cpu[i] >= cpu_min or rss[i] >= rss_min) and born[i] <= born_before
        ]
        cap = self._config.max_processes
        if cap is not None and len(kept) > cap:
            kept = sorted(_busiest(batch, kept, cap))
        return batch.take(kept)


class Reservoir(Processor):
    """Bottom-k sampling by a hash of pid, executable and command line.

    Any `size` processes would be a fair sample; choosing them by hash keeps the same processes
    sampled from one scrape to the next, so their series stay continuous.
    """

    def __init__(self, config: spec.ReservoirProcessor) -> None:
        self._size = config.size
        self._from_left_out = config.from_left_out

    def _sample(self, batch: ProcessBatch) -> tuple[list[int], float]:
        """The chosen rows and how many processes each one stands for."""
        total = len(batch)
        if total <= self._size:
            return list(range(total)), 1.0
        keys = [
            zlib.crc32(f"{pid}|{exe}|{cmd}".encode())
            for pid, exe, cmd in zip(batch.pid, batch.exe, batch.cmdline, strict=True)
        ]
        chosen = sorted(heapq.nsmallest(self._size, range(total), key=keys.__getitem__))
        return chosen, total / self._size

    def apply(self, batch: ProcessBatch, context: RunContext) -> ProcessBatch:
        if self._from_left_out:
            pool = context.left_out
            chosen, rate = self._sample(pool)
            sample = pool.take(chosen)
            sample.sample_rate = [rate] * len(sample)
            picked = set(chosen)
            context.left_out = pool.take([i for i in range(len(pool)) if i not in picked])
            batch.extend(sample)
            return batch
        chosen, rate = self._sample(batch)
        if rate == 1.0:
            return batch
        out = batch.take(chosen)
        out.sample_rate = [rate] * len(out)
        return out


class Rollup(Processor):
    consumes_left_out = True

    def __init__(self, config: spec.RollupProcessor) -> None:
        self._categories = [(label, name_matcher(m)) for label, m in config.categories.items()]
        self._other = config.other

    def _label(self, name: str) -> str:
        return next((label for label, match in self._categories if match(name)), self._other)

    def apply(self, batch: ProcessBatch, context: RunContext) -> ProcessBatch:
        pool = context.left_out
        groups: dict[str, list[int]] = {}
        for i, name in enumerate(pool.name):
            groups.setdefault(self._label(name), []).append(i)
        for label, rows in groups.items():
            row = new_row(
                row_id=context.synthetic_id(),
                pid=ROLLUP_PID,
                parent_pid=ROLLUP_PID,
                name=label,
                cpu_user=sum(pool.cpu_user[i] for i in rows),
                cpu_system=sum(pool.cpu_system[i] for i in rows),
                cpu_wait=sum(pool.cpu_wait[i] for i in rows),
                cpu_percent=sum(pool.cpu_percent[i] for i in rows),
                rss=sum(pool.rss[i] for i in rows),
                vms=sum(pool.vms[i] for i in rows),
                read_bytes=sum(pool.read_bytes[i] for i in rows),
                write_bytes=sum(pool.write_bytes[i] for i in rows),
                threads=sum(pool.threads[i] for i in rows),
                fds=sum(pool.fds[i] for i in rows),
            )
            row["members"] = sum(pool.members[i] for i in rows)
            row["category"] = label
            row["priority"] = "low"
            batch.append_row(row)
        return batch


class AttributeDrop(Processor):
    def __init__(self, config: spec.AttributeDropProcessor) -> None:
        self._attributes = frozenset(config.attributes)

    def apply(self, batch: ProcessBatch, context: RunContext) -> ProcessBatch:
        batch.dropped_attributes = batch.dropped_attributes | self._attributes
        return batch


def build(config: spec.Processor) -> Processor:
    """The runtime processor for one entry of a pipeline file."""
    match config:
        case spec.PriorityProcessor():
            return Priority(config)
        case spec.FilterProcessor():
            return Filter(config)
        case spec.TopKProcessor():
            return TopK(config)
        case spec.AdaptiveThresholdsProcessor():
            return AdaptiveThresholds(config)
        case spec.ReservoirProcessor():
            return Reservoir(config)
        case spec.RollupProcessor():
            return Rollup(config)
        case spec.AttributeDropProcessor():
            return AttributeDrop(config)
