"""Concise per-stack progress for terraform runs; the full output goes to a log file.

One line per stack and action: ``dev-network  apply  17/31 resources  0:42``, rewritten in place on
a terminal, printed once when it ends otherwise. The complete terraform output of each run is
kept in ``.goldenpath/logs/<stack>-<action>.log``; on failure the last lines are shown with the
log's path. ``--verbose`` streams terraform's own output instead.
"""

from __future__ import annotations

import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

LOG_DIR = Path(".goldenpath/logs")
_PLAN = re.compile(r"Plan: (\d+) to add, (\d+) to change, (\d+) to destroy")
_DONE = re.compile(r": (Creation|Modifications|Destruction) complete after ")
_NO_CHANGES = "No changes."


@dataclass
class StackProgress:
    """Follows one terraform run's output and reports resources done of total."""

    stack: str
    action: str
    out: TextIO = field(default_factory=lambda: sys.stdout)
    total: int | None = None
    done: int = 0
    started: float = field(default_factory=time.monotonic)

    @property
    def live(self) -> bool:
        return self.out.isatty()

    def feed(self, line: str) -> None:
        plan = _PLAN.search(line)
        if plan:
            self.total = sum(int(n) for n in plan.groups())
        elif _NO_CHANGES in line and self.total is None:
            self.total = 0
        elif _DONE.search(line):
            self.done += 1
            if self.live:
                self.out.write("\r" + self.status())
                self.out.flush()

    def status(self) -> str:
        elapsed = int(time.monotonic() - self.started)
        total = "?" if self.total is None else str(self.total)
        counted = f"{self.done}/{total} resources" if self.action in ("apply", "destroy") else ""
        return f"  {self.stack:<28} {self.action:<8} {counted:<18} {elapsed // 60}:{elapsed % 60:02d}"

    def finish(self, ok: bool, log: Path) -> None:
        mark = "done" if ok else f"FAILED (log: {log})"
        self.out.write(("\r" if self.live else "") + f"{self.status()}  {mark}\n")
        self.out.flush()


def log_path(log_dir: Path, stack: str, action: str) -> Path:
    log_dir.mkdir(parents=True, exist_ok=True)
    return log_dir / f"{stack}-{action}.log"


def tail(log: Path, lines: int = 25) -> str:
    text = log.read_text(errors="replace").splitlines()
    return "\n".join(text[-lines:])
