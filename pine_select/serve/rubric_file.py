"""Save tuned weights as a new rubric file: the original's text with only the tuned values.

The one module that imports ruamel.yaml. Its round-trip parser says where, in the
original's text, ``version`` and each criterion's ``weight`` are written (line and column);
only those values are replaced, and the lead's note is added as comment lines above
``version:``. Everything else (comments, key order, quoting, flow lists and how they wrap)
stays byte for byte, so the diff shows exactly what changed. (A re-dump by ruamel keeps
comments and order too, but re-indents sequences and re-flows long lists: a diff of every
criterion for a change of one weight.)

The new file goes into the save folder under a name made here, never one from a request,
through a temporary file hard-linked into place: it appears complete or not at all, and an
existing file (the original included) is never replaced. Before it is linked it is read
back with the project's strict loader and must give the original rubric with only the
version and the weights changed.
"""

from __future__ import annotations

import contextlib
import difflib
import json
import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from pine_select.errors import InputError, Problem, SaveError, UsageError, display_path
from pine_select.loading.applications import load_yaml_model
from pine_select.model.rubric import Rubric, exact
from pine_select.report.cells import neutralised

MAX_NOTE = 2_000  # characters of the lead's note
MAX_NOTE_LINES = 40
MAX_SAVES = 10_000  # tuned copies of one rubric in one folder
VERSION_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,63}")
_DECIMAL_PLACES = 6  # what a typed weight may carry (scoring.weights.MAX_DENOMINATOR)

Position = tuple[int, int]  # (line, column), both from 0


@dataclass(frozen=True)
class RubricSource:
    """The rubric file as the session read it at start: its text and where values are."""

    path: Path
    text: str
    rubric: Rubric
    version_at: Position
    weight_at: dict[str, Position]

    @classmethod
    def read(cls, path: Path, rubric: Rubric) -> RubricSource:
        """Raises InputError when the file is not the rubric loaded, or is written so that a
        value cannot be replaced in place (a block scalar)."""
        text = path.read_text(encoding="utf-8-sig")
        version_at, weight_at = _locations(text, path)
        source = cls(path, text, rubric, version_at, weight_at)
        source.check_replaceable()
        return source

    def check_replaceable(self) -> None:
        lines = self.text.splitlines(keepends=True)
        for what, (line, column) in [("version", self.version_at), *self.weight_at.items()]:
            if lines[line][column] in "|>&*!":
                raise InputError([Problem(display_path(self.path), line + 1,
                                          f"{what} is not written as a plain or quoted value",
                                          f"{what}: VALUE on one line, to be tuned in place")])


def _locations(text: str, path: Path) -> tuple[Position, dict[str, Position]]:
    try:
        data: Any = YAML(typ="rt").load(text)
        weights = {str(item["id"]): item.lc.value("weight") for item in data["criteria"]}
        return data.lc.value("version"), weights
    except (YAMLError, KeyError, TypeError, AttributeError) as exc:
        raise InputError([Problem(display_path(path), None,
                                  f"the rubric cannot be read for tuning ({exc})",
                                  "the rubric the session loaded, unchanged")]) from None


@dataclass(frozen=True)
class SavedRubric:
    path: Path
    version: str
    diff: str  # unified diff of the original against the saved file


def save_tuned_rubric(source: RubricSource, weights: Mapping[str, Fraction], note: str,
                      folder: Path, version: str | None = None) -> SavedRubric:
    """A new rubric file in ``folder``: ``weights``, a new ``version`` and ``note``.

    ``version`` defaults to the original's with ``-tuned.N``; N is also in the file's name
    (``<original name>-tuned-N.yaml``, the first one free). Raises UsageError for a bad
    weight, note or version, SaveError when the folder cannot take the file.
    """
    texts = {c: weight_text(c, w) for c, w in weights.items()}
    comment = note_comment(note)
    if version is not None:
        check_version(version, source.rubric)
    for n in range(1, MAX_SAVES + 1):
        target = folder / f"{source.path.stem}-tuned-{n}.yaml"
        if os.path.lexists(target):
            continue
        chosen = version or f"{source.rubric.version}-tuned.{n}"
        text = tuned_text(source, texts, chosen, comment)
        if _link_checked(text, target, source, weights, chosen):
            diff = "".join(difflib.unified_diff(
                source.text.splitlines(keepends=True), text.splitlines(keepends=True),
                display_path(source.path), display_path(target)))
            return SavedRubric(target, chosen, diff)
    raise SaveError(f"{display_path(folder)} already holds {MAX_SAVES:,} tuned copies of "
                    f"{source.path.name}; expected a folder with room for one more")


def weight_text(criterion: str, weight: Fraction) -> str:
    """A weight as a YAML number that the rubric reads back exactly (``exact``)."""
    if weight.denominator == 1:
        return str(weight.numerator)
    scaled = weight * 10**_DECIMAL_PLACES
    if scaled.denominator != 1:
        raise UsageError(f"weights: {criterion}={weight} cannot be written exactly in a "
                         "rubric; expected a decimal of at most 6 places, such as 33.333333",
                         option="weights")
    whole, part = divmod(scaled.numerator, 10**_DECIMAL_PLACES)
    text = f"{whole}.{part:0{_DECIMAL_PLACES}d}".rstrip("0")
    assert exact(float(text)) == weight, text  # at most 13 digits: a float holds them
    return text


def note_comment(note: str) -> list[str]:
    """The note as comment lines: control characters cut, so it can never become YAML."""
    if len(note) > MAX_NOTE:
        raise UsageError(f"note: {len(note):,} characters; expected at most {MAX_NOTE:,}",
                         option="note")
    lines = [neutralised(line).strip() for line in note.strip().splitlines()]
    if len(lines) > MAX_NOTE_LINES:
        raise UsageError(f"note: {len(lines)} lines; expected at most {MAX_NOTE_LINES}",
                         option="note")
    return [("# " + line).rstrip() for line in lines]


def check_version(version: str, rubric: Rubric) -> None:
    if not VERSION_PATTERN.fullmatch(version):
        raise UsageError(f"version: {version[:40]!r} is not a version; expected up to 64 "
                         "letters, digits and . _ + - such as 2019.2", option="version")
    if version == rubric.version:
        raise UsageError(f"version: {version!r} is the original's; expected a new version",
                         option="version")


def tuned_text(source: RubricSource, weights: Mapping[str, str], version: str,
               comment: list[str]) -> str:
    """The original text with the weights and version replaced and the note above version."""
    lines = source.text.splitlines(keepends=True)
    for criterion, text in weights.items():
        _replace_value(lines, source.weight_at[criterion], text)
    _replace_value(lines, source.version_at, json.dumps(version))
    line, _ = source.version_at
    indent = re.match(r"[ \t]*", lines[line])
    prefix = indent.group(0) if indent else ""
    newline = "\r\n" if lines[line].endswith("\r\n") else "\n"
    header = [f"{prefix}# Weights tuned from version {source.rubric.version} with "
              f"pine-select serve.{newline}"]
    header += [f"{prefix}{text}{newline}" for text in comment]
    lines[line:line] = header
    return "".join(lines)


def _replace_value(lines: list[str], at: Position, new: str) -> None:
    line, column = at
    text = lines[line]
    lines[line] = text[:column] + new + text[_value_end(text, column):]


def _value_end(text: str, start: int) -> int:
    """Where the scalar starting at ``start`` of a line ends (quoted or plain)."""
    quote = text[start]
    if quote in "\"'":
        i = start + 1
        while i < len(text):
            if quote == '"' and text[i] == "\\":
                i += 2
                continue
            if text[i] == quote:
                if quote == "'" and text[i + 1:i + 2] == "'":
                    i += 2
                    continue
                return i + 1
            i += 1
        return len(text.rstrip("\r\n"))
    found = re.compile(r"\s+#|[,\]}]|\s*$").search(text, start)
    return found.start() if found else len(text)


def _link_checked(text: str, target: Path, source: RubricSource,
                  weights: Mapping[str, Fraction], version: str) -> bool:
    """Write ``text`` to ``target`` if it loads as intended; False when ``target`` exists."""
    try:
        handle, temporary = tempfile.mkstemp(prefix=".pine-tuned-", suffix=".yaml.part",
                                             dir=target.parent)
    except OSError as exc:
        raise SaveError(f"{display_path(target.parent)}: {exc.strerror}; expected a folder "
                        "that can be written") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        _check_saved(Path(temporary), source, weights, version)
        os.link(temporary, target)  # fails if target exists: never replaces a file
        return True
    except FileExistsError:
        return False
    except OSError as exc:
        raise SaveError(f"{display_path(target)}: {exc.strerror}; nothing was saved") from None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temporary)


def _check_saved(path: Path, source: RubricSource, weights: Mapping[str, Fraction],
                 version: str) -> None:
    """The saved text, read strictly, is the original but for the version and weights."""
    try:
        saved, _ = load_yaml_model(path, Rubric)
    except InputError as exc:
        raise SaveError("the tuned rubric did not read back (nothing was saved): "
                        f"{exc.problems[0].message}") from None
    expected = {**source.rubric.weights(), **weights}
    if (saved.version != version or saved.weights() != expected
            or _untuned(saved) != _untuned(source.rubric)):
        raise SaveError("the tuned rubric did not read back as the original with the new "
                        "weights and version (nothing was saved)")


def _untuned(rubric: Rubric) -> dict[str, Any]:
    data = rubric.model_dump()
    data.pop("version")
    for criterion in data["criteria"]:
        criterion.pop("weight")
    return data
