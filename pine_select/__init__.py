"""pine-select: turn an open call for partner organisations into a balanced, auditable choice.

The library is the product; the ``pine-select`` command is a thin layer over it::

    from pine_select import load_call
    call = load_call("rubrics/pine-2019.yaml", "applications/pine-2019")
"""

from pine_select.errors import (
    InputError,
    PackError,
    PineSelectError,
    Problem,
    SolverError,
    UsageError,
)
from pine_select.loading.loader import load_call
from pine_select.model.application import Application
from pine_select.model.call import Call
from pine_select.model.rubric import Rubric

__version__ = "0.1.0"

__all__ = [
    "Application",
    "Call",
    "InputError",
    "PackError",
    "PineSelectError",
    "Problem",
    "Rubric",
    "SolverError",
    "UsageError",
    "__version__",
    "load_call",
]
