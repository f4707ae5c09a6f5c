"""A redacted contact cannot be recovered by guessing; an auditor with the funder's key can check.

The attack that worked on the old manifest (it kept the plain SHA-256 of each original):
rebuild the original with every candidate phone number and compare its hash with every
digest in the pack. It must now find nothing, with or without a funder's key, while
``verify --key-file KEY --originals APPS`` still checks each original against its copy.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from helpers_pack import GOLDEN_CALL_ARGS, golden

PHONE = "020 7946 0101"  # TINY-001's, in tests/golden/tiny-call
ORIGINAL = golden.APPLICATIONS / "TINY-001.yaml"
COPY = "inputs/applications/TINY-001.yaml"


@pytest.fixture(scope="module")
def key(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("key") / "funder.key"
    path.write_bytes(bytes(range(32)))
    return path


@pytest.fixture(scope="module")
def built_keyed_pack(tmp_path_factory: pytest.TempPathFactory, key: Path) -> Path:
    """The golden pack made with the funder's key, once per module."""
    from pine_select.cli import main

    out = tmp_path_factory.mktemp("keyed") / "pack"
    main.main(["pack", *GOLDEN_CALL_ARGS, "--out", str(out), "--key-file", str(key)],
              standalone_mode=False)
    return out


@pytest.fixture
def keyed_pack(built_keyed_pack: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(built_keyed_pack, tmp_path / "keyed"))


def _hex_strings_in(pack: Path) -> set[str]:
    """Every 64-hex-digit string anywhere in the pack: what a guesser can compare with."""
    found: set[str] = set()
    for path in pack.rglob("*"):
        if path.is_file():
            found |= set(re.findall(r"[0-9a-f]{64}", path.read_text(errors="replace")))
    return found


def _brute_force(pack: Path, guesses: int = 1_000) -> str | None:
    """The old attack: the phone number whose original hashes like a digest in the pack."""
    template = ORIGINAL.read_bytes()
    assert PHONE.encode() in template
    digests = _hex_strings_in(pack)
    for number in range(guesses):
        guess = f"020 7946 {number:04d}"
        candidate = template.replace(PHONE.encode(), guess.encode())
        if hashlib.sha256(candidate).hexdigest() in digests:
            return guess
    return None


@pytest.mark.parametrize("with_key", [False, True], ids=["no-key", "funder-key"])
def test_guessing_the_redacted_phone_number_finds_nothing(
        golden_pack: Path, keyed_pack: Path, with_key: bool) -> None:
    out = keyed_pack if with_key else golden_pack
    assert PHONE not in "".join(p.read_text(errors="replace") for p in out.rglob("*")
                                if p.is_file())
    assert _brute_force(out) is None
    # the attack is sound: against a plain digest of the original it finds the number
    (out / "leak.txt").write_text(hashlib.sha256(ORIGINAL.read_bytes()).hexdigest())
    assert _brute_force(out) == PHONE


def test_without_a_key_the_manifest_names_the_redacted_copies_and_keeps_no_digest(
        golden_pack: Path) -> None:
    import json

    out = golden_pack
    redacted = json.loads((out / "manifest.json").read_bytes())["redacted_originals"]
    assert COPY in redacted["copies"]
    assert redacted["hmac_sha256"] == {} and redacted["key_id"] is None


def test_an_auditor_with_the_key_checks_every_original(
        run_cli: Callable[..., Result], key: Path, keyed_pack: Path) -> None:
    out = keyed_pack
    assert run_cli("verify", out).exit_code == 0  # the key is needed only for originals
    result = run_cli("verify", out, "--key-file", key, "--originals", golden.APPLICATIONS)
    assert result.exit_code == 0, result.output


def test_an_altered_original_is_caught_with_the_key(
        run_cli: Callable[..., Result], tmp_path: Path, key: Path, keyed_pack: Path) -> None:
    out = keyed_pack
    originals = tmp_path / "originals"
    shutil.copytree(golden.APPLICATIONS, originals)
    path = originals / "TINY-001.yaml"
    path.write_bytes(path.read_bytes().replace(PHONE.encode(), b"020 7946 0102"))
    result = run_cli("verify", out, "--key-file", key, "--originals", originals)
    assert result.exit_code == 1
    assert f"{COPY}: {path} is not the original the pack was made from" in result.stdout


def test_a_wrong_key_is_named_as_such(run_cli: Callable[..., Result], tmp_path: Path,
                                      key: Path, keyed_pack: Path) -> None:
    out = keyed_pack
    wrong = tmp_path / "wrong.key"
    wrong.write_bytes(b"w" * 32)
    result = run_cli("verify", out, "--key-file", wrong, "--originals", golden.APPLICATIONS)
    assert result.exit_code == 1
    assert "the key given is not the key the pack was made with" in result.stdout


def test_a_pack_made_without_a_key_says_its_originals_cannot_be_checked(
        run_cli: Callable[..., Result], key: Path, golden_pack: Path) -> None:
    out = golden_pack
    result = run_cli("verify", out, "--key-file", key)
    assert result.exit_code == 1
    assert "made without a key" in result.stdout


@pytest.mark.parametrize("content, message", [(b"short", "at least 16"),
                                              (None, "cannot be read")])
def test_a_key_file_that_is_no_secret_is_refused(
        run_cli: Callable[..., Result], tmp_path: Path, content: bytes | None,
        message: str) -> None:
    key = tmp_path / "funder.key"
    if content is not None:
        key.write_bytes(content)
    result = run_cli("pack", *GOLDEN_CALL_ARGS, "--out", tmp_path / "pack", "--key-file", key)
    assert result.exit_code == 2 and message in result.stderr
    assert not (tmp_path / "pack").exists()


def test_originals_without_a_key_is_a_usage_error(run_cli: Callable[..., Result],
                                                  golden_pack: Path) -> None:
    out = golden_pack
    result = run_cli("verify", out, "--originals", golden.APPLICATIONS)
    assert result.exit_code == 2 and "--originals needs --key-file" in result.stderr


def test_a_forged_redaction_entry_cannot_point_the_check_outside_the_originals(
        run_cli: Callable[..., Result], key: Path, keyed_pack: Path) -> None:
    import json

    out = keyed_pack
    manifest = json.loads((out / "manifest.json").read_bytes())
    manifest["redacted_originals"]["hmac_sha256"]["inputs/applications/.."] = "0" * 64
    (out / "manifest.json").write_text(json.dumps(manifest))
    result = run_cli("verify", out, "--key-file", key, "--originals", golden.APPLICATIONS)
    assert result.exit_code == 1
    assert "lists inputs/applications/.., which is not an application of the pack" \
        in result.stdout
