"""Each submission runs in its own sandbox: what its code reaches, the limits it meets.

The notebooks here import neither torch nor the course (their kernels start in a second
or two): what a cell can do in the sandbox does not depend on what it imports.
"""

import contextlib
import errno
import io
import os
import socket
import subprocess
import time
import uuid
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from course_tools import grading, sandbox

ROOT = Path(__file__).resolve().parents[1]
COURSE_FILE = ROOT / "course_utils" / "__init__.py"


def notebook(*sources):
    return new_notebook(cells=[new_code_cell(source) for source in sources])


def printed(cell):
    return "".join(output.get("text", "") for output in cell.outputs)


def attempt(action):
    """A cell that tries ``action`` and prints what happened.

    It prints 'done', or the error's errno.
    """
    return (
        f"try:\n    {action}\n    print('done')\nexcept OSError as error:\n    print(error.errno)"
    )


def test_a_submission_cannot_write_the_course_read_others_or_reach_the_network(
    tmp_path, monkeypatch
):
    other = tmp_path / "class" / "bob" / "09_evaluation.ipynb"
    other.parent.mkdir(parents=True)
    other.write_text("bob's answers")
    server = socket.create_server(("127.0.0.1", 0))  # outside the sandbox, on the loopback
    server.setblocking(False)
    port = server.getsockname()[1]
    monkeypatch.setenv("GRADER_SECRET", "the grader's token")
    before = COURSE_FILE.read_bytes()
    scratch = f"/tmp/scratch-{uuid.uuid4().hex}.txt"
    with open("/tmp/grading-probe-outside", "w"):  # the host's /tmp, not the sandbox's
        pass
    try:
        executed, failure = grading.run_notebook(
            notebook(
                attempt(f"open({str(COURSE_FILE)!r}, 'a').close()"),  # opening for writing
                attempt(f"open({str(other)!r}).read()"),
                attempt(f"__import__('socket').create_connection(('127.0.0.1', {port}), 3)"),
                attempt("open('answers.txt', 'w').write('mine')"),  # its own folder
                attempt(f"open({scratch!r}, 'w').write('mine')"),  # its own /tmp
                "import os\n\n"
                f"print(os.path.exists({str(ROOT / 'notebooks')!r}), "
                "os.path.exists('/tmp/grading-probe-outside'), 'GRADER_SECRET' in os.environ)",
            ),
            timeout=60,
        )
        with pytest.raises(BlockingIOError):
            server.accept()  # nobody connected
    finally:
        server.close()
        os.remove("/tmp/grading-probe-outside")
    assert failure == ""
    outputs = [printed(cell).strip() for cell in executed.cells]
    assert outputs[:5] == [
        str(errno.EROFS),  # the course package is there, read-only
        str(errno.ENOENT),  # another submission is not there at all
        str(errno.ECONNREFUSED),  # its loopback is its own: nobody listens there
        "done",
        "done",
    ]
    # no course notebook (so no solution), not the host's /tmp, not the
    # grader's environment
    assert outputs[5] == "False False False"
    assert COURSE_FILE.read_bytes() == before
    assert not Path(scratch).exists()


def test_a_submission_that_allocates_without_limit_is_stopped_and_reported():
    executed, failure = grading.run_notebook(
        notebook(
            "chunks = []\nwhile True:\n    chunks.append(bytes(10**8))  # 100 MB each",
            "print(len(chunks))",
        ),
        timeout=60,
        memory_gb=1,
    )
    assert failure == "cell 1 ('chunks = []') raised MemoryError (the memory limit is 1 GB)"
    # the kernel itself takes part of the 1 GB: fewer than 10 chunks of 100 MB fit
    assert 0 < int(printed(executed.cells[1])) < 10


def test_a_submission_that_loops_forever_is_stopped_and_reported():
    started = time.perf_counter()
    executed, failure = grading.run_notebook(
        notebook("print('start')", "while True:\n    pass", "print('never')"), timeout=5
    )
    assert failure == "cell 2 ('while True:') ran longer than 5 s and was stopped"
    assert printed(executed.cells[0]) == "start\n" and executed.cells[2].outputs == []
    assert time.perf_counter() - started < 60  # the loop was stopped, not waited for


def test_the_kernel_talks_over_unix_sockets_and_grading_prints_no_transport_warning(
    tmp_path, capfd
):
    (tmp_path / "course").mkdir()
    nbformat.write(notebook("print('hello')"), tmp_path / "course" / "01_tiny.ipynb")
    submission = tmp_path / "ann" / "01_tiny.ipynb"
    submission.parent.mkdir()
    nbformat.write(
        notebook(
            "print('hello')",
            "from ipykernel.kernelapp import IPKernelApp\n\nprint(IPKernelApp.instance().transport)",
        ),
        submission,
    )
    with contextlib.redirect_stdout(io.StringIO()):
        assert grading.main([str(submission), "--course", str(tmp_path / "course")]) == 0
    out, err = capfd.readouterr()
    assert "without encryption" not in out + err and "WARNING" not in out + err
    executed, _ = grading.run_notebook(nbformat.read(submission, as_version=4), timeout=60)
    assert printed(executed.cells[1]) == "ipc\n"


def test_grading_without_a_working_bubblewrap_says_what_to_do(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sandbox.shutil, "which", lambda name: None)
    with pytest.raises(RuntimeError, match=r"sudo apt-get install bubblewrap"):
        grading.run_notebook(notebook("print(1)"))
    (tmp_path / "ann.ipynb").write_text(nbformat.writes(notebook("print(1)")))
    assert grading.main([str(tmp_path / "ann.ipynb")]) == 2
    assert "bubblewrap, which is not installed" in capsys.readouterr().err
    # installed, but the system does not let it make a sandbox (no user namespaces)
    monkeypatch.setattr(sandbox.shutil, "which", lambda name: "/usr/bin/bwrap")
    monkeypatch.setattr(sandbox, "_sandbox_problem", lambda bwrap: "setting up uid map: denied")
    with pytest.raises(RuntimeError, match=r"cannot make a sandbox here \(setting up uid map"):
        grading.run_notebook(notebook("print(1)"))


def test_a_course_kept_under_tmp_is_still_seen_inside_the_sandbox(tmp_path, monkeypatch):
    """The sandbox's private /tmp must not hide a course (or a Python) kept under /tmp.

    A clone in /tmp is where an instructor may well try the grader; the package folder
    is mounted after the private /tmp, so it shows through.
    """
    package = tmp_path / "course" / "course_utils"  # pytest's tmp_path lies under /tmp
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("seen = True\n")
    monkeypatch.setattr(sandbox, "course_package_folder", lambda: package.resolve())
    work, channel = tmp_path / "work", tmp_path / "channel"
    work.mkdir()
    channel.mkdir()
    command = sandbox.sandbox_command(["cat", str(package / "__init__.py")], work, channel)
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stdout) == (0, "seen = True\n"), result.stderr
