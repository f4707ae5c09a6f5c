"""Render letters to applicants: jinja2 here only, and always sandboxed.

A funder may give its own template (``letters --template FILE``): a file from outside the
package, so it is rendered in Jinja's immutable sandbox (no attribute tricks, no calls
that change data), with autoescaping on, no loader (it cannot include or extend other
files) and ``StrictUndefined`` (a misspelt name is an error, not an empty line). Nothing
can mark the data safe: the ``safe`` filter is gone and ``{% autoescape %}`` blocks are
refused. Nothing can run away: every loop's items and every call are counted, and each
operation that can make a large value (``*``, ``+``, ``~``, ``%``, ``|format``, ``|center``,
``|indent``, ...) is checked first, against ``template_limits.py``. The
default template is rendered the same way. Every value printed passes the project's one
neutraliser of untrusted text first (``report.cells.neutralised``): a bidi override in a
comment cannot reorder the letter.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from importlib.resources import files
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import nodes, pass_context, pass_eval_context
from jinja2.nodes import EvalContext
from jinja2.runtime import Context, markup_join
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.visitor import NodeTransformer
from markupsafe import Markup

from pine_select.after import template_limits as limits
from pine_select.after.redaction import without_invisibles
from pine_select.errors import InputError, Problem, display_path
from pine_select.report.cells import neutralised

DEFAULT_TEMPLATE = "letter.html.j2"
MAX_TEMPLATE_BYTES = 200_000
# What a template's own mistakes raise while rendering ({{ 1/0 }}, {{ total + [] }}, a
# sandbox refusal, an undefined name): each is the template's fault, reported as such.
RENDER_ERRORS = (jinja2.TemplateError, ArithmeticError, TypeError, ValueError, LookupError,
                 AttributeError, RecursionError, limits.TooCostly)
TEMPLATE_NAME = "<template>"  # how Jinja names code compiled from a string


def _shown(value: Any) -> Any:
    if isinstance(value, Markup):
        return Markup(neutralised(without_invisibles(str(value)), keep="\n"))
    if isinstance(value, str):
        return neutralised(without_invisibles(value), keep="\n")
    return value


class _LetterEnvironment(ImmutableSandboxedEnvironment):
    """The sandbox, with every operation that can make a large value or run long bounded
    (``template_limits.py``) and a count of one render's steps."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.steps = 0

    def spend(self, steps: int = 1) -> None:
        self.steps += steps
        if self.steps > limits.MAX_STEPS:
            raise limits.TooCostly(f"the template does too much work (at most "
                                   f"{limits.MAX_STEPS:,} steps of loops, calls and text)")

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        limits.check_binop(operator, left, right)
        made = super().call_binop(context, operator, left, right)
        self.spend(1 + limits.length(made) // limits.TEXT_PER_STEP)
        return made

    def call(__self, __context: Context, __obj: Any, *args: Any,
             **kwargs: Any) -> Any:
        __self.spend()
        limits.check_method(__obj, args)
        return super().call(__context, __obj, *args, **kwargs)


def _environment() -> _LetterEnvironment:
    env = _LetterEnvironment(
        # A loader that finds nothing: {% include %} and {% extends %} name no other file.
        loader=jinja2.FunctionLoader(lambda name: None),
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
        lstrip_blocks=True, keep_trailing_newline=True, finalize=_shown)
    # Nothing from the data may be printed unescaped, and letters are the same every run.
    for unsafe in ("safe", "random"):
        del env.filters[unsafe]
    del env.globals["lipsum"]  # lipsum(10**9) would fill the memory
    _bound_filters(env)
    env.filters["pounds"] = lambda value: "—" if value is None else f"£{value:,}"
    return env


def _bound_filters(env: _LetterEnvironment) -> None:
    """Jinja's filters that can make a large value, each checked before it runs."""
    checks: dict[str, Callable[..., None]] = {
        "center": lambda value, width=80: limits.check_width(width, "center"),
        "indent": lambda s, width=4, *_, **__: limits.check_width(width, "indent"),
        "format": lambda value, *_, **__: limits.check_printf(str(value), "format"),
        "replace": lambda s, old, new, count=None: limits.check_text(
            limits.replaced_size(s, old, new, count), "replace"),
        "wordwrap": lambda s, width=79, _=True, wrapstring=None, *__, **___:
            limits.check_text(limits.wrapped_size(s, wrapstring), "wordwrap"),
        "tojson": lambda value, indent=None: limits.check_width(indent, "tojson"),
        "batch": lambda value, linecount, fill_with=None: limits.check_count(linecount, "batch"),
        "slice": lambda value, slices, fill_with=None: limits.check_count(slices, "slice"),
    }
    for name, check in checks.items():
        env.filters[name] = _checked(env, env.filters[name], check)
    original_join = env.filters["join"]

    @pass_eval_context
    def join(eval_ctx: EvalContext, value: Any, d: str = "", attribute: Any = None) -> Any:
        items = list(value)
        limits.check_text(len(str(d)) * len(items), "join")
        made = original_join(eval_ctx, items, d, attribute)
        limits.check_text(len(made), "join")
        env.spend(1 + len(made) // limits.TEXT_PER_STEP)
        return made

    env.filters["join"] = join

    @pass_context
    def counted(context: Context, iterable: Any) -> Iterator[Any]:
        for item in iterable:
            env.spend()
            yield item

    @pass_eval_context
    def joined(eval_ctx: EvalContext, parts: list[Any]) -> Any:  # what {{ a ~ b }} does
        limits.check_text(limits.joined_size(parts), "joining texts with ~")
        env.spend(1 + limits.joined_size(parts) // limits.TEXT_PER_STEP)
        return markup_join(parts)

    env.filters[_COUNTED], env.filters[_JOINED] = counted, joined


_COUNTED, _JOINED = "pine_counted_loop", "pine_bounded_concat"


def _checked(env: _LetterEnvironment, original: Callable[..., Any],
             check: Callable[..., None]) -> Callable[..., Any]:
    passes = getattr(original, "jinja_pass_arg", None) is not None  # eval_ctx, environment

    @functools.wraps(original)  # keeps what Jinja passes first, if anything
    def checked(*args: Any, **kwargs: Any) -> Any:
        check(*args[1 if passes else 0:], **kwargs)
        made = original(*args, **kwargs)
        env.spend(1 + limits.length(made) // limits.TEXT_PER_STEP)
        return made

    return checked


def _bounded(tree: nodes.Template, label: str) -> nodes.Template:
    """``tree`` with every loop counted and every ``~`` bounded; no autoescape blocks."""
    for modifier in tree.find_all(nodes.EvalContextModifier):
        raise InputError([Problem(label, modifier.lineno,
                                  "template error: {% autoescape %} blocks are not allowed",
                                  "a template in which every value is escaped", code="template")])
    bounded = _Bounding().visit(tree)
    assert isinstance(bounded, nodes.Template)
    return bounded


class _Bounding(NodeTransformer):
    """Each loop's items through the step count, each ``a ~ b`` through the size check."""

    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)
        node.iter = nodes.Filter(node.iter, _COUNTED, [], [], None, None, lineno=node.lineno)
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        return nodes.Filter(nodes.List(node.nodes, lineno=node.lineno), _JOINED, [], [],
                            None, None, lineno=node.lineno)


class LetterTemplate:
    """A compiled letter template and where it came from (for its error messages)."""

    def __init__(self, text: str, label: str) -> None:
        self.label = label
        try:
            self._environment = _environment()
            self._template = self._environment.from_string(
                _bounded(self._environment.parse(text), label))
        except jinja2.TemplateSyntaxError as exc:
            raise InputError([Problem(label, exc.lineno, f"template error: {exc.message}",
                                      "a Jinja template (docs/after-the-decision.md)",
                                      code="template")]) from None

    @classmethod
    def default(cls) -> LetterTemplate:
        text = (files("pine_select.after") / "templates" / DEFAULT_TEMPLATE).read_text("utf-8")
        return cls(text, DEFAULT_TEMPLATE)

    @classmethod
    def from_file(cls, path: Path) -> LetterTemplate:
        label = display_path(path)
        if not path.is_file():  # never opened otherwise: a FIFO would block
            raise InputError([Problem(label, None, "no such file", "a Jinja template file",
                                      code="template")])
        try:
            with path.open("rb") as stream:
                raw = stream.read(MAX_TEMPLATE_BYTES + 1)
            text = raw.decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError([Problem(label, None, f"cannot read the template ({exc})",
                                      "a UTF-8 Jinja template file", code="template")]) from None
        if len(raw) > MAX_TEMPLATE_BYTES:
            raise InputError([Problem(label, None, "the template is too large",
                                      f"at most {MAX_TEMPLATE_BYTES:,} bytes", code="template")])
        return cls(text, label)

    def render(self, letter: dict[str, Any]) -> str:
        """The letter's HTML; a template that fails (or breaks the sandbox) is an InputError."""
        self._environment.steps = 0
        try:
            return self._rendered(letter)
        except RENDER_ERRORS as exc:
            raise InputError([Problem(self.label, _line(exc), f"template error: {_said(exc)}",
                                      "a template that uses only the letter's fields "
                                      "(docs/after-the-decision.md)", code="template")]) from None

    def _rendered(self, letter: dict[str, Any]) -> str:
        parts, size = [], 0
        for part in self._template.generate(**letter):
            size += len(part)
            if size > limits.MAX_LETTER:
                raise limits.TooCostly(f"the letter would be too long (at most "
                                       f"{limits.MAX_LETTER:,} characters)")
            parts.append(part)
        return "".join(parts)


def _said(exc: Exception) -> str:
    if isinstance(exc, jinja2.TemplateNotFound):
        return f"{{% include %}} and {{% extends %}} cannot use another file ({exc.name!r})"
    return str(exc)


def _line(exc: Exception) -> int | None:
    """The template's line at fault: Jinja's, or the innermost template frame's."""
    line = getattr(exc, "lineno", None)
    if isinstance(line, int):
        return line
    tb, found = exc.__traceback__, None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == TEMPLATE_NAME:
            found = tb.tb_lineno
        tb = tb.tb_next
    return found
