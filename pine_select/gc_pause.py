"""Pause Python's cyclic garbage collector while a large call is built or scored.

Loading a large call creates millions of small objects, none of them in reference cycles.
The collector still runs every 700 allocations and, each time the old generation fills,
walks every object built so far: a large share of the time of ``load_call`` and
``score_call`` (benchmarks/RESULTS.md). Reference counting still frees everything as usual
while the collector is paused. Loading uses it through loading/fast_path.py.
"""

from __future__ import annotations

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
