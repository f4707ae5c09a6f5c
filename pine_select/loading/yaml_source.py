"""Read one YAML file safely and strictly, remembering the line of every value.

This is the only module that imports ``yaml``. It parses with PyYAML's C parser when it is
available (far faster than pure Python: benchmarks/RESULTS.md) but
builds the Python values itself from the node tree, so that:

- plain scalars follow the YAML 1.2 core schema: only ``true``/``false`` are booleans,
  ``yes``, ``NO`` and ``on`` stay strings, dates stay strings;
- a duplicate key is an error (PyYAML silently keeps the last one);
- every tag (``!!python/object``, ``!!binary``, ``!!timestamp``, ``!!str``, ``!custom``)
  is refused: no Python objects from files, and no value typed other than as written;
- anchors (even one never used) and aliases are refused, so an alias bomb cannot expand;
- a number too long, too large or too small to hold exactly (``1e309``, ``1e-400``) is
  refused rather than read as infinity, zero or a Python error;
- every value's line is recorded, keyed by its path, for error messages.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from pine_select.errors import Problem

try:
    _BaseLoader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _BaseLoader = yaml.SafeLoader

_STR, _SEQ, _MAP = "tag:yaml.org,2002:str", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"
_MERGE = "tag:yaml.org,2002:merge"


class _Loader(_BaseLoader):  # type: ignore[misc]
    """The C parser with a trivial tag resolver: values are typed by :func:`_scalar`.

    PyYAML's resolver runs a list of regexes on every untagged scalar (a large share of the
    parse time of a large call) only to find tags that are thrown away here. Explicit tags
    (``!!python/object``) never reach the resolver, so they are still refused; ``<<`` still
    resolves to a merge key, so that it is refused with its own message.
    """

    def resolve(self, kind: type, value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is yaml.ScalarNode:
            return _MERGE if value == "<<" and implicit[0] else _STR
        return _SEQ if kind is yaml.SequenceNode else _MAP

    # The composer calls these for every node to support path resolvers, which are unused.
    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass

MAX_FILE_BYTES = 1_000_000
MAX_DEPTH = 32

PathKey = tuple[str | int, ...]

# YAML 1.2 core schema (https://yaml.org/spec/1.2.2/#1032-tag-resolution).
_INT = re.compile(r"^[-+]?[0-9]+$")
_INT_OCT = re.compile(r"^0o[0-7]+$")
_INT_HEX = re.compile(r"^0x[0-9a-fA-F]+$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")


@dataclass(frozen=True)
class YamlDocument:
    """The values of one YAML file and the line (1-based) where each one starts.

    Lines are only needed to report a problem, and recording the line of every value
    costs more than reading the values: a document read by the fast path
    keeps its ``text`` instead and works its lines out the first time they are asked for.
    """

    data: Any
    known_lines: dict[PathKey, int] | None = field(default=None, repr=False, compare=False)
    text: str | None = field(default=None, repr=False, compare=False)

    @property
    def lines(self) -> dict[PathKey, int]:
        """The line of every value, keyed by its path."""
        if self.known_lines is None:
            # Frozen to callers; filling a cache once does not change what the document says.
            object.__setattr__(self, "known_lines", _lines_of(self.text or ""))
        assert self.known_lines is not None
        return self.known_lines

    def line_of(self, path: PathKey) -> int | None:
        """The line of ``path``, or of its nearest ancestor that has one."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:end]))
            if line is not None:
                return line
        return None


class _Reject(Exception):
    def __init__(self, line: int | None, message: str, expected: str = "") -> None:
        super().__init__(message)
        self.line, self.message, self.expected = line, message, expected


def read_yaml(path: Path, label: str) -> tuple[YamlDocument | None, list[Problem]]:
    """Parse ``path``; on failure return no document and the problems, labelled ``label``."""
    try:
        raw = _read_capped(path)
    except OSError as exc:
        return None, [Problem(label, None, f"cannot read the file ({exc.strerror})",
                              "a file you may read", code="io")]
    except _Reject as exc:
        return None, [Problem(label, None, exc.message, exc.expected, code="too_large")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        return None, [Problem(label, line, f"not UTF-8 text ({exc.reason})",
                              "UTF-8 text, as most editors save it", code="encoding")]
    return parse_yaml(text, label)


MALFORMED_EXPECTED = "valid YAML (check quotes, brackets and indentation here or just above)"


def parse_yaml(text: str, label: str) -> tuple[YamlDocument | None, list[Problem]]:
    """Parse YAML text (see the module docstring for the rules)."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        # Only the problem and its line: PyYAML's context ('in "<unicode string>"') names
        # its own input, not the user's file.
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        what = " ".join(str(exc.problem or exc.context or "cannot be parsed").split())
        return None, [Problem(label, line, f"malformed YAML: {what}", MALFORMED_EXPECTED,
                              code="yaml")]
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow
        line = text.count("\n", 0, exc.position) + 1
        return None, [Problem(label, line, f"malformed YAML: character #x{exc.character:04x} "
                              f"({exc.reason})", "plain text without control characters",
                              code="yaml")]
    except yaml.YAMLError as exc:
        what = " ".join(str(exc).split())
        return None, [Problem(label, None, f"malformed YAML: {what}", MALFORMED_EXPECTED,
                              code="yaml")]
    if node is None:
        return YamlDocument(None, {(): 1}), []
    try:
        if _may_be_plain(text):
            try:
                return YamlDocument(_plain_value(node, 0), text=text), []
            except _NotPlain:
                pass  # the full builder below finds what is wrong and where
        else:
            _refuse_anchors_and_tags(text)
        builder = _Builder()
        data = builder.value(node, (), 0)
    except _Reject as exc:
        return None, [Problem(label, exc.line, exc.message, exc.expected, code="yaml")]
    problems = [Problem(label, r.line, r.message, r.expected, code="yaml") for r in builder.rejects]
    return YamlDocument(data, builder.lines), problems


Result = tuple[YamlDocument | None, list[Problem]]  # one file's document, or its problems
Results = list[Result]


def _may_be_plain(text: str) -> bool:
    """Whether the fast path can hold: no anchors, tags or merge keys are even possible.

    An anchor needs ``&``, a tag ``!`` and a merge key ``<<``; text that has one of these
    characters (maybe only inside a string) goes through the full builder.
    """
    return "&" not in text and "!" not in text and "<<" not in text


def _refuse_anchors_and_tags(text: str) -> None:
    """Raise :class:`_Reject` at the first anchor, alias or tag of ``text`` (composed fine).

    Judged on the parser's events: the node tree forgets an anchor that is never used, and
    holds a resolved tag whether or not the file wrote one.
    """
    for event in yaml.parse(text, Loader=_Loader):
        line = event.start_mark.line + 1 if event.start_mark is not None else 1
        anchor = getattr(event, "anchor", None)
        if isinstance(event, yaml.AliasEvent):
            raise _Reject(line, f"anchors and aliases are not allowed (alias *{anchor})",
                          "plain values written out")
        if anchor is not None:
            raise _Reject(line, f"anchors and aliases are not allowed (anchor &{anchor})",
                          "plain values written out")
        tag = getattr(event, "tag", None)
        if tag is not None:
            raise _Reject(line, f"YAML tag {tag!r} is not allowed", "plain values, no tags")


class _NotPlain(Exception):
    """Something the fast path does not judge: the full builder will."""


def _plain_value(node: yaml.Node, depth: int) -> Any:
    """The values of a node tree without anchors or tags, or :class:`_NotPlain`.

    The fast path of :func:`parse_yaml`: the same values as :class:`_Builder` gives, without
    recording lines. Whatever the builder would refuse or report (a duplicate key, a key
    that is not a name, deep nesting) raises :class:`_NotPlain` instead.
    """
    if depth > MAX_DEPTH:
        raise _NotPlain
    kind = node.__class__
    if kind is yaml.ScalarNode:
        return _scalar(node)  # type: ignore[arg-type]  # checked: exact class, fastest test
    if kind is yaml.SequenceNode:
        return [_plain_value(item, depth + 1) for item in node.value]
    result: dict[str, Any] = {}
    for key_node, value_node in node.value:
        if key_node.__class__ is not yaml.ScalarNode:
            raise _NotPlain
        key = _scalar(key_node)
        if key.__class__ is not str:
            if key is None or isinstance(key, bool):
                raise _NotPlain
            key = str(key)
        if key in result:
            raise _NotPlain
        result[key] = _plain_value(value_node, depth + 1)
    return result


def _lines_of(text: str) -> dict[PathKey, int]:
    """The line of every value of ``text`` (a document that was read without them)."""
    node = yaml.compose(text, Loader=_Loader)
    if node is None:
        return {(): 1}
    builder = _Builder()
    builder.value(node, (), 0)
    return builder.lines


def _read_capped(path: Path) -> bytes:
    with path.open("rb") as handle:
        raw = handle.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        raise _Reject(1, "file is too large", f"at most {MAX_FILE_BYTES:,} bytes")
    return raw


class _Builder:
    """Turns a composed node tree into plain values, recording lines, refusing the unsafe."""

    def __init__(self) -> None:
        self.lines: dict[PathKey, int] = {}
        # Problems that still let the rest of the file be read (and checked) are kept here.
        self.rejects: list[_Reject] = []

    def value(self, node: yaml.Node, path: PathKey, depth: int) -> Any:
        line = node.start_mark.line + 1
        self._check_node(node, line, depth)
        self.lines[path] = line
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            return [self.value(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        assert isinstance(node, yaml.ScalarNode)
        return _scalar(node)

    def _check_node(self, node: yaml.Node, line: int, depth: int) -> None:
        # Anchors, aliases and tags were refused before (_refuse_anchors_and_tags).
        if depth > MAX_DEPTH:
            raise _Reject(line, "values are nested too deeply", f"at most {MAX_DEPTH} levels")

    def _mapping(self, node: yaml.MappingNode, path: PathKey, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = self._key(key_node)
            if key in result:
                self.rejects.append(_Reject(
                    key_node.start_mark.line + 1,
                    f"duplicate key {key!r} (first on line {self.lines[(*path, key)]})",
                    "each key once",
                ))
                continue
            self.lines[(*path, key)] = key_node.start_mark.line + 1
            result[key] = self.value(value_node, (*path, key), depth + 1)
            # Point at the key's line: that is where a reader looks for "facts: ...".
            self.lines[(*path, key)] = key_node.start_mark.line + 1
        return result

    def _key(self, node: yaml.Node) -> str:
        line = node.start_mark.line + 1
        self._check_node(node, line, 0)
        if node.tag == "tag:yaml.org,2002:merge":
            raise _Reject(line, "merge keys (<<) are not allowed", "plain keys")
        if not isinstance(node, yaml.ScalarNode):
            raise _Reject(line, "a key must be a plain value", "a name such as `id:`")
        value = _scalar(node)
        # Integer keys are natural in descriptors ({1: ..., 5: ...}); keep them as text.
        if isinstance(value, bool) or value is None:
            raise _Reject(line, f"key {node.value!r} is not a name", "a name such as `id:`")
        return str(value)


# YAML 1.2 core schema null and booleans, by exact spelling (no regex needed).
_LITERALS: dict[str, Any] = {
    "": None, "~": None, "null": None, "Null": None, "NULL": None,
    "true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False,
}
_NUMBER_STARTS = frozenset("0123456789+-.")


# The longest number a file may write: far beyond any amount (at most 13 digits), weight
# or count, and far below Python's limit on converting text to int (4,300 digits).
MAX_NUMBER_CHARACTERS = 100


def _scalar(node: yaml.ScalarNode) -> Any:
    text: str = node.value
    if node.style:  # quoted or block scalars are strings (plain is None, or '' in libyaml)
        return text
    if text in _LITERALS:
        return _LITERALS[text]
    if text[0] not in _NUMBER_STARTS:  # every number pattern below starts with one of these
        return text
    if len(text) > MAX_NUMBER_CHARACTERS:
        return _long_text(node)
    if _INT.match(text):
        return int(text)
    if _INT_OCT.match(text):
        return int(text[2:], 8)
    if _INT_HEX.match(text):
        return int(text[2:], 16)
    if _FLOAT.match(text) and any(ch.isdigit() for ch in text):
        return _finite_float(text, node)
    return text


def _line(node: yaml.Node) -> int | None:
    # Nodes made by hand (tests/conftest.py asks how a text would be read) have no mark.
    return node.start_mark.line + 1 if node.start_mark is not None else None


def _long_text(node: yaml.ScalarNode) -> str:
    """A long plain scalar that starts like a number: text, unless it is a number."""
    text: str = node.value
    if any(pattern.match(text) for pattern in (_INT, _INT_OCT, _INT_HEX, _FLOAT)):
        raise _Reject(_line(node), f"a number of {len(text):,} characters",
                      f"a number of at most {MAX_NUMBER_CHARACTERS} characters")
    return text


def _finite_float(text: str, node: yaml.ScalarNode) -> float:
    """``text`` as a float, refusing one that overflows to infinity or underflows to 0."""
    value = float(text)
    if math.isinf(value):
        raise _Reject(_line(node),
                      f"the number {text} is too large (it would be infinite)",
                      "a number below 1e308")
    if value == 0 and any(ch in "123456789" for ch in text.lower().partition("e")[0]):
        raise _Reject(_line(node),
                      f"the number {text} is too small (it would be 0)",
                      "0, or a number above 1e-300")
    return value


def without_top_level_key(text: str, key: str) -> str:
    """``text`` without one top-level key and its value; otherwise as unchanged as possible.

    Used to keep personal data (an application's ``contact``) out of the copies of inputs
    in a briefing pack. In the usual block layout the lines from the key to the next
    top-level key are cut, so every other byte (comments included) stays as written. A
    mapping written in flow style (``{id: ..., contact: {...}}``) has no such lines: it is
    written out again without the key, losing its comments. Text that does not parse, or
    has no such key, comes back unchanged.
    """
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError:
        return text
    if not isinstance(node, yaml.MappingNode):
        return text
    keys = [k for k, _ in node.value]
    for index, key_node in enumerate(keys):
        if key_node.value != key:
            continue
        lines = text.splitlines(keepends=True)
        start = key_node.start_mark.line
        end = keys[index + 1].start_mark.line if index + 1 < len(keys) else len(lines)
        cut = "".join(lines[:start] + lines[end:])
        return cut if start < end and not _has_top_level_key(cut, key) else _dumped_without(
            text, key)
    return text


def _has_top_level_key(text: str, key: str) -> bool:
    doc, _ = parse_yaml(text, "")
    return doc is None or not isinstance(doc.data, dict) or key in doc.data


def _dumped_without(text: str, key: str) -> str:
    doc, _ = parse_yaml(text, "")
    if doc is None or not isinstance(doc.data, dict):
        return text
    data = {k: v for k, v in doc.data.items() if k != key}
    return str(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100))
