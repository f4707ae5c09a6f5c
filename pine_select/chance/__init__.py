"""How much of the choice is chance (SPEC 10): the bootstrap of reviewers, and a fair
lottery that keeps every rule.

- ``bootstrap``: reviewers resampled within each application, totals as scoring makes them;
- ``robustness``: P(selected) over the draws, on worker processes, same bytes for any count;
- ``leximin`` and ``master_lp``: the leximin lottery by column generation;
- ``distribution``: the published lottery in billionths, and the seeded draw;
- ``lottery``: the zone, the holds, the lottery and its draw together.
"""

from pine_select.chance.lottery import run_lottery
from pine_select.chance.result import Chance, Lottery, Robustness
from pine_select.chance.robustness import prepare, reviewer_robustness

__all__ = ["Chance", "Lottery", "Robustness", "prepare", "reviewer_robustness", "run_lottery"]
