"""course_tools.compat, the tools of `make test-compat`, on small made-up inputs."""

import base64
import io
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from matplotlib.figure import Figure

from course_tools import compat

ROOT = Path(__file__).resolve().parents[1]
v4 = nbformat.v4


def test_the_oldest_releases_are_every_lower_bound_pinned(tmp_path):
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(
        "[project]\n"
        'dependencies = ["torch>=2.13,<2.15", "numpy >= 2.1, <2.6"]\n'
        "[project.optional-dependencies]\n"
        'lab = ["ipywidgets==8.1.2", "jupyterlab<4.7,>=4.2"]\n'
        'test = ["pytest>=8"]\n'
    )
    assert compat.lowest_pins(pyproject) == [
        "torch==2.13",
        "numpy==2.1",
        "ipywidgets==8.1.2",
        "jupyterlab==4.2",
    ]
    pyproject.write_text(
        '[project]\ndependencies = ["tqdm<5"]\n[project.optional-dependencies]\nlab = []\n'
    )
    with pytest.raises(ValueError, match="'tqdm<5' has no lower bound"):
        compat.lowest_pins(pyproject)


def test_the_course_claims_pytorch_2_13_as_its_oldest():
    pins = compat.lowest_pins(ROOT / "pyproject.toml")
    assert "torch==2.13" in pins
    # the command the Makefile runs, with the standard library only (nothing installed yet)
    printed = subprocess.run(
        [
            sys.executable,
            "-S",
            str(ROOT / "course_tools" / "compat.py"),
            "lowest",
            "pyproject.toml",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert printed.splitlines() == pins


def test_output_text_is_sanitized_as_nbval_does():
    outputs = [
        v4.new_output("stream", name="stdout", text="model at 0x7f3a2b4c5d60\n"),
        v4.new_output("stream", name="stdout", text="✅ Python 3.12 (the course supports ...)\n"),
        v4.new_output("execute_result", data={"text/plain": "tensor([1.])"}),
        v4.new_output("error", ename="ValueError", evalue="bad", traceback=[]),
    ]
    assert compat.output_text(outputs, compat._sanitizers()) == (
        "model at 0xADDRESS\n✅ Python 3.X (the course supports ...)\ntensor([1.])ValueError: bad"
    )


def solution(text):
    cell = v4.new_code_cell("# Solution\n...", metadata={"tags": ["solution"]})
    cell.outputs = [v4.new_output("stream", name="stdout", text=text)] if text else []
    return cell


def test_a_solution_must_print_a_pass():
    notebook = v4.new_notebook(
        cells=[
            solution("✅ the solution of a: correct!\n"),
            solution("❌ b: for input 1: got 0, expected 1\n   Hint 1/3: ...\n"),
            solution("⏳ c: not done yet\n"),
            solution(""),
            solution("✅ the solution of d: correct!\n❌ the solution of e: got 1, expected 2\n"),
            v4.new_code_cell("checks.check_function(...)"),  # a student's check: not judged
        ]
    )
    assert compat.solution_problems(notebook) == [
        "cell 2 (a solution): ❌ b: for input 1: got 0, expected 1",
        "cell 3 (a solution): ⏳ c: not done yet",
        "cell 4 (a solution): no output",
        "cell 5 (a solution): ❌ the solution of e: got 1, expected 2",
    ]


def test_pictures_must_be_inside_the_notebook_opened_alone(tmp_path):
    (tmp_path / "here.png").write_bytes(b"\x89PNG")
    notebook = v4.new_notebook(
        cells=[
            v4.new_markdown_cell(
                "![a](attachment:a.png) ![b](attachment:b.png)",
                attachments={"a.png": {"image/png": "iVBO"}},
            ),
            v4.new_markdown_cell('![c](../images/c.png) <img src="here.png">'),
        ]
    )
    assert compat.missing_pictures(notebook, tmp_path) == [
        "cell 1: attachment:b.png is not attached",
        "cell 2: ../images/c.png is not there",
    ]


def png(points):
    figure = Figure(figsize=(2, 2), dpi=50)
    figure.add_subplot().plot(points)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return base64.b64encode(buffer.getvalue()).decode()


def test_differences_are_counted_per_cell_text_and_figures_apart():
    def notebook(number, points, ignored_text):
        return v4.new_notebook(
            cells=[
                v4.new_markdown_cell("# title"),
                v4.new_code_cell(
                    "print(x)", outputs=[v4.new_output("stream", name="stdout", text=number)]
                ),
                v4.new_code_cell(
                    "plot()",
                    outputs=[v4.new_output("display_data", data={"image/png": png(points)})],
                ),
                v4.new_code_cell(
                    "widget",
                    metadata={"tags": ["nbval-ignore-output"]},
                    outputs=[v4.new_output("stream", name="stdout", text=ignored_text)],
                ),
            ]
        )

    committed = notebook("0.5000\n", [1, 2, 3], "a")
    assert compat.compare_with_committed(committed, notebook("0.5000\n", [1, 2, 3], "b")) == {
        "cells": 2,
        "text": 0,
        "figures": 0,
    }
    assert compat.compare_with_committed(committed, notebook("0.5001\n", [1, 3, 2], "b")) == {
        "cells": 2,
        "text": 1,
        "figures": 1,
    }


def test_a_fresh_environment_sees_the_base_packages_and_installs_into_itself(tmp_path):
    python = compat.fresh_environment(Path(sys.executable), tmp_path / "fresh")
    where = subprocess.run(
        [str(python), "-c", "import sys, nbformat; print(sys.prefix); print(nbformat.__file__)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert where[0] == str(tmp_path / "fresh")  # its own environment
    assert not where[1].startswith(str(tmp_path))  # the base's package, not a copy
    # the base's .pth files are not run: its editable course_utils stays out of sight
    found = subprocess.run(
        [
            str(python),
            "-c",
            "import importlib.util; print(importlib.util.find_spec('course_utils'))",
        ],
        cwd=tmp_path,  # not the course folder, where course_utils/ lies
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert found == "None"
