"""The weight-tuning page for programme leads (``pine-select serve``, SPEC 12).

* ``server.py``: the local HTTP server (127.0.0.1 only, Host and origin checks, the session
  key, size caps); serves the page and its two API calls, nothing else;
* ``api.py``: the session: what-ifs in, ``pipeline.decide`` (what ``select`` calls), JSON out;
  one solve at a time, a request overtaken while it waits is dropped;
* ``view.py``: a decision as the page draws it, in the rubric's words;
* ``page.py`` and ``templates/``: the one self-contained page (rendered by pack/render.py);
* ``rubric_file.py``: saving tuned weights as a new rubric file (the only ruamel.yaml).
"""

from __future__ import annotations

from pine_select.serve.api import TuningSession
from pine_select.serve.server import TuningServer, serve_until_stopped, stopped_by_signals

__all__ = ["TuningServer", "TuningSession", "serve_until_stopped", "stopped_by_signals"]
