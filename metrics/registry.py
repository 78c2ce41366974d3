"""Counters and histograms in memory, shared between processes through a folder.

Under gunicorn the web workers and the master (which runs the scheduler) are separate
processes, and a scrape of /metrics reaches only one of them. So, when a folder is given,
each process writes its own figures to `<folder>/<pid>.json` every few seconds and the
process that answers the scrape adds up every file. Files of workers that have exited are
kept, so counters never go backwards while the server runs; the folder is made afresh at
each start.
"""

from __future__ import annotations

import json
import math
import os
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
FLUSH_SECONDS = 2.0

LabelValues = tuple[str, ...]


@dataclass(frozen=True)
class Sample:
    """A figure computed at scrape time (for instance, a count read from the database)."""

    name: str
    kind: str
    help: str
    value: float


class Counter:
    """A count that only goes up, one per combination of label values."""

    kind = "counter"

    def __init__(self, registry: Registry, name: str, help: str, labels: Sequence[str]) -> None:
        self._registry = registry
        self.name = name
        self.help = help
        self.labels = tuple(labels)
        self.values: dict[LabelValues, float] = {}

    def inc(self, amount: float = 1.0, **labels: str) -> None:
        """Add to the count for these label values."""
        key = tuple(str(labels[name]) for name in self.labels)
        with self._registry.lock:
            self._registry.touch()
            self.values[key] = self.values.get(key, 0.0) + amount

    def reset(self) -> None:
        self.values = {}

    def dump(self) -> list[Any]:
        return [[list(key), value] for key, value in self.values.items()]

    def merge(self, into: dict[LabelValues, Any], dumped: list[Any]) -> None:
        for key, value in dumped:
            into[tuple(key)] = into.get(tuple(key), 0.0) + value

    def lines(self, merged: dict[LabelValues, Any]) -> list[str]:
        return [
            f"{self.name}{_labels(self.labels, key)} {_number(value)}"
            for key, value in sorted(merged.items())
        ]


class Histogram:
    """Observations counted into buckets, with their sum, per combination of label values."""

    kind = "histogram"

    def __init__(
        self,
        registry: Registry,
        name: str,
        help: str,
        labels: Sequence[str],
        buckets: Sequence[float] = DEFAULT_BUCKETS,
    ) -> None:
        self._registry = registry
        self.name = name
        self.help = help
        self.labels = tuple(labels)
        self.buckets = tuple(sorted(buckets))
        self.values: dict[LabelValues, list[float]] = {}

    def observe(self, value: float, **labels: str) -> None:
        """Record one observation (in seconds, for durations)."""
        key = tuple(str(labels[name]) for name in self.labels)
        with self._registry.lock:
            self._registry.touch()
            counts = self.values.setdefault(key, [0.0] * (len(self.buckets) + 2))
            for index, bound in enumerate(self.buckets):
                if value <= bound:
                    counts[index] += 1
            counts[-2] += value
            counts[-1] += 1

    def reset(self) -> None:
        self.values = {}

    def dump(self) -> list[Any]:
        return [[list(key), counts] for key, counts in self.values.items()]

    def merge(self, into: dict[LabelValues, Any], dumped: list[Any]) -> None:
        for key, counts in dumped:
            current = into.setdefault(tuple(key), [0.0] * len(counts))
            into[tuple(key)] = [a + b for a, b in zip(current, counts, strict=True)]

    def lines(self, merged: dict[LabelValues, Any]) -> list[str]:
        out = []
        for key, counts in sorted(merged.items()):
            for bound, count in zip(self.buckets, counts, strict=False):
                le = _labels((*self.labels, "le"), (*key, _number(bound)))
                out.append(f"{self.name}_bucket{le} {_number(count)}")
            inf = _labels((*self.labels, "le"), (*key, "+Inf"))
            out.append(f"{self.name}_bucket{inf} {_number(counts[-1])}")
            out.append(f"{self.name}_sum{_labels(self.labels, key)} {_number(counts[-2])}")
            out.append(f"{self.name}_count{_labels(self.labels, key)} {_number(counts[-1])}")
        return out


Metric = Counter | Histogram


class Registry:
    """Every metric of this process, and (optionally) the folder processes share."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self._metrics: dict[str, Metric] = {}
        self._folder: Path | None = None
        self._pid = os.getpid()
        self._flusher: threading.Thread | None = None
        self._dirty = False
        os.register_at_fork(after_in_child=self._after_fork)

    def _after_fork(self) -> None:
        """A child gets fresh locks: a thread of the parent may have held one at the fork."""
        self.lock = threading.RLock()
        self._adopt_process()

    def counter(self, name: str, help: str, *, labels: Sequence[str] = ()) -> Counter:
        """Define a counter."""
        metric = Counter(self, name, help, labels)
        self._metrics[name] = metric
        return metric

    def histogram(
        self,
        name: str,
        help: str,
        *,
        labels: Sequence[str] = (),
        buckets: Sequence[float] = DEFAULT_BUCKETS,
    ) -> Histogram:
        """Define a histogram."""
        metric = Histogram(self, name, help, labels, buckets)
        self._metrics[name] = metric
        return metric

    def share(self, folder: Path | None) -> None:
        """Write this process's figures to `folder` and read every process's from it."""
        with self.lock:
            self._folder = folder
            if folder is not None:
                folder.mkdir(parents=True, exist_ok=True)
                self._start_flusher()

    def touch(self) -> None:
        """Called under the lock before every change."""
        self._adopt_process()
        self._dirty = True

    def _adopt_process(self) -> None:
        """A forked child starts from zero: its parent goes on reporting what it had
        counted itself. Called under the lock."""
        if os.getpid() == self._pid:
            return
        self._pid = os.getpid()
        for metric in self._metrics.values():
            metric.reset()
        self._dirty = False
        self._flusher = None
        if self._folder is not None:
            self._start_flusher()

    def _start_flusher(self) -> None:
        if self._flusher is not None and self._flusher.is_alive():
            return
        self._flusher = threading.Thread(target=self._flush_forever, daemon=True)
        self._flusher.name = "metrics-flush"
        self._flusher.start()

    def _flush_forever(self) -> None:
        stop = threading.Event()
        pid = os.getpid()
        while not stop.wait(FLUSH_SECONDS):
            if os.getpid() != pid:
                return
            self.flush()

    def flush(self) -> None:
        """Write this process's figures to the shared folder, if there is one."""
        with self.lock:
            folder = self._folder
            self._adopt_process()
            if folder is None or not self._dirty:
                return
            snapshot = {name: metric.dump() for name, metric in self._metrics.items()}
            self._dirty = False
        path = folder / f"{os.getpid()}.json"
        temporary = path.with_suffix(".tmp")
        try:
            temporary.write_text(json.dumps(snapshot))
            os.replace(temporary, path)
        except OSError:
            with self.lock:
                self._dirty = True

    def _snapshots(self) -> Iterable[dict[str, Any]]:
        with self.lock:
            self._adopt_process()
            folder = self._folder
            own = {name: metric.dump() for name, metric in self._metrics.items()}
        if folder is None:
            yield own
            return
        self.flush()
        yield own
        mine = f"{os.getpid()}.json"
        for path in sorted(folder.glob("*.json")):
            if path.name == mine:
                continue
            try:
                yield json.loads(path.read_text())
            except (OSError, ValueError):
                continue

    def render(self, extra: Sequence[Sample] = ()) -> str:
        """Every metric, summed over processes, in Prometheus' text exposition format."""
        merged: dict[str, dict[LabelValues, Any]] = {name: {} for name in self._metrics}
        for snapshot in self._snapshots():
            for name, dumped in snapshot.items():
                metric = self._metrics.get(name)
                if metric is not None:
                    metric.merge(merged[name], dumped)
        lines: list[str] = []
        for sample in extra:
            lines += [f"# HELP {sample.name} {sample.help}", f"# TYPE {sample.name} {sample.kind}"]
            lines.append(f"{sample.name} {_number(sample.value)}")
        for name, metric in self._metrics.items():
            lines += [f"# HELP {name} {metric.help}", f"# TYPE {name} {metric.kind}"]
            lines += metric.lines(merged[name])
        return "\n".join(lines) + "\n"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _labels(names: Sequence[str], values: Sequence[str]) -> str:
    if not names:
        return ""
    pairs = ",".join(f'{n}="{_escape(v)}"' for n, v in zip(names, values, strict=True))
    return "{" + pairs + "}"


def _number(value: float) -> str:
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return str(int(value)) if float(value).is_integer() else repr(float(value))
