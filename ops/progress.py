"""Progress of long work on stderr (tqdm is not a dependency): a line that rewrites itself on a terminal,
a line every few seconds otherwise (CI logs), and nothing when quiet."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    def __init__(
        self, label: str, total: int | None = None, *, quiet: bool = False, stream: TextIO | None = None
    ) -> None:
        self.label, self.total, self.quiet = label, total, quiet
        self.stream = stream or sys.stderr
        self.done = 0
        self.started = time.monotonic()
        self._last = 0.0
        self._tty = bool(getattr(self.stream, "isatty", lambda: False)())

    def advance(self, count: int = 1) -> None:
        self.done += count
        now = time.monotonic()
        if now - self._last >= (0.2 if self._tty else 5.0):
            self._last = now
            self._show(end="\r" if self._tty else "\n")

    def close(self) -> None:
        self._show(end="\n")

    @property
    def rate(self) -> float:
        elapsed = time.monotonic() - self.started
        return self.done / elapsed if elapsed > 0 else 0.0

    def _show(self, end: str) -> None:
        if self.quiet:
            return
        of = f"/{self.total}" if self.total is not None else ""
        percent = f" ({100 * self.done / self.total:.0f} %)" if self.total else ""
        self.stream.write(f"{self.label}: {self.done}{of}{percent}, {self.rate:.0f}/s{end}")
        self.stream.flush()
