"""Shared test helpers: build a tiny, valid call in a temporary folder and change one part.

Every test that needs files of a call should use :func:`build_call` (or the ``make_call``
fixture, which binds it to ``tmp_path``) rather than writing its own YAML by hand::

    def test_something(make_call, run_cli):
        call = make_call()                                    # valid: 3 apps, 2 reviewers
        result = run_cli("validate", *call.args)
        assert result.exit_code == 0

    def test_a_typo(make_call, run_cli):
        call = make_call(applications=[tiny_application(1, practice_type="erly_help")])
        ...

The defaults are small and valid:

- a rubric (:func:`tiny_rubric`) with scale 1-5, two criteria (``promise`` weight 60,
  ``feasibility`` weight 40), the four categorical fields declared (age_groups,
  practice_type, organisation.type, organisation.region), one gate
  (``facts.based_in_england`` equals true), selection of size 2 with one rule;
- three applications ``APP-1``..``APP-3`` (:func:`tiny_application`), one file each;
- ``reviews.csv``: reviewers ``alice`` and ``bob`` score every application on every
  criterion (:func:`tiny_reviews`);
- no conflicts.csv and no overrides.yaml unless asked for.

Each part accepts a Python value (dict / list of rows), raw text (``str``, written as is,
for hostile files), or raw ``bytes`` (for BOMs, CRLF, bad encodings). ``None`` means "no such
file". Use :func:`merged` (or the ``**changes`` of the ``tiny_*`` builders) to change one key
of a default and keep the rest valid.
"""

from __future__ import annotations

import copy
import csv
import io
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result
from hypothesis import settings

from pine_select.cli import main
from pine_select.loading.yaml_source import _scalar

# CI must pass or fail the same way every run: property tests draw the same examples there
# (PINE_HYPOTHESIS=random on a workstation explores new ones).
settings.register_profile("ci", derandomize=True, database=None)
settings.register_profile("random")
settings.load_profile("ci" if os.environ.get("PINE_HYPOTHESIS", "ci") == "ci" else "random")

REVIEWERS = ("alice", "bob")
CRITERIA = ("promise", "feasibility")
REVIEW_HEADER = ("application_id", "reviewer", "criterion", "score", "comment")
CONFLICT_HEADER = ("reviewer", "application_id", "reason")

DELETE = object()
"""Use as a value in :func:`merged` changes to remove that key from the default."""

Content = Any  # dict/list (dumped), str (written as is), bytes (written as is), or None (absent)
Rows = Sequence[Mapping[str, Any] | Sequence[Any]]


class _Default:
    def __repr__(self) -> str:
        return "DEFAULT"


DEFAULT: Any = _Default()
"""The default content of a part (the builder computes it from the other parts)."""


def merged(base: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` with ``changes`` applied: nested dicts merge, :data:`DELETE` removes a key."""
    result = copy.deepcopy(dict(base))
    for key, value in changes.items():
        if value is DELETE:
            result.pop(key, None)
        elif isinstance(value, Mapping) and isinstance(result.get(key), Mapping):
            result[key] = merged(result[key], value)
        else:
            result[key] = copy.deepcopy(value)
    return result


def tiny_rubric(**changes: Any) -> dict[str, Any]:
    """A small valid rubric as a dict; ``changes`` are :func:`merged` into it.

    Keys with a dot (``organisation.type``) cannot be keyword arguments: pass them through
    ``merged(tiny_rubric(), {...})``.
    """
    base = {
        "call": "Tiny call",
        "version": "1",
        "scale": {"min": 1, "max": 5},
        "aggregate": "mean",
        "min_reviews": 2,
        "categories": {
            "age_groups": ["pre_birth", "early_years", "adolescent"],
            "practice_type": ["early_help", "child_protection"],
            "organisation.type": ["local_authority", "voluntary_sector"],
            "organisation.region": ["London", "North West"],
        },
        "criteria": [
            {"id": "promise", "name": "Promising practice", "weight": 60},
            {"id": "feasibility", "name": "Feasibility", "weight": 40},
        ],
        "eligibility": [
            {"id": "in_england", "field": "facts.based_in_england", "equals": True},
        ],
        "selection": {
            "size": 2,
            "budget": 100000,
            "rules": [{"field": "practice_type", "at_most": 2}],
        },
    }
    return merged(base, changes)


def tiny_application(n: int = 1, **changes: Any) -> dict[str, Any]:
    """A small valid application ``APP-<n>`` as a dict; ``changes`` are merged into it."""
    base = {
        "id": f"APP-{n}",
        "title": f"Project {n}",
        "organisation": {"name": f"Organisation {n}", "type": "local_authority",
                         "region": "London"},
        "summary": f"What project {n} does.",
        "practice_type": "early_help",
        "age_groups": ["early_years"],
        "requested_amount": 10000 * n,
        "facts": {"based_in_england": True, "months_running": 12},
        "answers": {"theory_of_change": "Because it helps."},
    }
    return merged(base, changes)


def tiny_reviews(
    application_ids: Sequence[str],
    reviewers: Sequence[str] = REVIEWERS,
    criteria: Sequence[str] = CRITERIA,
) -> list[dict[str, Any]]:
    """Every reviewer scores every application on every criterion (scores 1-5, varied)."""
    return [
        {"application_id": app_id, "reviewer": reviewer, "criterion": criterion,
         "score": (i + j + k) % 5 + 1, "comment": f"{reviewer} on {app_id}"}
        for i, app_id in enumerate(application_ids)
        for j, reviewer in enumerate(reviewers)
        for k, criterion in enumerate(criteria)
    ]


def csv_text(header: Sequence[str], rows: Rows) -> str:
    """CSV text with ``header``; rows are dicts (missing keys empty) or sequences."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        if isinstance(row, Mapping):
            writer.writerow([row.get(column, "") for column in header])
        else:
            writer.writerow(list(row))
    return out.getvalue()


def yaml_text(data: Any) -> str:
    """YAML for ``data`` in block style, keys in the given order (as a person writes it).

    PyYAML writes YAML 1.1, the loader reads YAML 1.2: text that 1.2 would read as another
    type (``0o17``, ``1e5``) is quoted so that what is written is what is read back.
    """
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                     default_flow_style=False)


class _Dumper(yaml.SafeDumper):
    pass


def _represent_text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    plain = yaml.ScalarNode("tag:yaml.org,2002:str", text, style=None)
    try:
        as_text = _scalar(plain) == text and isinstance(_scalar(plain), str)
    except Exception:  # refused when read plain (a number of 5,000 digits): quote it
        as_text = False
    style = None if as_text else '"'
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _represent_text)
_Dumper.add_representer(tuple, yaml.SafeDumper.represent_list)


@dataclass(frozen=True)
class CallPaths:
    """Where :func:`build_call` wrote each file (``None``: the file was not written)."""

    root: Path
    rubric: Path
    apps: Path
    applications: tuple[Path, ...]
    reviews: Path | None
    conflicts: Path | None
    overrides: Path | None

    @property
    def args(self) -> list[str]:
        """``RUBRIC APPS`` for the command line (optional files sit at their default place)."""
        return [str(self.rubric), str(self.apps)]

    def app(self, app_id: str) -> Path:
        """The file of the application with ``app_id`` (files are named ``<id>.yaml``)."""
        return self.apps / f"{app_id}.yaml"


def line_of(path: Path, needle: str, occurrence: int = 1) -> int:
    """The 1-based line of the ``occurrence``-th line of ``path`` containing ``needle``."""
    found = [n for n, line in enumerate(path.read_text("utf-8").splitlines(), 1)
             if needle in line]
    assert len(found) >= occurrence, f"{needle!r} not in {path}"
    return found[occurrence - 1]


def build_call(
    folder: Path,
    *,
    rubric: Content = DEFAULT,
    applications: Content = DEFAULT,
    reviews: Content = DEFAULT,
    conflicts: Content = None,
    overrides: Content = None,
    extra_files: Mapping[str, str | bytes] | None = None,
) -> CallPaths:
    """Write a tiny call into ``folder`` (``rubric.yaml`` and ``apps/``) and say where.

    - ``rubric``: a dict, raw text or bytes; default :func:`tiny_rubric`.
    - ``applications``: a list whose items are dicts (written to ``<id>.yaml``, or
      ``app-<n>.yaml`` without a text id) or raw text/bytes (``app-<n>.yaml``); or a
      mapping of file name to content. Default: ``tiny_application(1..3)``.
    - ``reviews``: a list of rows (dicts or sequences) written under the SPEC header, raw
      text or bytes, or None for no reviews.csv. Default: :func:`tiny_reviews` of the
      applications' ids.
    - ``conflicts``: rows (header ``reviewer,application_id,reason``), text, bytes or None.
    - ``overrides``: a dict (e.g. ``{"include": [{"id": ..., "reason": ...}]}``), text or None.
    - ``extra_files``: other files to write, by path relative to ``apps/``.
    """
    folder.mkdir(parents=True, exist_ok=True)
    apps = folder / "apps"
    apps.mkdir(exist_ok=True)
    rubric_path = folder / "rubric.yaml"
    _write(rubric_path, tiny_rubric() if rubric is DEFAULT else rubric, yaml_text)
    if applications is DEFAULT:
        applications = [tiny_application(n) for n in (1, 2, 3)]
    app_files = _write_applications(apps, applications)
    if reviews is DEFAULT:
        reviews = tiny_reviews(_ids_of(applications))
    reviews_path = _write_optional(apps / "reviews.csv", reviews,
                                   lambda rows: csv_text(REVIEW_HEADER, rows))
    conflicts_path = _write_optional(apps / "conflicts.csv", conflicts,
                                     lambda rows: csv_text(CONFLICT_HEADER, rows))
    overrides_path = _write_optional(apps / "overrides.yaml", overrides, yaml_text)
    for name, content in (extra_files or {}).items():
        (apps / name).parent.mkdir(parents=True, exist_ok=True)
        _write(apps / name, content, str)
    return CallPaths(folder, rubric_path, apps, app_files, reviews_path, conflicts_path,
                     overrides_path)


def _ids_of(applications: Any) -> list[str]:
    items = applications.values() if isinstance(applications, Mapping) else applications
    return [item["id"] for item in items
            if isinstance(item, Mapping) and isinstance(item.get("id"), str)]


def _write_applications(apps: Path, applications: Any) -> tuple[Path, ...]:
    if isinstance(applications, Mapping):
        named = dict(applications)
    else:
        named = {}
        for n, item in enumerate(applications, 1):
            has_id = isinstance(item, Mapping) and isinstance(item.get("id"), str)
            safe = has_id and re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]*", item["id"])
            name = f"{item['id']}.yaml" if safe else f"app-{n}.yaml"
            assert name not in named, f"two applications would be written to {name}"
            named[name] = item
    paths = []
    for name, content in named.items():
        path = apps / name
        path.parent.mkdir(parents=True, exist_ok=True)
        _write(path, content, yaml_text)
        paths.append(path)
    return tuple(paths)


def _write_optional(path: Path, content: Content, render: Callable[[Any], str]) -> Path | None:
    if content is None:
        return None
    _write(path, content, render)
    return path


def _write(path: Path, content: Any, render: Callable[[Any], str]) -> None:
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif isinstance(content, str):
        path.write_text(content, encoding="utf-8", newline="")
    else:
        path.write_text(render(content), encoding="utf-8", newline="")


@pytest.fixture
def make_call(tmp_path: Path) -> Callable[..., CallPaths]:
    """:func:`build_call` bound to a fresh folder under ``tmp_path`` (call it many times)."""
    count = 0

    def make(**parts: Any) -> CallPaths:
        nonlocal count
        count += 1
        return build_call(tmp_path / f"call{count}", **parts)

    return make


@pytest.fixture(autouse=True)
def _own_parse_cache(tmp_path_factory: pytest.TempPathFactory,
                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test's parse cache in its own folder, never the user's (~/.cache)."""
    monkeypatch.setenv("PINE_SELECT_CACHE", str(tmp_path_factory.mktemp("parse-cache")))


@pytest.fixture
def run_cli() -> Callable[..., Result]:
    """Run ``pine-select ARGS...`` in-process; ``result.stdout`` / ``result.stderr`` apart.

    Exceptions are not caught by the runner on purpose: a traceback fails the test.
    """
    runner = CliRunner()

    def run(*args: str | Path) -> Result:
        result = runner.invoke(main, [str(a) for a in args], catch_exceptions=False)
        assert "Traceback" not in result.output, result.output
        return result

    return run


@pytest.fixture(scope="module")
def built_golden_pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The golden tiny call's pack, built once per module: copy it (``golden_pack``) to edit."""
    from helpers_pack import golden

    out = tmp_path_factory.mktemp("golden-pack") / "pack"
    golden.build(out)
    return out


@pytest.fixture
def golden_pack(built_golden_pack: Path, tmp_path: Path) -> Path:
    """A fresh copy of the golden pack, known to verify, for a test to tamper with."""
    import shutil

    return Path(shutil.copytree(built_golden_pack, tmp_path / "pack"))
