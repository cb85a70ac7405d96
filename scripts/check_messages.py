"""Keep the translation catalogues complete and the committed .mo files current.

    python scripts/check_messages.py            check (CI): complete, no fuzzy, .mo current,
                                                and no UI string missing from the catalogue
    python scripts/check_messages.py --compile  write the .mo files (no system gettext needed)

The .mo files are committed so a fresh install needs no gettext tools at all.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
LOCALE_DIR = ROOT / "consultdesk" / "locale"
IGNORED = ["analysis/*", "*/tests/*"]


def catalogues() -> list[Path]:
    return sorted(LOCALE_DIR.glob("*/LC_MESSAGES/django.po"))


def _entries(catalogue: polib._BaseFile) -> dict[tuple[str, str], str]:
    result = {}
    for entry in catalogue:
        if entry.obsolete or not entry.msgid:
            continue
        value = entry.msgstr or "|".join(
            entry.msgstr_plural[key] for key in sorted(entry.msgstr_plural)
        )
        result[(entry.msgctxt or "", entry.msgid)] = value
    return result


def check_complete(po_path: Path) -> list[str]:
    po = polib.pofile(str(po_path))
    problems = [f"untranslated: {entry.msgid!r}" for entry in po.untranslated_entries()]
    problems += [f"fuzzy: {entry.msgid!r}" for entry in po.fuzzy_entries()]
    mo_path = po_path.with_suffix(".mo")
    if not mo_path.exists():
        problems.append(f"{mo_path.relative_to(ROOT)} is missing (run with --compile)")
    elif _entries(polib.mofile(str(mo_path))) != _entries(po):
        problems.append(f"{mo_path.relative_to(ROOT)} is out of date (run with --compile)")
    return problems


def check_extracted(po_path: Path) -> list[str]:
    """Strings in the code or templates that the committed catalogue does not have yet."""
    if shutil.which("xgettext") is None:
        print("check_messages: xgettext not installed; skipping the extraction check", flush=True)
        return []
    language = po_path.parent.parent.name
    with tempfile.TemporaryDirectory() as scratch:
        # A copy of the code, imported first, so the real catalogue is never rewritten.
        copy = Path(scratch) / "consultdesk"
        for package in ("consultdesk", "config"):
            shutil.copytree(
                ROOT / package,
                Path(scratch) / package,
                ignore=shutil.ignore_patterns("__pycache__"),
            )
        command = [
            sys.executable,
            "-m",
            "django",
            "makemessages",
            "--locale",
            language,
            "--no-obsolete",
            *(f"--ignore={pattern}" for pattern in IGNORED),
        ]
        environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings_test",
            "PYTHONPATH": scratch,
        }
        subprocess.run(command, cwd=copy, check=True, capture_output=True, env=environment)
        fresh = polib.pofile(str(copy / "locale" / language / "LC_MESSAGES" / "django.po"))
    known = set(_entries(polib.pofile(str(po_path))))
    return [
        f"not in the catalogue: {msgid!r}"
        for key in _entries(fresh)
        if key not in known
        for msgid in [key[1]]
    ]


def compile_all() -> None:
    for po_path in catalogues():
        polib.pofile(str(po_path)).save_as_mofile(str(po_path.with_suffix(".mo")))
        print(f"compiled {po_path.with_suffix('.mo').relative_to(ROOT)}")


def main(argv: list[str]) -> int:
    if "--compile" in argv:
        compile_all()
        return 0
    problems = []
    for po_path in catalogues():
        problems += [f"{po_path.relative_to(ROOT)}: {p}" for p in check_complete(po_path)]
        problems += [f"{po_path.relative_to(ROOT)}: {p}" for p in check_extracted(po_path)]
    for problem in problems:
        print(problem)
    if not catalogues():
        print("no catalogues found")
        return 1
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
