"""Print the table of pine_select/after/lookalikes.py from Unicode's confusables.txt.

    python scripts/gen_lookalikes.py confusables.txt > table.txt

confusables.txt is UTS #39's data (https://www.unicode.org/Public/security/): each line maps
a character to the prototype it is confused with. The table keeps the letters (not ASCII,
not changed by NFKC, known to this Python's Unicode data) whose prototype is made of ASCII
letters and digits, as redaction folds them: a capital that UTS #39 reads as "l" (capital I
and small L share one prototype) as the capital I it is drawn as, then case-folded.
"""

from __future__ import annotations

import sys
import unicodedata
from collections.abc import Iterator


def _rows(path: str) -> Iterator[tuple[str, str]]:
    with open(path, encoding="utf-8-sig") as lines:
        for line in lines:
            data = line.split("#", 1)[0].strip()
            if data:
                source, target, _ = (part.strip() for part in data.split(";"))
                yield chr(int(source, 16)), "".join(chr(int(cp, 16)) for cp in target.split())


def table(path: str) -> dict[str, str]:
    kept = {}
    for source, target in _rows(path):
        if (source.isascii() or not unicodedata.category(source).startswith("L")
                or unicodedata.normalize("NFKC", source) != source
                or not (target.isascii() and target.isalnum())):
            continue
        if target == "l" and unicodedata.category(source) == "Lu":
            target = "I"
        kept[source] = target.casefold()
    return kept


def main(path: str) -> None:
    for source, target in sorted(table(path).items()):
        escape = f"\\u{ord(source):04x}" if ord(source) <= 0xFFFF else f"\\U{ord(source):08x}"
        print(f'    "{escape}": "{target}",  # {unicodedata.name(source)}')


if __name__ == "__main__":
    main(sys.argv[1])
