"""The console entry point: signals are set up before anything else is imported.

SIGTERM (a service manager, `kill`, a container stopping) is handled as
Ctrl-C is: the command stops where it is, removes what it half wrote, and exits
143 without a traceback. Worker processes leave both signals to their parent,
which stops them.
"""

from __future__ import annotations

import os
import signal
import sys
from types import FrameType


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived: stop as Ctrl-C stops (every `except KeyboardInterrupt` applies)."""


_SIGNALS: list[int] = []  # the stopping signals this process received: its state, not a build's


def _terminate(signum: int, _frame: FrameType | None) -> None:
    _SIGNALS.append(signum)
    raise Terminated


def interrupted_code() -> int:
    """130 for Ctrl-C, 143 for SIGTERM (128 + the signal's number, as shells say).
    Asked of the process, not of the exception: typer turns every KeyboardInterrupt
    into a plain exit 130, and watchfiles raises a KeyboardInterrupt of its own."""
    return 128 + (signal.SIGTERM if signal.SIGTERM in _SIGNALS else signal.SIGINT)


def quiet_worker() -> None:
    """A pool worker's start: Ctrl-C is its parent's to handle (no worker tracebacks),
    and SIGTERM, with which the parent stops it, simply ends it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def main() -> None:
    """`abstractbook`: an interrupt while the command line loads exits as any other."""
    signal.signal(signal.SIGTERM, _terminate)
    try:
        from .cli import main as run
    except KeyboardInterrupt:
        sys.stderr.write("interrupted; nothing was written.\n")
        sys.stderr.flush()
        os._exit(interrupted_code())
    run()
