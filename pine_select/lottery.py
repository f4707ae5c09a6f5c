"""The seeded tie-break lottery (SPEC 3): the one source of chance in pine-select.

Each application draws a lottery number from SHA-256 of the call's ``tie_break_seed`` and
its id. The number depends on nothing else (not the machine, the Python version, the
order of files or PYTHONHASHSEED), so every run everywhere breaks ties the same way, and
an auditor can recompute any draw by hand::

    sha256(b"2019:PINE-2019-007").hexdigest()[:8]  ->  read as a hexadecimal number

A lower number wins a tie in the ranking. The *lottery order* of a set of applications
sorts them by (lottery number, id): the id decides only if two 32-bit draws collide. In the
selection, among portfolios with the same best total, the one with the highest sum of
:func:`priorities` is chosen, and priorities follow the lottery order.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable


def lottery_number(seed: int, application_id: str) -> int:
    """The application's draw: a 32-bit number, lower wins a tie in the ranking."""
    digest = hashlib.sha256(f"{seed}:{application_id}".encode()).hexdigest()
    return int(digest[:8], 16)


def lottery_order(seed: int, application_ids: Iterable[str]) -> tuple[str, ...]:
    """The ids sorted by (lottery number, id): the order in which they win ties."""
    return tuple(sorted(set(application_ids), key=lambda i: (lottery_number(seed, i), i)))


def priorities(seed: int, application_ids: Iterable[str]) -> dict[str, int]:
    """Portfolio tie-break weights: ``n - position`` in the lottery order (n..1, higher wins).

    Unique, so no two applications are ever equally preferred, and ordered exactly as the
    ranking breaks ties: of two tied portfolios that differ by one application, the one
    holding the application that wins the ranking tie has the higher priority sum. Small
    (at most the number of applications), so a solver sums them exactly.
    """
    order = lottery_order(seed, application_ids)
    return {app_id: len(order) - position for position, app_id in enumerate(order)}
