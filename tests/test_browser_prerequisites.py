"""The browser suite fails, saying what to install, without playwright or Chromium.

A skipped suite would let CI pass without ever opening a notebook in a browser.
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIRST_NOTEBOOK = sorted((ROOT / "notebooks").glob("*.ipynb"))[0].name


def run_browser_suite(tmp_path: Path, **environment: str) -> subprocess.CompletedProcess:
    """Run the browser test of the first notebook as `make test-browser` does."""
    command = [sys.executable, "-m", "pytest", "-o", "addopts=-p no:cacheprovider", "-p"]
    command += ["no:xdist", "-rA", "browser_tests", "-k", FIRST_NOTEBOOK]
    env = {**os.environ, **environment}
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)


def test_without_playwright_the_browser_suite_fails_and_says_what_to_install(tmp_path):
    hidden = tmp_path / "playwright"  # shadows the installed package: importing it fails
    hidden.mkdir()
    (hidden / "__init__.py").write_text("raise ImportError('playwright hidden by the test')\n")
    result = run_browser_suite(tmp_path, PYTHONPATH=str(tmp_path))
    assert result.returncode != 0 and "skipped" not in result.stdout.lower(), result.stdout
    assert "need the Python package playwright" in result.stdout
    assert "make test-browser` installs it" in result.stdout


def test_without_chromium_the_browser_suite_fails_and_says_what_to_install(tmp_path):
    result = run_browser_suite(tmp_path, CHROMIUM=str(tmp_path / "no-chromium-here"))
    assert result.returncode != 0 and "skipped" not in result.stdout.lower(), result.stdout
    assert f"Chromium not found at {tmp_path / 'no-chromium-here'}" in result.stdout
    assert "apt-get install chromium" in result.stdout
