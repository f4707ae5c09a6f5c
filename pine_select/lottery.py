"""The seeded tie-break lottery (SPEC 3): the one source of chance in pine-select.

Each application draws a lottery number from SHA-256 of the call's ``tie_break_seed`` and
its id. The number depends on nothing else (not the machine, the Python version, the
order of files or PYTHONHASHSEED), so every run everywhere breaks ties the same way, and
an auditor can recompute any draw by hand::

    sha256(b"2019:PINE-2019-007").hexdigest()[:8]  ->  read as a hexadecimal number

A lower number wins a tie in the ranking. In the selection, among portfolios with the
same best total, the one with the highest sum of :func:`priority` values is chosen.
"""

from __future__ import annotations

import hashlib

PRIORITY_RANGE = 1 << 16


def lottery_number(seed: int, application_id: str) -> int:
    """The application's draw: a 32-bit number, lower wins a tie in the ranking."""
    digest = hashlib.sha256(f"{seed}:{application_id}".encode()).hexdigest()
    return int(digest[:8], 16)


def priority(seed: int, application_id: str) -> int:
    """A small positive weight for breaking portfolio ties (1 .. 2**16; higher preferred).

    Kept small so that a solver sums it exactly; derived from the same draw as the ranking,
    so the application that wins a ranking tie is also preferred in a portfolio tie.
    """
    return PRIORITY_RANGE - (lottery_number(seed, application_id) >> 16)
