"""Reading the panel's decision file (SPEC 11): ``APPS/decision.yaml`` or ``--decision FILE``.

Read strictly like every YAML file of a call (yaml_source.py), with the line of every
value kept: the checks against the recommendation (``pine_select.decision.checks``) point
at the line of each entry they refuse.
"""

from __future__ import annotations

from pathlib import Path

from pine_select.errors import InputError, Problem, display_path
from pine_select.loading.applications import load_yaml_model
from pine_select.loading.yaml_source import YamlDocument
from pine_select.model.decision import DECISION_NAME, PanelDecision


def decision_path(applications: Path | str, given: Path | str | None) -> Path:
    """The decision file: ``given``, else ``APPLICATIONS/decision.yaml``."""
    return Path(given) if given is not None else Path(applications) / DECISION_NAME


def load_decision(path: Path) -> tuple[PanelDecision, YamlDocument]:
    """The decision in ``path`` and its lines; InputError lists every problem with its line."""
    if not path.is_file():
        raise InputError([Problem(display_path(path), None, "no such file",
                                  f"the panel's decision ({DECISION_NAME} in the applications "
                                  "folder, or a decision file named)", code="no_decision")])
    return load_yaml_model(path, PanelDecision)
