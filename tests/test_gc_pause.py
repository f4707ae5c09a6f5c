"""Pausing the cyclic garbage collector leaves it as it was, with nothing lost to it."""

from __future__ import annotations

import gc

from pine_select.gc_pause import paused_gc


def test_the_collector_restarts_with_the_new_objects_in_the_oldest_generation() -> None:
    assert gc.isenabled()
    gc.collect()  # no older generation about to be collected: the next collection is young
    with paused_gc():
        assert not gc.isenabled()
        made = [[n] for n in range(10_000)]  # tracked objects, in the youngest generation
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0  # none left exempt from full collections
    oldest = {id(o) for o in gc.get_objects(generation=2)}
    assert all(id(item) in oldest for item in made)  # no young collection will walk them


def test_objects_the_program_froze_stay_frozen() -> None:
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with paused_gc():
            made = [[n] for n in range(1000)]
        assert gc.get_freeze_count() == frozen
        assert len(made) == 1000
    finally:
        gc.unfreeze()


def test_a_disabled_collector_stays_disabled() -> None:
    gc.disable()
    try:
        with paused_gc():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
