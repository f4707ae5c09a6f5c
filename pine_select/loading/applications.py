"""YAML files (applications, the rubric, overrides) made into models, with their problems."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from pine_select.errors import InputError, Problem, Severity, display_path
from pine_select.loading import checks
from pine_select.loading.messages import validation_problems
from pine_select.loading.parsed import Parsed
from pine_select.loading.yaml_source import Result, YamlDocument, read_yaml
from pine_select.model.application import Application
from pine_select.model.rubric import Rubric

M = TypeVar("M", bound=BaseModel)


def parse_applications(paths: Sequence[Path], labels: Sequence[str], docs: Iterable[Result],
                       problems: list[Problem], unloadable: set[str]) -> list[Parsed]:
    """Every application file (``docs``, as read, each validated as it comes) validated;
    those not valid YAML are left out.

    Adds to ``unloadable`` the ids that files with problems may have: the file name's stem,
    and the ``id`` written in the file if it is text. Reviews naming them are not then
    reported as naming an unknown application, an echo of the problem already reported.
    """
    parsed = []
    for path, label, (doc, found) in zip(paths, labels, docs, strict=True):
        problems.extend(found)
        app = None if doc is None else validated(doc, label, Application, problems)
        if app is not None:
            parsed.append(app)
        if found or app is None or app.model is None:
            unloadable.update(_ids_it_may_have(path, doc))
    return parsed


def _ids_it_may_have(path: Path, doc: YamlDocument | None) -> set[str]:
    raw_id = doc.data.get("id") if doc is not None and isinstance(doc.data, dict) else None
    return {path.stem, raw_id} if isinstance(raw_id, str) else {path.stem}


def parse_yaml_model(path: Path | None, model: type[M], problems: list[Problem]) -> Parsed | None:
    """The model in the YAML file ``path`` (None: no file, or not YAML); problems added."""
    if path is None:
        return None
    label = display_path(path)
    doc, found = read_yaml(path, label)
    problems.extend(found)
    return None if doc is None else validated(doc, label, model, problems)


def validated(doc: YamlDocument, label: str, model: type[M],
              problems: list[Problem]) -> Parsed | None:
    """``doc`` as ``model`` (a Parsed whose model is None if not valid); problems added."""
    if not isinstance(doc.data, dict):
        problems.append(Problem(label, 1, "the file does not hold a mapping of keys",
                                f"keys such as {', '.join(list(model.model_fields)[:3])}"))
        return None
    try:
        return Parsed(model.model_validate(doc.data), label, doc)
    except ValidationError as exc:
        problems.extend(validation_problems(exc, doc, label))
        return Parsed(None, label, doc)


def load_yaml_model(path: Path, model: type[M]) -> tuple[M, YamlDocument]:
    """One YAML file read strictly as ``model``, with its lines; InputError lists every problem."""
    label = display_path(path)
    if not path.is_file():
        raise InputError([Problem(label, None, "no such file",
                                  f"a YAML file of {model.__name__} keys")])
    problems: list[Problem] = []
    parsed = parse_yaml_model(path, model, problems)
    if problems or parsed is None or parsed.model is None:
        raise InputError(problems)
    return parsed.model, parsed.doc


def load_rubric(path: Path) -> Rubric:
    """A rubric alone (no applications), with every check that needs only the rubric."""
    rubric, doc = load_yaml_model(path, Rubric)
    problems = checks.check_rubric(rubric, Parsed(rubric, display_path(path), doc))
    errors = [p for p in problems if p.severity is Severity.ERROR]
    if errors:
        raise InputError(errors)
    return rubric


def check_applications(rubric: Rubric | None,
                       documents: Sequence[tuple[YamlDocument, str]]) -> list[Problem]:
    """The checks that loading makes of application files, on documents made elsewhere.

    ``documents``: the values of each application with its label and lines (the intake
    builds them from a form export, before any file is written). Each is validated as an
    :class:`Application`; with a rubric, its categories and gate types are checked too.
    """
    problems: list[Problem] = []
    parsed = [p for doc, label in documents
              if (p := validated(doc, label, Application, problems)) is not None]
    if rubric is not None:
        problems += checks.check_applications(rubric, parsed)
    return problems
