"""Keep every other applicant, and every reviewer, out of a letter's free text.

A letter quotes words others wrote about this application (reviewers' comments, the
panel's reasons). Those words may name another applicant ("stronger than PINE-2019-005")
or sign a reviewer's id or name (reviewers.csv's display names, when given): each such
mention becomes "[another applicant]" or "[a reviewer]".

Names are matched on a folded form of the text, never on its bytes, so that no spelling
a reader would still recognise slips through:

- NFKC and case folding (full-width letters, "KENBURY", ligatures), any decimal digit as
  its ASCII digit;
- look-alikes: a letter of another script drawn as a Latin letter or digit is that letter
  (a Cyrillic "\\u0410", a Greek "\\u039f": UTS #39's prototypes, after/lookalikes.py),
  and the digits 0 and 1 are the letters o and l they are drawn as ("PINE-2O19-OO2"), so
  that no name can be written in letters that only look like its own; text that merely
  is in another script (a Ukrainian or Welsh name) matches no Latin name;
- every run of spaces, line breaks, punctuation (hyphens, dashes, underscores, dots) and
  symbols (U+2212 minus) is one separator, and a name's own separators may be written as
  any separator or none ("London  Borough  of\\nKenbury", "PINE\\u20112019\\u2011002",
  "gareth_evans", "circle-of-change", "PINE2019002");
- invisible characters (format characters, Unicode category Cf such as U+200B or the soft
  hyphen U+00AD, and the variation selectors and joiners that draw nothing) are no
  characters at all inside a name ("Ken\\u200bbury") but still end a word;
- in a name of at least ``SPLIT_FROM`` letters and digits a visible separator may also
  split a word ("Kenb ury"); shorter names (a reviewer id such as "ana") must be written
  whole, or "an a" would be a reviewer.

Matching is whole-word (a name inside a longer word is not a mention), longest name first,
so that "Project 10" is not read as "Project 1". What is replaced is the matching span of
the original text: every other character stays as it was written (``without_invisibles``
drops the invisible ones when the letter is shown).

Redacted: every other applicant's id and organisation name, every reviewer's id and display
name, and another applicant's title when it is distinctive, that is of at least two words
and ``TITLE_LETTERS`` letters and digits ("Circle of Change"): a one-word title such as
"Reach" is an ordinary word, and replacing it wherever it occurs would garble the letters.
One pattern serves every letter of a call.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from pine_select.after.lookalikes import LOOKALIKES
from pine_select.model.application import Application
from pine_select.model.call import Call

ANOTHER_APPLICANT = "[another applicant]"
A_REVIEWER = "[a reviewer]"
SPLIT_FROM = 6  # letters and digits from which a visible separator may split a name's word
TITLE_LETTERS = 10  # (with two words) a title distinctive enough to redact

VISIBLE, INVISIBLE = " ", "\x01"  # the folded text's two separators
# Characters that draw nothing but are not format characters (Default_Ignorable_Code_Point
# outside Cf): the combining grapheme joiner, variation selectors, Hangul fillers, ...
_IGNORABLE = frozenset("\u034f\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u180f\u3164\uffa0"
                       + "".join(map(chr, range(0xFE00, 0xFE10)))
                       + "".join(map(chr, range(0xE0100, 0xE01F0))))


@dataclass(frozen=True)
class Folded:
    """Text as names are matched in it, and where each of its characters came from.

    ``text`` holds letters and digits (folded), ``VISIBLE`` for each run of separators
    that shows and ``INVISIBLE`` for a run of invisible characters only; the original
    characters of ``text[i]`` are ``original[starts[i]:ends[i]]``.
    """

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    @classmethod
    def of(cls, original: str) -> Folded:
        text: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        for start, end in _clusters(original):
            for ch in _fold(original[start:end]):
                kind = _kind(ch)
                if kind == "letter":
                    text.append(ch)
                    starts.append(start)
                    ends.append(end)
                elif text and text[-1] in (VISIBLE, INVISIBLE):  # the run goes on
                    ends[-1] = end
                    if kind == VISIBLE:
                        text[-1] = VISIBLE
                else:
                    text.append(kind)
                    starts.append(start)
                    ends.append(end)
        return cls("".join(text), tuple(starts), tuple(ends))


def _clusters(text: str) -> list[tuple[int, int]]:
    """Each character with the combining marks after it (NFKC composes them together)."""
    bounds = [i for i, ch in enumerate(text) if i == 0 or not unicodedata.combining(ch)]
    return list(zip(bounds, [*bounds[1:], len(text)][: len(bounds)], strict=True))


# After case folding, the two digits drawn like letters are those letters ("PINE-2O19-OO2",
# "TINY-00l"). Capital I and small L stay apart, unlike in UTS #39: "AI" is not "Al".
_DIGITS_DRAWN_AS_LETTERS = str.maketrans("01", "ol")
# An ASCII cluster is one character (combining marks are not ASCII); NFKC leaves it as it is.
_ASCII_FOLDED = {chr(i): chr(i).lower().translate(_DIGITS_DRAWN_AS_LETTERS) for i in range(128)}


def _drawn_when_case_folded() -> dict[str, str]:
    """The look-alikes by their case-folded letter, so that a name matches in any case.

    A look-alike read before case folding would split one name in two: "\u0412" (drawn as
    B) and its small "\u0432" (drawn as no Latin letter) would fold apart, and so would
    "\u0393\u03b9\u03ce\u03c1\u03b3\u03bf\u03c2" written in capitals. So a letter's small form
    is drawn as its capital is ("\u0432" as b too: only whole names are ever matched). Where
    the capital and the small letter are drawn as different Latin letters (Greek "\u039d"
    as N, "\u03bd" as v), the capital's is kept: ids are written in capitals.
    """
    drawn: dict[str, str] = {}
    for letter, latin in sorted(LOOKALIKES.items(), key=lambda item: item[0].isupper()):
        drawn[unicodedata.normalize("NFKC", letter.casefold())] = latin  # capitals last
    return drawn


_DRAWN = _drawn_when_case_folded()


def _fold(cluster: str) -> str:
    ascii_folded = _ASCII_FOLDED.get(cluster)
    if ascii_folded is not None:  # the common case
        return ascii_folded
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", cluster).casefold())
    drawn = "".join(_DRAWN.get(ch, ch) for ch in folded)
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch
                   for ch in drawn).translate(_DIGITS_DRAWN_AS_LETTERS)


def _invisible(ch: str) -> bool:
    return ch in _IGNORABLE or unicodedata.category(ch) == "Cf"


def _kind(ch: str) -> str:
    """"letter" for what spells a name, or which separator ``ch`` is."""
    if _invisible(ch):
        return INVISIBLE
    return VISIBLE if unicodedata.category(ch)[0] in "PSZ" or unicodedata.category(ch) == "Cc" \
        else "letter"


def without_invisibles(text: str) -> str:
    """``text`` without the characters that draw nothing, as a letter shows it.

    Dropped rather than shown as spaces ("Co\u200boperation" is "Cooperation"), as
    matching names treats them (no name can be hidden by dropping them), and so that a
    bidi control cannot reorder the letter.
    """
    if text.isascii():
        return text
    return "".join(ch for ch in text if not _invisible(ch))


@lru_cache(maxsize=4096)  # each letter compares its own three names with every match
def key(name: str) -> str:
    """A name as compared: folded, without separators ("PINE-2019-002" is "pine2019002")."""
    return "".join(ch for ch in Folded.of(name).text if ch not in (VISIBLE, INVISIBLE))


def _pattern_of(name: str) -> str:
    """The regular expression for ``name`` in folded text (see the module's rules)."""
    words = [w for w in re.split(f"[{VISIBLE}{INVISIBLE}]", Folded.of(name).text) if w]
    anywhere = f"[{VISIBLE}{INVISIBLE}]?" if sum(map(len, words)) >= SPLIT_FROM \
        else f"{INVISIBLE}?"
    between_words = f"[{VISIBLE}{INVISIBLE}]?"
    return between_words.join(anywhere.join(map(re.escape, word)) for word in words)


def _distinctive(title: str) -> bool:
    words = [w for w in re.split(f"[{VISIBLE}{INVISIBLE}]", Folded.of(title).text) if w]
    return len(words) >= 2 and len(key(title)) >= TITLE_LETTERS


@dataclass(frozen=True)
class Redactor:
    """The names of a call's applicants and reviewers, found in any text in one pass."""

    pattern: re.Pattern[str] | None
    reviewers: frozenset[str]  # keys

    @classmethod
    def of(cls, call: Call, more_reviewers: Iterable[str] = ()) -> Redactor:
        """The names of ``call`` and ``more_reviewers`` (display names, ids; any case).

        A reviewer is redacted even in the comments they wrote themselves: a signature or
        "as Ann Smith I ..." would name them.
        """
        applicants = [n for app in call.applications for n in _names(app)]
        reviewers = [*reviewer_ids(call), *more_reviewers]
        by_key = {key(n): n for n in (*applicants, *reviewers) if key(n)}
        ordered = sorted(by_key, key=lambda k: (-len(k), k))
        if not ordered:
            return cls(None, frozenset())
        alternatives = "|".join(_pattern_of(by_key[k]) for k in ordered)
        edge = f"[^{VISIBLE}{INVISIBLE}]"
        pattern = re.compile(f"(?<!{edge})(?:{alternatives})(?!{edge})")
        return cls(pattern, frozenset(filter(None, map(key, reviewers))))

    def in_letter_to(self, own: Application, text: str) -> str:
        """``text`` with every name that is not ``own``'s replaced; nothing else changed."""
        if self.pattern is None:
            return text
        mine = {key(own.id), key(own.title), key(own.organisation.name)}
        folded = Folded.of(text)
        kept, upto = [], 0
        for match in self.pattern.finditer(folded.text):
            # The match is folded text already: folding it again could change it.
            found = "".join(ch for ch in match.group(0) if ch not in (VISIBLE, INVISIBLE))
            if found in mine and found not in self.reviewers:
                continue
            start, end = folded.starts[match.start()], folded.ends[match.end() - 1]
            kept += [text[upto:start], A_REVIEWER if found in self.reviewers
                     else ANOTHER_APPLICANT]
            upto = end
        return "".join([*kept, text[upto:]])


def _names(app: Application) -> list[str]:
    """What names an applicant: its id, organisation and (when distinctive) its title."""
    return [app.id, app.organisation.name, *([app.title] if _distinctive(app.title) else [])]


def reviewer_ids(call: Call) -> set[str]:
    """Every reviewer the call's files name (reviews and declared conflicts)."""
    return {r.reviewer for r in call.reviews} | {c.reviewer for c in call.conflicts}
