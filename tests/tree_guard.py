"""Check that running the tests wrote nothing inside the repository.

Used by `make test`: `tree_guard.py snapshot FILE` before pytest, `tree_guard.py compare FILE`
after. Every file that appeared or changed in between, tracked or untracked, ignored or not,
fails the check, except Python's bytecode caches. Outside a git checkout it does nothing.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from course_tools.grading import tree_snapshot  # the grader guards the course tree the same way

ROOT = Path(__file__).resolve().parents[1]
ALLOWED_PARTS = {"__pycache__", ".venv", ".venv-compat"}  # bytecode caches; the virtualenvs


def repository_files() -> dict[str, str] | None:
    """Every file under the repository but .git and the allowed folders -> a hash of its content."""
    inside = subprocess.run(
        ["git", "rev-parse", "--is-inside-work-tree"], cwd=ROOT, capture_output=True, text=True
    )
    if inside.returncode != 0:
        return None
    return tree_snapshot(ROOT, skipped_folders={".git", *ALLOWED_PARTS})


def main() -> int:
    mode, state_file = sys.argv[1], Path(sys.argv[2])
    files = repository_files()
    if files is None:
        return 0
    if mode == "snapshot":
        state_file.write_text(json.dumps(files))
        return 0
    before = json.loads(state_file.read_text())
    written = sorted(name for name, digest in files.items() if before.get(name) != digest)
    removed = sorted(set(before) - set(files))
    if written or removed:
        print(
            "The tests changed files inside the repository (they must write to a temporary folder):"
        )
        for name in written:
            print("  written:", name)
        for name in removed:
            print("  removed:", name)
        return 1
    print(f"tree guard: the tests wrote nothing inside the repository ({len(files)} files checked)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
