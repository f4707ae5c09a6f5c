"""The files of a briefing pack: its layout, copying the inputs in, and reading it back safely.

A pack consists of ``briefing.html``, ``results.json``, ``manifest.json`` (and, later,
``briefing.pdf``) plus ``inputs/`` in the layout :func:`copy_inputs` writes. That layout is
written down once, in :func:`is_pack_file`, and both sides use it: ``pack --force``
replaces only a folder made of such files, and ``verify`` refuses any other file.

A received pack is untrusted: :func:`scan` lists it without following a symbolic link
(a link is reported, never read through), and :func:`sha256_of` opens with
``O_NOFOLLOW``, so verifying a pack never reads outside its folder.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path

from pine_select.errors import PackError, escaped
from pine_select.loading.yaml_source import without_top_level_key
from pine_select.model.call import CallFiles

BRIEFING = "briefing.html"
BRIEFING_PDF = "briefing.pdf"
RESULTS = "results.json"
MANIFEST = "manifest.json"
INPUTS = "inputs"
APPLICATIONS = "applications"
RUBRIC_NAME = "rubric.yaml"
CALL_EXTRAS = ("reviews.csv", "conflicts.csv", "overrides.yaml", "decision.yaml")

OUTPUT_NAMES = frozenset({BRIEFING, RESULTS, BRIEFING_PDF})
_FOLDERS = frozenset({INPUTS, f"{INPUTS}/{APPLICATIONS}"})
_KEY_LABEL = b"pine-select key id"


def is_pack_file(relative: str) -> bool:
    """Whether a pack may hold a file at ``relative`` (a POSIX path inside the pack)."""
    if relative in OUTPUT_NAMES or relative in (MANIFEST, f"{INPUTS}/{RUBRIC_NAME}"):
        return True
    folder, _, name = relative.rpartition("/")
    return folder == f"{INPUTS}/{APPLICATIONS}" and (
        name in CALL_EXTRAS or name.endswith((".yaml", ".yml")))


@dataclass(frozen=True)
class Listing:
    """A folder's regular files by relative POSIX path, and what it holds that a pack may not."""

    files: dict[str, Path]
    refused: tuple[tuple[str, str], ...]  # (relative path, why a pack may not hold it)


def scan(folder: Path, prefix: str = "") -> Listing:
    """List ``folder`` as a pack (``prefix``: its path inside the pack, e.g. ``inputs/``).

    Symbolic links, devices and FIFOs are refused, not followed or opened, as is any
    file or folder outside the pack's layout.
    """
    found: dict[str, Path] = {}
    refused: list[tuple[str, str]] = []
    _scan_into(folder, prefix, found, refused)
    return Listing(dict(sorted(found.items())), tuple(sorted(refused)))


def _scan_into(folder: Path, prefix: str, found: dict[str, Path],
               refused: list[tuple[str, str]]) -> None:
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda e: e.name)
    except OSError as exc:
        refused.append((prefix or ".", f"cannot be listed ({exc.strerror or exc})"))
        return
    for entry in entries:
        relative = f"{prefix}{entry.name}"
        kind = _kind(entry)
        if not relative.isprintable():
            # A newline or an undecodable byte would forge or break a line of the report.
            refused.append((escaped(relative), "a name with unprintable characters"))
        elif kind == "folder" and relative in _FOLDERS:
            _scan_into(Path(entry.path), f"{relative}/", found, refused)
        elif kind == "file" and is_pack_file(relative):
            found[relative] = Path(entry.path)
        else:
            refused.append((relative, _refusal(kind)))


def _kind(entry: os.DirEntry[str]) -> str:
    if entry.is_symlink():
        return "link"
    if entry.is_dir(follow_symlinks=False):
        return "folder"
    return "file" if entry.is_file(follow_symlinks=False) else "special"


def _refusal(kind: str) -> str:
    return {
        "link": "a symbolic link (not followed: a pack holds only regular files)",
        "special": "not a regular file (a pack holds only regular files)",
        "folder": "a folder a briefing pack does not hold",
    }.get(kind, "not a file a briefing pack holds")


def sha256_of(path: Path) -> str:
    """The SHA-256 of a regular file, refusing to open it through a symbolic link."""
    digest = hashlib.sha256()
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(descriptor, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise PackError(f"{path}: not a regular file")
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def original_digest(key: bytes, original: bytes) -> str:
    """HMAC-SHA256 of a redacted application's original: checkable only with the key."""
    return hmac.new(key, original, hashlib.sha256).hexdigest()


def key_id(key: bytes) -> str:
    """Names a key without revealing it, so verify can tell a wrong key from an altered file."""
    return hmac.new(key, _KEY_LABEL, hashlib.sha256).hexdigest()


def inside(folder: Path, relative: str) -> Path:
    """``folder / relative``, refusing any name that would land outside ``folder``."""
    target = (folder / relative).resolve()
    if not target.is_relative_to(folder.resolve()) or Path(relative).is_absolute():
        raise PackError(f"refusing to write {relative!r}: it is outside the pack folder")
    return target


@dataclass(frozen=True)
class Redaction:
    """Which copies lost their contact block, and (with a funder's key) their originals' HMACs."""

    copies: tuple[str, ...] = ()
    hmacs: tuple[tuple[str, str], ...] = ()


def copy_inputs(files: CallFiles, folder: Path, *, redact_contacts: bool,
                key: bytes | None = None) -> Redaction:
    """Copy the call's files into ``folder/inputs`` in the layout ``load_call`` defaults to.

    The rubric becomes ``inputs/rubric.yaml``; applications, reviews.csv, conflicts.csv and
    overrides.yaml go into ``inputs/applications/``, so a re-run needs no options. With
    ``redact_contacts`` an application's ``contact`` block is cut from its copy (personal
    data stays out of packs). No plain digest of an original is kept (one could be matched
    by guessing the contact); with a funder's ``key`` the HMAC of each original is.
    """
    apps = folder / INPUTS / APPLICATIONS
    apps.mkdir(parents=True)
    shutil.copyfile(files.rubric, folder / INPUTS / RUBRIC_NAME)
    copies: list[str] = []
    hmacs: list[tuple[str, str]] = []
    for path in files.applications:
        original = path.read_bytes()
        copy = redacted_copy(original) if redact_contacts else original
        inside(apps, path.name).write_bytes(copy)
        if copy != original:
            name = f"{INPUTS}/{APPLICATIONS}/{path.name}"
            copies.append(name)
            if key is not None:
                hmacs.append((name, original_digest(key, original)))
    extras = dict(zip(CALL_EXTRAS, (files.reviews, files.conflicts, files.overrides,
                                    files.decision), strict=True))
    for name, source in extras.items():
        if source is not None:
            shutil.copyfile(source, apps / name)
    return Redaction(tuple(sorted(copies)), tuple(sorted(hmacs)))


def redacted_copy(original: bytes) -> bytes:
    """An application file without its top-level ``contact`` block (as is if not UTF-8)."""
    try:
        text = original.decode("utf-8-sig")
    except UnicodeDecodeError:
        return original
    return without_top_level_key(text, "contact").encode()


def write_bytes(folder: Path, relative: str, content: bytes) -> None:
    target = inside(folder, relative)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)
