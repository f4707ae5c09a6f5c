"""Checking redacted copies against their originals, for an auditor holding the funder's key.

A copy in ``inputs/`` whose ``contact`` block was cut no longer hashes like the original
application. A plain digest of the original would let anyone holding the pack recover
the contact by guessing (a phone number is one of 10^6..10^10 candidates), so a pack
keeps none: with a funder-held key (``pack --key-file``) its manifest records the
HMAC-SHA256 of each original under that key, and without a key nothing at all. Checking
an original needs the key: without it an HMAC is a random-looking string.
"""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

from pine_select.pack.files import is_pack_file, key_id, original_digest, redacted_copy
from pine_select.pack.manifest import Manifest

_CLAIM = "redacted_originals"


def check_originals(manifest: Manifest, key: bytes, folder: Path | None) -> tuple[str, ...]:
    """What is wrong with the manifest's redaction claims under ``key`` (and the originals)."""
    if manifest.key_id is None:
        return (f"{_CLAIM}: the pack was made without a key, so no original can be checked",)
    if not hmac.compare_digest(key_id(key), manifest.key_id):
        return (f"{_CLAIM}.key_id: the key given is not the key the pack was made with",)
    recorded = dict(manifest.redaction.hmacs)
    found = [f"{_CLAIM}: {name} has no HMAC recorded"
             for name in manifest.redaction.copies if name not in recorded]
    foreign = {name for name in set(recorded) | set(manifest.redaction.copies)
               if name not in manifest.inputs or not is_pack_file(name)}
    found += [f"{_CLAIM}: lists {name}, which is not an application of the pack"
              for name in sorted(foreign)]
    recorded = {name: digest for name, digest in recorded.items() if name not in foreign}
    if folder is not None:
        found += [problem for name, digest in sorted(recorded.items())
                  for problem in _check_one(manifest, key, name, digest, folder)]
    return tuple(found)


def _check_one(manifest: Manifest, key: bytes, name: str, digest: str,
               folder: Path) -> list[str]:
    path = folder / Path(name).name
    try:
        original = path.read_bytes()
    except OSError as exc:
        return [f"{_CLAIM}: {name}: its original {path} cannot be read "
                f"({exc.strerror or exc})"]
    if not hmac.compare_digest(original_digest(key, original), digest):
        return [f"{_CLAIM}: {name}: {path} is not the original the pack was made from"]
    copy = hashlib.sha256(redacted_copy(original)).hexdigest()
    if manifest.inputs.get(name) != copy:
        return [f"{_CLAIM}: {name}: the copy is not {path} with its contact block cut"]
    return []
