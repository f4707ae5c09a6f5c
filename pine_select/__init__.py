"""pine-select: turn an open call for partner organisations into a balanced, auditable choice.

The library is the product; the ``pine-select`` command is a thin layer over it::

    from pine_select import load_call
    call = load_call("rubrics/pine-2019.yaml", "applications/pine-2019")
"""

import os
import sys
from typing import TYPE_CHECKING, Any

# numpy (review columns, the solver's arrays) starts a BLAS thread pool when imported. The
# tool does no linear algebra, and a process that runs other threads must not fork: the
# loader's YAML workers would be refused (loading/fast_path.py). Unless told otherwise, and
# unless numpy is already loaded, its BLAS runs on the calling thread alone.
if "numpy" not in sys.modules:
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
# openpyxl picks its XML library when first imported. With lxml installed (flattentool, a
# dev dependency, brings it) it would parse workbooks through lxml instead of defusedxml and
# write scoresheets through lxml's serialiser: other refusals, and other bytes for the same
# inputs, on a machine that happens to have lxml. One XML path everywhere: the standard
# library's, guarded by defusedxml. The workbook modules refuse to go on if it was not taken
# (report/cells.py, require_defused_xml: the one check of this rule).
if "openpyxl" not in sys.modules:
    os.environ.setdefault("OPENPYXL_LXML", "False")

from pine_select.errors import (
    InputError,
    PackError,
    PineSelectError,
    Problem,
    SolverError,
    UsageError,
)

if TYPE_CHECKING:
    from pine_select.loading.loader import load_call
    from pine_select.model.application import Application
    from pine_select.model.call import Call
    from pine_select.model.rubric import Rubric
    from pine_select.options import RunOptions
    from pine_select.pack import build_pack, verify_pack
    from pine_select.pipeline import Decision, decide
    from pine_select.scoring import score_call

__version__ = "0.1.0"

# The rest of the API loads on first use (PEP 562): the models, the solver and the renderer
# take a few hundred milliseconds to import, which `pine-select --help` should not pay.
_LAZY = {
    "Application": "pine_select.model.application",
    "Call": "pine_select.model.call",
    "Decision": "pine_select.pipeline",
    "Rubric": "pine_select.model.rubric",
    "RunOptions": "pine_select.options",
    "build_pack": "pine_select.pack",
    "decide": "pine_select.pipeline",
    "load_call": "pine_select.loading.loader",
    "score_call": "pine_select.scoring",
    "verify_pack": "pine_select.pack",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'pine_select' has no attribute {name!r}")

__all__ = [
    "Application",
    "Call",
    "Decision",
    "InputError",
    "PackError",
    "PineSelectError",
    "Problem",
    "Rubric",
    "RunOptions",
    "SolverError",
    "UsageError",
    "__version__",
    "build_pack",
    "decide",
    "load_call",
    "score_call",
    "verify_pack",
]
