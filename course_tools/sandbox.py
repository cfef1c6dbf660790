"""Run a notebook's kernel in a sandbox: no network, nothing of the course but its code.

The grader (trusted) drives the notebook with nbclient; the kernel (the student's code)
runs inside Debian's bubblewrap (``bwrap``) and talks to the grader over ZMQ's ``ipc``
transport: unix sockets in a folder both see, so the kernel needs no network at all (and
no "running over TCP without encryption" warning is printed). Inside the sandbox the
kernel sees:

- the system (``/usr``, a few files of ``/etc``), the Python installation and its
  virtualenv, and the ``course_utils`` package, all read-only: it can import the course,
  not change it;
- its own working folder (the notebook's current folder and ``$HOME``) and its own empty
  ``/tmp``, both thrown away afterwards;
- nothing else: no other submission, no course notebook (so no solution), no
  network (a network namespace of its own, with only a loopback nobody listens on),
  no other process.

A memory limit (``RLIMIT_DATA``: the private memory a process may map, its heap and
every anonymous mapping; a kernel that has imported PyTorch maps about 0.3 GB, 0.8 GB
with PyPI's CUDA build) is set on the kernel before it starts, and the same bound on any
file it writes (``RLIMIT_FSIZE``) and on its ``/tmp`` (which lives in memory), with a
limit on CPU time (an hour); a cell that asks for more memory gets a
``MemoryError``. The time per cell is the client's to limit (nbclient's ``timeout``).
Processes the kernel starts (``!ls``) run in the same sandbox, under the same limits,
and end with it.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from traitlets import CaselessStrEnum, default

__all__ = [
    "IPCKernelManager",
    "SandboxedKernelManager",
    "require_bubblewrap",
    "sandbox_command",
]

# The kernel starts through this: set the limits, then run ipykernel as `python -m`
# would. The hard limits equal the soft ones, so the kernel cannot raise them again.
# Its parent in the sandbox is bubblewrap's init (process 1), which ipykernel would
# take for its parent having exited; bubblewrap's --die-with-parent stops it when the
# grader goes instead.
LAUNCHER = """\
import os, resource, runpy, sys
os.environ.pop("JPY_PARENT_PID", None)
memory, seconds = int(sys.argv[1]), int(sys.argv[2])
# the data limit, not the address space (RLIMIT_AS): PyTorch's CUDA build maps 3 GB of
# libraries on import, which costs no memory but would eat most of an address-space limit
resource.setrlimit(resource.RLIMIT_DATA, (memory, memory))
resource.setrlimit(resource.RLIMIT_FSIZE, (memory, memory))  # no file larger than that either
resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds))
sys.argv = ["ipykernel_launcher", *sys.argv[3:]]
runpy.run_module("ipykernel_launcher", run_name="__main__", alter_sys=True)
"""

UNPATH = "__import__('sys').path[:] = [p for p in __import__('sys').path if p not in ('', '.')]"

# What of /etc a Python process needs: the loader's cache, fonts, time zone, user names.
ETC_FILES = [
    "ld.so.cache",
    "ld.so.conf",
    "ld.so.conf.d",
    "fonts",
    "localtime",
    "passwd",
    "group",
    "nsswitch.conf",
    "mime.types",
]


class IPCKernelManager(AsyncKernelManager):
    """A kernel manager that talks to its kernel over unix sockets, not TCP.

    The sockets are ZMQ's ``ipc`` transport.
    """

    transport = CaselessStrEnum(["tcp", "ipc"], default_value="ipc", config=True)

    @default("ip")
    def _absolute_ipc_path(self) -> str:
        """Where the sockets go: an absolute path in the temporary folder.

        It must be absolute because the kernel runs in another folder. The sockets are
        removed when the kernel shuts down.
        """
        return os.path.join(tempfile.gettempdir(), f"kernel-{uuid.uuid4()}-ipc")


def require_bubblewrap() -> str:
    """The path of ``bwrap``, once it has made a sandbox here.

    Else an error that says what to do.
    """
    found = shutil.which("bwrap")
    if found is None:
        raise RuntimeError(
            "grading runs each submission in a sandbox made with bubblewrap, which is not "
            "installed: on Debian or Ubuntu run `sudo apt-get install bubblewrap` (it needs "
            "Linux; on another system, grade in a Linux container or virtual machine)"
        )
    problem = _sandbox_problem(found)
    if problem:
        raise RuntimeError(
            f"bubblewrap is installed but cannot make a sandbox here ({problem}): it needs "
            "unprivileged user namespaces (on Ubuntu 24.04 and later, an AppArmor profile for "
            "bwrap, or `sudo sysctl kernel.apparmor_restrict_unprivileged_userns=0`; in a "
            "container, one started with user namespaces allowed)"
        )
    return found


@functools.cache
def _sandbox_problem(bwrap: str) -> str:
    """What bubblewrap says when it tries an empty sandbox with everything unshared.

    '' if it made the sandbox.
    """
    tried = subprocess.run(
        [bwrap, "--unshare-all", "--ro-bind", "/", "/", "true"], capture_output=True, text=True
    )
    return "" if tried.returncode == 0 else tried.stderr.strip() or f"exit {tried.returncode}"


def course_package_folder() -> Path:
    """The folder of the ``course_utils`` package the kernel imports.

    It is found without importing the package.
    """
    spec = importlib.util.find_spec("course_utils")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("course_utils is not installed: run `make setup` first")
    return Path(next(iter(spec.submodule_search_locations))).resolve()


def python_folders() -> list[Path]:
    """The folders the grader's Python runs from: its installation, its virtualenv."""
    folders = {Path(p).resolve() for p in (sys.prefix, sys.exec_prefix, sys.base_prefix)}
    folders.add(Path(sys.base_exec_prefix).resolve())
    return sorted(f for f in folders if f.is_dir() and f != Path("/usr"))


def _tmpfs_size_option(size_bytes: int) -> list[str]:
    """``--size`` for the private /tmp (held in memory), where this bubblewrap knows it.

    Bubblewrap knows it from version 0.7.
    """
    return ["--size", str(size_bytes)] if _knows_size(require_bubblewrap()) else []


@functools.cache
def _knows_size(bwrap: str) -> bool:
    return "--size" in subprocess.run([bwrap, "--help"], capture_output=True, text=True).stdout


def sandbox_command(
    command: list[str], work: Path, channel: Path, tmp_bytes: int = 1024**3
) -> list[str]:
    """``command`` wrapped in bubblewrap.

    The system and the course package are read-only, ``work`` and ``channel`` writable;
    a private ``/tmp`` of at most ``tmp_bytes``; no network, processes or users shared.
    """
    arguments = [
        require_bubblewrap(),
        "--unshare-all",  # network, processes, users, IPC, host name: all its own
        "--die-with-parent",  # nothing survives the grader
        "--new-session",  # no way to type into the grader's terminal
        "--cap-drop",
        "ALL",
        "--ro-bind",
        "/usr",
        "/usr",
    ]
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        path = Path("/") / name
        if path.is_symlink():  # merged /usr: /lib -> usr/lib
            arguments += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            arguments += ["--ro-bind", str(path), str(path)]
    for name in ETC_FILES:
        arguments += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
    arguments += ["--dev", "/dev", "--proc", "/proc", *_tmpfs_size_option(tmp_bytes)]
    arguments += ["--tmpfs", "/tmp"]
    # after the private /tmp, which would hide a Python or a course kept under /tmp
    for folder in [*python_folders(), course_package_folder()]:
        arguments += ["--ro-bind", str(folder), str(folder)]
    for folder in (work, channel):
        arguments += ["--bind", str(folder), str(folder)]
    arguments += ["--chdir", str(work), "--"]
    return arguments + command


class SandboxedKernelManager(IPCKernelManager):
    """Start the kernel inside :func:`sandbox_command`, with memory and CPU-time limits.

    Set ``work`` (the kernel's folder), ``channel`` (where the connection file and the
    ipc sockets go), ``memory_bytes`` and ``cpu_seconds`` before starting it.
    """

    work: Path
    channel: Path
    memory_bytes: int = 4 * 1024**3
    cpu_seconds: int = 3600

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        command = [
            sys.executable,
            "-c",
            LAUNCHER,
            str(self.memory_bytes),
            str(self.cpu_seconds),
            "-f",
            os.path.realpath(self.connection_file),
            "--HistoryManager.enabled=False",  # no history database to write
            # the kernel's folder off the import path: a module the notebook writes
            # is not code it can import (the grader reads the cells' code, not
            # files they write)
            f"--IPKernelApp.exec_lines={UNPATH}",
            *(extra_arguments or []),
        ]
        return sandbox_command(command, self.work, self.channel, tmp_bytes=self.memory_bytes)
