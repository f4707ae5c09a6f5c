"""Letters name nobody else, however a name is spelt: spacing, dashes, invisible
characters, case, letters of other scripts that look like its own (after/redaction.py)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from helpers_after import GOLDEN_CALL, decision, tiny_call_with
from hypothesis import given, settings
from hypothesis import strategies as st
from test_letters import REVIEWERS_CSV, text_of

from pine_select.after.lookalikes import LOOKALIKES
from pine_select.after.redaction import A_REVIEWER, ANOTHER_APPLICANT, Redactor, key
from pine_select.loading.loader import load_call
from pine_select.model.application import Application

DISPLAY_NAMES = ("Ana Ortiz", "Ben Mills", "Cal Reyes")
HOSTILE = ("Better than Northbrook  Borough\nCouncil (TINY\u2011001), see TINY-\u200b001, "
           "tiny\u2212001, TINY\u00ad001, family-hub-key-workers, Harbour_Families_Trust, "
           "KINSHIP carers\u2014circle and H\u200barbour Families Trust; ana_ortiz agrees, "
           "as does ANA.")
REDACTED = (f"Better than {ANOTHER_APPLICANT} ({ANOTHER_APPLICANT}), see {ANOTHER_APPLICANT}, "
            f"{ANOTHER_APPLICANT}, {ANOTHER_APPLICANT}, {ANOTHER_APPLICANT}, "
            f"{ANOTHER_APPLICANT}, {ANOTHER_APPLICANT} and {ANOTHER_APPLICANT}; "
            f"{A_REVIEWER} agrees, as does {A_REVIEWER}.")


def _with_comment(apps: Path, app_id: str, comment: str) -> None:
    reviews = apps / "reviews.csv"
    rows = reviews.read_text("utf-8").splitlines()
    target = next(i for i, row in enumerate(rows) if row.startswith(f"{app_id},"))
    quoted = comment.replace('"', '""')
    rows[target] = f'{rows[target].rsplit(",", 1)[0]},"{quoted}"'
    reviews.write_text("\n".join(rows) + "\n", "utf-8")


def test_names_written_with_other_spaces_dashes_invisibles_or_case_are_redacted(
        tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    # TINY-002 recommended, then removed by the panel, for a reason that names TINY-001.
    panel = decision([{"id": "TINY-003"}, {"id": "TINY-001"}],
                     [{"id": "TINY-001", "action": "added", "reason": "Fills a gap."},
                      {"id": "TINY-002", "action": "removed", "reason": HOSTILE}])
    rubric, apps = tiny_call_with(tmp_path, panel)
    (apps / "reviewers.csv").write_text(REVIEWERS_CSV, "utf-8")
    _with_comment(apps, "TINY-003", HOSTILE)
    out = tmp_path / "letters"
    result = run_cli("letters", rubric, apps, "--out", out)
    assert result.exit_code == 0, result.stderr
    comment = text_of((out / "TINY-003.html").read_text("utf-8"))
    assert REDACTED in comment
    reason = text_of((out / "TINY-002.html").read_text("utf-8"))
    # Its own names are kept as written, invisible characters dropped (not made spaces).
    own = REDACTED.split(f" {ANOTHER_APPLICANT}, {ANOTHER_APPLICANT} and")[0] + \
        (" Harbour_Families_Trust, KINSHIP carers\u2014circle and Harbour Families Trust; "
         f"{A_REVIEWER} agrees, as does {A_REVIEWER}.")
    assert f"The panel decided not to fund it: {own}" in reason
    for page in (comment, reason):
        for name in ("northbrook", "tiny-001", "tiny 001", "family hub", "ortiz"):
            assert name not in page.lower(), name


@lru_cache(maxsize=1)
def _tiny() -> tuple[Redactor, Application, tuple[str, ...]]:
    call = load_call(GOLDEN_CALL / "rubric.yaml", GOLDEN_CALL / "applications")
    own = next(a for a in call.applications if a.id == "TINY-003")
    others = [n for a in call.applications if a is not own
              for n in (a.id, a.title, a.organisation.name)]
    reviewers = sorted({r.reviewer for r in call.reviews})
    return Redactor.of(call, DISPLAY_NAMES), own, (*others, *reviewers, *DISPLAY_NAMES)


def test_text_other_than_a_name_is_kept_as_written() -> None:
    redactor, own, _ = _tiny()
    text = ("Co\u200boperation with Westmere  Council on conference-family-plans (TINY\u2011003); "
            "an a priori case, stronger than TINY-0011 and Northbrook Borough Councils.")
    assert redactor.in_letter_to(own, text) == text


def test_names_written_in_look_alike_letters_are_redacted() -> None:
    # Cyrillic and Greek capitals and small letters drawn as Latin ones, in an id (with a
    # Cyrillic O for a zero), an organisation, a distinctive title and a reviewer's name
    # and id; the digit 0 written as the letter O.
    redactor, own, _ = _tiny()
    text = ("Unlike \u0422\u0406NY-\u041e\u041e1 and N\u043erthbr\u043e\u043ek "
            "B\u03bfr\u03bfugh C\u03bfuncil, or Kinship \u0441arers \u0441ircle and "
            "TINY-OO2; signed \u0410na \u039frtiz (\u0430n\u0430).")
    assert redactor.in_letter_to(own, text) == (
        f"Unlike {ANOTHER_APPLICANT} and {ANOTHER_APPLICANT}, or {ANOTHER_APPLICANT} and "
        f"{ANOTHER_APPLICANT}; signed {A_REVIEWER} ({A_REVIEWER}).")


def test_a_name_in_another_script_is_redacted_in_any_case_and_named_as_what_it_is() -> None:
    # Greek and Cyrillic names hold letters whose capital or small form alone is a
    # look-alike (\u0393 is no Latin letter, its small \u03b3 is drawn as y; \u0412 is
    # drawn as B, \u0432 as none): folded by case first, every spelling is one name, and a
    # reviewer's is a reviewer's (never "another applicant").
    call = load_call(GOLDEN_CALL / "rubric.yaml", GOLDEN_CALL / "applications")
    own = next(a for a in call.applications if a.id == "TINY-003")
    giorgos = "\u0393\u03b9\u03ce\u03c1\u03b3\u03bf\u03c2"
    vlad = "\u0412\u043b\u0430\u0434 \u0428\u0435\u0432\u0447\u0435\u043d\u043a\u043e"
    redactor = Redactor.of(call, [giorgos, vlad])
    for spelt in (giorgos, giorgos.lower(), giorgos.upper(), vlad, vlad.lower(), vlad.upper()):
        assert redactor.in_letter_to(own, f"As {spelt} said.") == f"As {A_REVIEWER} said.", spelt


def test_text_in_other_scripts_that_looks_like_no_name_is_kept() -> None:
    # Ukrainian, Russian, Greek, Welsh and Polish organisations (their letters include
    # look-alikes of Latin ones) name no applicant or reviewer of the call: kept as written.
    redactor, own, _ = _tiny()
    text = ("Partners: \u0411\u043b\u0430\u0433\u043e\u0434\u0456\u0439\u043d\u0438\u0439 "
            "\u0444\u043e\u043d\u0434 \u00ab\u0420\u0456\u0434\u043d\u0438\u0439 "
            "\u0434\u0456\u043c\u00bb (\u041a\u0438\u0457\u0432), \u0410\u041d\u0410 "
            "\u0426\u0435\u043d\u0442\u0440, \u039f\u03bc\u03ac\u03b4\u03b1 "
            "\u0391\u03bd\u03b1\u03c0\u03c4\u03c5\u03be\u03b7\u03c2, Cymdeithas Tai "
            "Cantref \u2013 Ymddiriedolaeth Plant \u0174yr, Stowarzyszenie \u0141\u00f3d\u017a "
            "Dzieciom, and our own Westmere C\u043euncil.")
    assert redactor.in_letter_to(own, text) == text


def test_every_look_alike_is_a_letter_that_nfkc_keeps_folded_to_ascii() -> None:
    import unicodedata

    assert len(LOOKALIKES) > 300
    for letter, drawn in LOOKALIKES.items():
        assert not letter.isascii() and unicodedata.category(letter).startswith("L"), letter
        assert unicodedata.normalize("NFKC", letter) == letter, letter
        assert drawn.isascii() and drawn.isalnum() and drawn == drawn.casefold(), letter


def test_a_title_is_redacted_only_when_distinctive(tmp_path: Path) -> None:
    rubric, apps = tiny_call_with(tmp_path, None)
    for app_id, title in (("TINY-001", "Reach"), ("TINY-002", "Kin Care Plus")):
        path = apps / f"{app_id}.yaml"
        text = path.read_text("utf-8")
        old = next(line for line in text.splitlines() if line.startswith("title:"))
        path.write_text(text.replace(old, f"title: {title}"), "utf-8")
    call = load_call(rubric, apps)
    own = next(a for a in call.applications if a.id == "TINY-003")
    assert Redactor.of(call).in_letter_to(own, "Reach out like kin-care-plus does.") == \
        f"Reach out like {ANOTHER_APPLICANT} does."


SEPARATORS = st.sampled_from([" ", "  ", "\n", "\t", "-", "_", ".", "/", "\u00a0", "\u2010",
                              "\u2011", "\u2012", "\u2013", "\u2014", "\u2015", "\u2212",
                              " - ", ""])
INVISIBLES = st.sampled_from(["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad",
                              "\u200e", "\u202a", "\u2066", "\u034f", "\ufe0f"])


# The letters of other scripts drawn as each ASCII letter or digit (the digits 0 and 1 also
# as the letters o and l). Not the few small letters drawn otherwise than their capital
# (Greek small nu as v, capital as N): folded by case, they are read as the capital.
DRAWN_AS: dict[str, list[str]] = {}
for _letter, _drawn in sorted(LOOKALIKES.items()):
    if len(_drawn) == 1 and key(_letter) == key(_drawn):
        DRAWN_AS.setdefault(_drawn, []).append(_letter)
DRAWN_AS["0"] = ["o", "O", *DRAWN_AS["o"]]
DRAWN_AS["1"] = ["l", *DRAWN_AS["l"]]


@st.composite
def respelt(draw: st.DrawFn) -> tuple[str, str]:
    """A name of another applicant or a reviewer, and how a hostile comment spells it."""
    name = draw(st.sampled_from(_tiny()[2]))
    long = len(key(name)) >= 6
    spelt = []
    for n, ch in enumerate(name):
        if not ch.isalnum():  # the name's own separator: any other, or none
            spelt.append(draw(SEPARATORS))
            continue
        look_alikes = DRAWN_AS.get(ch.lower(), [])
        if look_alikes and draw(st.integers(0, 3)) == 0:  # a letter of another script
            spelt.append(draw(st.sampled_from(look_alikes)))
        else:
            spelt.append(ch.upper() if draw(st.booleans()) else ch.lower())
        if n < len(name) - 1 and name[n + 1].isalnum():
            inserted = draw(st.one_of(st.just(""), INVISIBLES,
                                      SEPARATORS if long else st.just("")))
            spelt.append(inserted)
    return name, "".join(spelt)


@settings(max_examples=120, deadline=None)
@given(respelt())
def test_no_spelling_of_another_name_survives(named: tuple[str, str]) -> None:
    redactor, own, _ = _tiny()
    name, spelt = named
    shown = redactor.in_letter_to(own, f"See {spelt} now.")
    replaced = A_REVIEWER if name.lower() in {"ana", "ben", "cal", *map(str.lower, DISPLAY_NAMES)} \
        else ANOTHER_APPLICANT
    assert shown == f"See {replaced} now.", (name, spelt)
    assert key(name) not in key(shown)
