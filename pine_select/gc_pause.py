"""Pause Python's cyclic garbage collector while a large call is built or scored.

Loading a large call creates millions of small objects, none of them in reference cycles.
The collector still runs every 700 allocations and, each time the old generation fills,
walks every object built so far: a large share of the time of ``load_call`` and
``score_call`` (benchmarks/RESULTS.md). Reference counting still frees everything as usual
while the collector is paused. Loading uses it through loading/fast_path.py, a decision
through pipeline.py; the command line spares the collections at exit
(:func:`uncollected_at_exit`).
"""

from __future__ import annotations

import atexit
import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    """Disable the cyclic collector for the block (or decorated function), then restore it."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            _to_oldest_generation()
            gc.enable()


def _to_oldest_generation() -> None:
    """Move every tracked object to the oldest generation, without examining any.

    The objects made while the collector was paused are all in the youngest generation:
    the first collection after it restarts would walk each of them, and walk them again as
    they age. ``freeze`` then ``unfreeze``
    moves them to the oldest generation in constant time; full collections still examine
    them as usual. Skipped if the program froze objects itself: ``unfreeze`` would undo it.
    """
    if gc.get_freeze_count() == 0:
        gc.freeze()
        gc.unfreeze()


_AT_EXIT: list[bool] = []


def uncollected_at_exit() -> None:
    """Spare the interpreter's last collections, at this process's exit, every object left.

    A command that loaded a large call ends holding millions of objects, and the
    interpreter's shutdown collects them (every one examined) before freeing them:
    about a seventh of the time of scoring a large call again from the parse cache. At
    exit they are frozen (``gc.freeze``), so no collection examines them; reference
    counting frees them as usual, and the exit's flushes and handlers run as usual. For
    the command line (cli.py), once per process; a library caller decides for itself.
    """
    if not _AT_EXIT:
        _AT_EXIT.append(True)
        atexit.register(gc.freeze)
