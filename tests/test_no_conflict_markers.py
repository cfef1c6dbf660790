"""No file in the repository keeps a merge's conflict markers.

A marker left in the README or a notebook is read by students as part of the text; one
left in code fails at import, but only when that code is reached.
"""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# git's markers: seven <, = or > at the start of a line (the = alone on its line)
MARKER = re.compile(r"^(<{7}( .*)?|={7}|>{7}( .*)?)$", re.MULTILINE)


def conflict_lines(text: str) -> list[int]:
    return [text.count("\n", 0, m.start()) + 1 for m in MARKER.finditer(text)]


def test_the_pattern_finds_a_conflict_and_nothing_else():
    conflict = "a\n<<<<<<< HEAD\nb\n=======\nc\n>>>>>>> main\nd\n"
    assert conflict_lines(conflict) == [2, 4, 6]
    assert conflict_lines("a heading\n=======\n") == [2]  # setext underlines of 7 are not used
    assert conflict_lines("x = '<<<<<<<<'\n# ======== divider\n") == []


def test_no_tracked_file_holds_a_conflict_marker():
    files = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split("\0")
    problems = []
    for name in files:
        try:
            text = (ROOT / name).read_text(encoding="utf-8")
        except (UnicodeDecodeError, FileNotFoundError, IsADirectoryError):
            continue  # a picture or other binary file
        problems += [f"{name}:{line}" for line in conflict_lines(text)]
    assert not problems, "conflict markers left by a merge: " + ", ".join(problems)
