"""The mapping of a form export onto applications (SPEC section 8): a strict, frozen model.

A mapping says which column holds the id, which column holds each application key and
how its text converts, and which columns are read but not wanted. It is read with the
project's strict YAML loader, so a typo in it fails with its file and line, as in a rubric.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, BeforeValidator, Field, field_validator, model_validator

from pine_select.errors import InputError, Problem, display_path
from pine_select.loading.applications import load_yaml_model
from pine_select.loading.checks import closest
from pine_select.loading.yaml_source import YamlDocument
from pine_select.model.application import Application, Contact, Organisation
from pine_select.model.base import AsTuple, NonEmptyText, Strict
from pine_select.model.rubric import Rubric

Kind = Literal["text", "integer", "money", "boolean"]

# The nested parts of an application whose keys a mapping may fill one by one.
_NESTED: dict[str, type[BaseModel]] = {"organisation": Organisation, "contact": Contact}
_OPEN = ("facts", "answers")  # any key below these


def application_keys() -> tuple[str, ...]:
    """Every fixed key a mapping may fill (``facts.NAME`` and ``answers.NAME`` are open)."""
    keys: list[str] = []
    for name in Application.model_fields:
        if name in _NESTED:
            keys += [f"{name}.{sub}" for sub in _NESTED[name].model_fields]
        elif name not in (*_OPEN, "id"):
            keys.append(name)
    return tuple(keys)


def required_keys() -> tuple[str, ...]:
    """The keys every application must have, so every mapping must fill (but ``id``)."""
    keys: list[str] = []
    for name, info in Application.model_fields.items():
        if name in _NESTED and info.is_required():
            keys += [f"{name}.{sub}" for sub, i in _NESTED[name].model_fields.items()
                     if i.is_required()]
        elif info.is_required() and name != "id":
            keys.append(name)
    return tuple(keys)


def is_list_key(key: str) -> bool:
    """Whether the application holds a list at ``key`` (age_groups)."""
    info = Application.model_fields.get(key)
    return info is not None and getattr(info.annotation, "__origin__", None) is tuple


def kinds_for(key: str) -> tuple[Kind, ...]:
    """The conversions that give a value of the type the application holds at ``key``."""
    head = key.partition(".")[0]
    if head == "facts":
        return ("text", "integer", "money", "boolean")
    info = Application.model_fields.get(key)
    if info is not None and info.annotation is int:
        return ("money", "integer")
    return ("text",)


def _column_only(value: Any) -> Any:
    # `title: Project title` is short for `title: {column: Project title}`.
    return {"column": value} if isinstance(value, str) else value


class Source(Strict):
    """Where one application key comes from and how its cell converts."""

    column: NonEmptyText
    type: Kind = "text"
    values: dict[NonEmptyText, NonEmptyText] = {}
    split: Annotated[str, Field(min_length=1)] | None = None

    @model_validator(mode="after")
    def _text_only_options(self) -> Self:
        if self.type != "text" and (self.values or self.split):
            raise ValueError(f"values: and split: convert text, not type {self.type}; "
                             "expected type: text (the default) with them")
        return self

    @field_validator("values")
    @classmethod
    def _one_meaning_per_text(cls, values: dict[str, str]) -> dict[str, str]:
        # Export text is matched trimmed and in any case: two keys equal that way are one.
        seen: dict[str, str] = {}
        for text in values:
            other = seen.setdefault(fold(text), text)
            if other != text:
                raise ValueError(f"{other!r} and {text!r} are the same text to the import "
                                 "(trimmed, any case); expected each export text once")
        return values


def fold(text: str) -> str:
    """Text as the import compares it: trimmed, in any case."""
    return text.strip().casefold()


class IdSource(Strict):
    """The column holding each application's id, and an optional template."""

    column: NonEmptyText
    template: str | None = None

    @field_validator("template")
    @classmethod
    def _one_plain_field(cls, template: str | None) -> str | None:
        if template is not None:
            check_template(template)
        return template


def check_template(template: str) -> None:
    """Raise ValueError unless ``template`` has exactly one plain ``{}`` field.

    The cell fills it: an attribute or index (``{0.__class__}``) would reach into Python
    objects, so only a format specification (``{:03d}``) may follow.
    """
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise ValueError(f"template {template!r} is not a format ({exc}); expected e.g. "
                         '"PINE-2019-{:03d}"') from None
    fields = [(name, conversion, spec) for _, name, spec, conversion in parts
              if name is not None]
    if len(fields) != 1 or fields[0][0] not in ("", "0") or fields[0][1] is not None:
        raise ValueError(f"template {template!r} needs exactly one plain {{}} field; "
                         'expected e.g. "PINE-2019-{:03d}" or "{}"')
    if re.search(r"[0-9]{3,}|[{}]", fields[0][2] or ""):
        # A width of 10**9 would take gigabytes to fill; an id has at most 64 characters.
        raise ValueError(f"template {template!r} pads too far; expected a width below 100")


Field_ = Annotated[Source, BeforeValidator(_column_only)]


class Mapping(Strict):
    """A whole mapping file (SPEC section 8)."""

    sheet: NonEmptyText | None = None
    header_row: Annotated[int, Field(ge=1, le=1000)] = 1
    delimiter: Literal[",", ";"] | None = None
    id: IdSource
    fields: dict[str, Field_]
    ignore: Annotated[tuple[NonEmptyText, ...], AsTuple] = ()

    @model_validator(mode="after")
    def _ignored_not_mapped(self) -> Self:
        mapped = {self.id.column, *(source.column for source in self.fields.values())}
        both = [column for column in self.ignore if column in mapped]
        if both:
            raise ValueError(f"column(s) {', '.join(map(repr, both))} both mapped and ignored; "
                             "expected each column in one place")
        return self

    def columns(self) -> tuple[str, ...]:
        """Every column the mapping reads, in the order it names them."""
        return tuple(dict.fromkeys([self.id.column, *(s.column for s in self.fields.values())]))


def _key_problem(key: str, source: Source) -> str:
    """What is wrong with filling application key ``key`` from ``source`` ("" if nothing)."""
    head, _, rest = key.partition(".")
    if head in _OPEN and rest:
        if head == "answers" and source.type != "text":
            return f"answers are text, not type {source.type}; expected type: text"
        return "" if source.split is None else "split: makes a list; expected no split for a fact"
    if key not in application_keys():
        return ("not an application key; expected one of "
                f"{', '.join(application_keys())}, facts.NAME or answers.NAME")
    if source.type not in kinds_for(key):
        return f"type {source.type} does not fit; expected type: {' or '.join(kinds_for(key))}"
    if source.split is not None and not is_list_key(key):
        return "split: makes a list; expected no split for a key that holds one value"
    return ""


@dataclass(frozen=True)
class MappingFile:
    """A mapping as read: the model, the file's label and the line of every value."""

    mapping: Mapping
    label: str
    doc: YamlDocument

    def columns_with_lines(self) -> list[tuple[str, int | None]]:
        """Each column the mapping reads, with the line that names it."""
        found = [(self.mapping.id.column, self.doc.line_of(("id",)))]
        found += [(source.column, self.doc.line_of(("fields", key)))
                  for key, source in self.mapping.fields.items()]
        return found

    def against_rubric(self, rubric: Rubric) -> list[Problem]:
        """A ``values:`` target that is not a category the rubric declares for its key."""
        problems = []
        for key, source in self.mapping.fields.items():
            declared = rubric.categories.get(key)
            for export_text, value in source.values.items():
                if declared is not None and value not in declared:
                    problems.append(Problem(
                        self.label, self.doc.line_of(("fields", key, "values", export_text)),
                        f"fields.{key}.values: {value!r} is not a declared category of {key}",
                        closest(value, declared), code="unknown_category"))
        return problems


def load_mapping(path: Path) -> MappingFile:
    """Read and check a mapping file (raises InputError with every problem and its line)."""
    mapping, doc = load_yaml_model(path, Mapping)
    label = display_path(path)
    problems = []
    for key, source in mapping.fields.items():
        wrong, _, expected = _key_problem(key, source).partition("; expected ")
        if wrong:
            problems.append(Problem(label, doc.line_of(("fields", key)), f"fields.{key}: {wrong}",
                                    expected, code="mapping_key"))
    missing = [key for key in required_keys() if key not in mapping.fields]
    if missing:
        problems.append(Problem(label, doc.line_of(("fields",)),
                                f"fields: {', '.join(missing)} not mapped",
                                "a column for every key an application must have",
                                code="mapping_key"))
    if problems:
        raise InputError(problems)
    return MappingFile(mapping, label, doc)
