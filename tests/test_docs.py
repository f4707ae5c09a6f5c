"""Docs that cannot drift: the CLI reference, the format reference and the public API."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

import click
import pytest
from pydantic import BaseModel

import pine_select
from pine_select.cli import main
from pine_select.intake.mapping import IdSource, Mapping, Source
from pine_select.model.application import Application, Contact, Organisation
from pine_select.model.decision import Change, FundedGrant, PanelDecision
from pine_select.model.reviews import Conflict, Override, Overrides, Review
from pine_select.model.rubric import (
    Criterion,
    Funder,
    Gate,
    Rubric,
    Rule,
    Scale,
    Selection,
    SizeRange,
)

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
REGENERATE = "run python scripts/gen_cli_docs.py"


def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_cli_docs",
                                                  ROOT / "scripts" / "gen_cli_docs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def commands() -> list[tuple[str, click.Context]]:
    return list(generator().walk(main))


def test_cli_reference_is_in_sync_with_the_commands() -> None:
    current = (DOCS / "cli.md").read_text(encoding="utf-8")
    assert current == generator().render(), f"docs/cli.md is out of date: {REGENERATE}"


def test_generator_check_mode(tmp_path: Path) -> None:
    gen = generator()
    stale = tmp_path / "cli.md"
    stale.write_text("old\n")
    assert gen.main(["--check", "--path", str(stale)]) == 1
    assert gen.main(["--path", str(stale)]) == 0
    assert gen.main(["--check", "--path", str(stale)]) == 0
    assert stale.read_text(encoding="utf-8") == gen.render()


def test_generator_is_deterministic() -> None:
    gen = generator()
    assert gen.render() == gen.render()


@pytest.mark.parametrize("name, ctx", commands(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_command_has_help_and_is_documented(name: str, ctx: click.Context) -> None:
    command = ctx.command
    assert (command.help or "").strip(), f"{name} has no help text (a docstring)"
    assert f"## `{name}`" in (DOCS / "cli.md").read_text(encoding="utf-8"), (
        f"{name} is not in docs/cli.md: {REGENERATE}")
    for param in command.params:
        if isinstance(param, click.Option) and not param.hidden:
            assert (param.help or "").strip(), f"{name} {param.opts[0]} has no help text"


def test_public_api_names_exist() -> None:
    names = pine_select.__all__
    assert len(names) == len(set(names)), "a name is listed twice in __all__"
    missing = [name for name in names if not hasattr(pine_select, name)]
    assert missing == []


MODELS: list[type[BaseModel]] = [Application, Organisation, Contact, Rubric, Scale, Criterion,
                                 Gate, Selection, SizeRange, Rule, Review, Conflict, Overrides,
                                 Override, Mapping, Source, IdSource, Funder, PanelDecision,
                                 FundedGrant, Change]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_key_of_every_format_is_documented(model: type[BaseModel]) -> None:
    text = (DOCS / "formats.md").read_text(encoding="utf-8")
    for name, info in model.model_fields.items():
        if info.exclude:
            continue  # not a key of any file (e.g. the line a row was read from)
        key = info.alias or name
        assert f"`{key}`" in text, f"{model.__name__}.{key} is not in docs/formats.md"


def test_docs_index_links_every_page() -> None:
    index = (DOCS / "README.md").read_text(encoding="utf-8")
    linked = set(re.findall(r"\]\(([^)#]+\.md)", index))
    pages = {p.name for p in DOCS.glob("*.md") if p.name != "README.md"}
    assert pages <= linked, f"docs/README.md does not link {sorted(pages - linked)}"
    assert all((DOCS / page).is_file() for page in linked), "docs/README.md links a missing page"
