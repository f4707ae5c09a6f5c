"""The library names options as fields (``size``, ``weights``); only the CLI says flags."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from conftest import CallPaths

from pine_select.errors import UsageError
from pine_select.selection.select import SelectOptions, select_portfolio

PACKAGE = Path(__file__).resolve().parents[1] / "pine_select"
LIBRARY = ("scoring", "selection", "report", "sensitivity", "loading", "model", "pack",
           "intake", "review_round", "decision", "after")
# Chromium's own command-line flags, which pdf.py passes to it, are not ours.
NOT_OURS = {("pdf.py", "--")}
FLAG = re.compile(r"--[a-z]")


def _strings(tree: ast.AST) -> list[ast.Constant]:
    """Every string constant of a module but its docstrings (which may show commands)."""
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
                  and node.body and isinstance(node.body[0], ast.Expr)}
    return [node for node in ast.walk(tree) if isinstance(node, ast.Constant)
            and isinstance(node.value, str) and id(node) not in docstrings]


@pytest.mark.parametrize("folder", LIBRARY)
def test_no_library_message_names_a_command_line_flag(folder: str) -> None:
    found = [f"{path.name}:{node.lineno}: {node.value!r}"
             for path in sorted((PACKAGE / folder).glob("*.py"))
             for node in _strings(ast.parse(path.read_text("utf-8")))
             if FLAG.search(node.value)
             and (path.name, node.value[:2]) not in NOT_OURS]
    assert found == []


def test_a_bad_option_names_its_field_and_the_cli_its_flag(
        make_call: Callable[..., CallPaths], run_cli: Callable[..., Result]) -> None:
    from pine_select.loading.loader import load_call
    from pine_select.scoring.score import score_call

    paths = make_call()
    call = load_call(paths.rubric, paths.apps)
    with pytest.raises(UsageError) as caught:
        select_portfolio(call, score_call(call), options=SelectOptions(explain_limit=-1))
    assert str(caught.value) == "explain_limit -1: expected a whole number >= 0"
    assert caught.value.option == "explain_limit"
    result = run_cli("select", *paths.args, "--weights", "promise=1/0")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: --weights: promise='1/0' divides by zero")
