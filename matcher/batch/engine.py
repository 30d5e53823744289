"""The engine interface of a batch run, and the values a run hands to its engine.

An engine turns the run's inputs into records; everything around it (reading inputs, skipping what a
resumed run has done, the output file, the summary) is the run's (:func:`matcher.batch.run.run_batch`).
Like an HTTP client's transport, there is one base and one implementation per module:

- :class:`~matcher.batch.local.LocalEngine` (``local``): a process pool of parse workers, the model in
  the driver;
- :class:`~matcher.batch.ray.RayEngine` (``ray``): Ray Data tasks parse, Ray actors match.

Contract of :meth:`Engine.run`: every input of ``todo`` gets exactly one record, handed to
:meth:`RunOutput.emit` (in any order, as soon as it is ready); the engine adds the seconds it spent
per stage to ``out.times``, and returns facts for the summary (threads, start-up seconds, ...).
:class:`StopRun` (raised by ``emit`` under the ``stop_after`` test hook) and ``KeyboardInterrupt``
propagate; the engine releases its workers on the way out.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from ..domain import MatchOptions
from ..settings import Settings
from .inputs import BatchInput
from .records import Writer


@dataclass
class BatchConfig:
    input: Path
    out: Path
    options: MatchOptions
    settings: Settings
    workers: int = 1
    engine: str = "local"
    ray_address: str | None = None
    match_actors: int = 1  # ray: actors holding the model and the index
    parse_cpus: float = 0.5  # ray: CPUs reserved per parse task
    resume: bool = False
    embed_batch: int = 64
    progress: bool | None = None
    stop_after: int | None = None  # test hook: stop (as if killed) after writing this many lines
    freeze_heap: bool = False  # local: freeze the loaded heap (matcher.heap; `jobmatch batch` sets it, tests do not)
    embed_split: bool | None = None  # local: embed each batch as two halves side by side (None: with 2+ cores)


@dataclass
class StageTimes:
    parse: float = 0.0  # worker-seconds spent parsing (summed over workers)
    parse_wait: float = 0.0  # driver wall time spent waiting for parsed resumes
    embed: float = 0.0
    search: float = 0.0  # filters, search and explanations
    write: float = 0.0

    def add(self, other: dict[str, float]) -> None:
        for k, v in other.items():
            setattr(self, k, getattr(self, k) + v)

    def as_dict(self) -> dict[str, float]:
        return {k: round(v, 3) for k, v in self.__dict__.items()}


class StopRun(Exception):
    """Raised by :meth:`RunOutput.emit` when the ``stop_after`` test hook is reached (as if the run were killed)."""


class RunOutput:
    """Where an engine puts its records: the run's :class:`Writer`, stage times and progress bar."""

    def __init__(self, writer: Writer, total: int, *, progress: bool | None = None, stop_after: int | None = None):
        from tqdm import tqdm

        self.writer = writer
        self.times = StageTimes()
        self.stop_after = stop_after
        self.bar = tqdm(total=total, unit="cand", desc="matching", smoothing=0.1, dynamic_ncols=True,
                        disable=(None if progress is None else not progress))

    def emit(self, record: dict[str, Any]) -> None:
        """Write one record (flushed), count it; raise :class:`StopRun` at the ``stop_after`` hook."""
        import time

        t0 = time.perf_counter()
        self.writer.write([record])
        self.times.write += time.perf_counter() - t0
        self.bar.update(1)
        if self.stop_after is not None and self.writer.written >= self.stop_after:
            raise StopRun()

    def close(self) -> None:
        self.bar.close()


class Engine(ABC):
    """Turns a run's inputs into records (see the module's contract)."""

    name: ClassVar[str]

    def __init__(self, cfg: BatchConfig) -> None:
        self.cfg = cfg

    @abstractmethod
    def run(self, todo: list[BatchInput], out: RunOutput) -> dict[str, Any]:
        """Emit one record per input of ``todo``; return facts for the run's summary."""
