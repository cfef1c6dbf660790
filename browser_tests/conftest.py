"""What every browser test shares: a JupyterLab serving a copy of the course; Chromium.

Both are session fixtures, so test files share them (Playwright's sync API runs one at a
time).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

try:
    from playwright import sync_api as playwright_sync
except ImportError:  # a failure with what to install (require_browser_tools), never a silent skip
    playwright_sync = None

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def require_browser_tools() -> None:
    """Fail, saying what to install, when playwright or Chromium is missing."""
    if playwright_sync is None:
        pytest.fail(
            f"the browser tests need the Python package playwright, which {sys.executable} "
            "cannot import: `make test-browser` installs it with the other test extras "
            "(or: pip install -c constraints.txt playwright)",
            pytrace=False,
        )
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: install it (on Debian/Ubuntu: sudo apt-get "
            "install chromium), or point CHROMIUM=/path/to/chromium at another build",
            pytrace=False,
        )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def jupyterlab_server(home: Path):
    """Run a JupyterLab on loopback, with a token, serving a copy of the course in home.

    Yields (url, token); raises RuntimeError with the server's log when it does not
    start.
    """
    shutil.copytree(ROOT / "notebooks", home / "notebooks")
    shutil.copytree(ROOT / "images", home / "images")
    port, token = free_port(), secrets.token_hex(16)
    env = {
        **os.environ,
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
        "MPLBACKEND": "module://matplotlib_inline.backend_inline",
    }
    command = [
        sys.executable, "-m", "jupyterlab", "--no-browser",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={home}",
        "--LabApp.expose_app_in_browser=True", "--LabApp.news_url=None",
        *(["--allow-root"] if os.geteuid() == 0 else []),
    ]  # fmt: skip
    with open(home / "lab.log", "w") as log:
        server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:
                try:
                    urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2)
                    break
                except OSError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        log.flush()
                        raise RuntimeError(
                            "JupyterLab did not start:\n" + (home / "lab.log").read_text()[-3000:]
                        ) from None
                    time.sleep(0.5)
            yield url, token
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    """A JupyterLab on loopback, with a token, serving a copy of the course."""
    require_browser_tools()  # before the slow start of JupyterLab
    try:
        with jupyterlab_server(tmp_path_factory.mktemp("lab")) as url_and_token:
            yield url_and_token
    except RuntimeError as error:  # it did not start: say so with its log
        pytest.fail(str(error), pytrace=False)


@pytest.fixture(scope="session")
def browser():
    require_browser_tools()
    with playwright_sync.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
