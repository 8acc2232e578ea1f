"""A progress bar for management commands that work through many records."""

import sys


class ProgressBar:
    """A one-line progress bar on a terminal; on anything else, a line every tenth."""

    WIDTH = 30

    def __init__(self, out, label: str) -> None:
        self.out, self.label = out, label
        self.tty = hasattr(sys.stdout, "isatty") and sys.stdout.isatty()
        self.last_tenth = -1

    def __call__(self, done: int, total: int) -> None:
        share = done / total if total else 1
        filled = int(share * self.WIDTH)
        line = f"{self.label}: [{'#' * filled}{'.' * (self.WIDTH - filled)}] {done:,}/{total:,} ({share:.0%})"
        if self.tty:
            self.out.write("\r" + line, ending="")
            self.out.flush()
        elif int(share * 10) != self.last_tenth:
            self.last_tenth = int(share * 10)
            self.out.write(line)

    def close(self) -> None:
        if self.tty:
            self.out.write("")
