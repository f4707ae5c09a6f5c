"""The steps the commands after the decision take: one library call each (cli.py is thin)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pine_select.decision import Decided


def letters_step(outcome: Decided, out: Path, template: Path | None, *, force: bool,
                 reviewers: Sequence[str] = ()) -> tuple[str, int]:
    """Render every applicant's letter and write them to ``out``: (the folder shown, count).

    ``reviewers``: names of reviewers beyond the call's own files (reviewers.csv's
    identifiers and display names), kept out of every letter like the call's reviewer ids.
    """
    from pine_select.after.letter_render import LetterTemplate
    from pine_select.after.letters import letter_views
    from pine_select.after.letters_folder import write_letters
    from pine_select.errors import display_path

    files = outcome.recommendation.call.files
    assert files is not None  # a call read from files knows them
    chosen = LetterTemplate.default() if template is None else LetterTemplate.from_file(template)
    html = {view["id"]: chosen.render(view) for view in letter_views(outcome, reviewers)}
    write_letters(html, out, files, force=force, inputs=(template,) if template else ())
    return display_path(out), len(html)
