"""The browser tests' allow-list excuses only what it names.

The allow-list is browser_tests/page_problems.py.
"""

import importlib.util
import sys
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location(
    "page_problems", ROOT / "browser_tests" / "page_problems.py"
)
page_problems = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("page_problems", page_problems)  # its dataclasses look themselves up
_spec.loader.exec_module(page_problems)

RISE_BUNDLE = "http://127.0.0.1:8888/static/rise/4437.bundle.js"
RANGE_ERROR = "RangeError: Maximum call stack size exceeded"


class FakePage:
    """Records the listeners a PageProblems registers.

    So a test can fire events at them.
    """

    def __init__(self):
        self.listeners = {}

    def on(self, event, listener):
        self.listeners[event] = listener


def test_every_known_problem_says_why_it_is_harmless():
    for known in page_problems.KNOWN:
        assert known.kind in ("console", "page error", "request failed", "HTTP status")
        assert len(known.reason) > 100, known


def test_only_what_an_entry_names_is_explained():
    problems = page_problems.PageProblems(
        found=[
            ("console", RANGE_ERROR, RISE_BUNDLE),  # known
            ("console", RANGE_ERROR, "http://127.0.0.1:8888/lab/extensions/x/static/1.js"),
            ("console", "TypeError: x is undefined", RISE_BUNDLE),
            ("page error", RANGE_ERROR, ""),
            ("request failed", "net::ERR_ABORTED", "http://h/lab/tree/images/mlp_diagram.png"),
            ("request failed", "net::ERR_ABORTED", "http://h/files/images/mlp_diagram.png"),
            ("request failed", "net::ERR_FAILED", "http://h/lab/tree/images/mlp_diagram.png"),
            ("request failed", "net::ERR_UNKNOWN_URL_SCHEME", "attachment:open_in_colab.png"),
            ("request failed", "net::ERR_UNKNOWN_URL_SCHEME", "attachment:notes.txt"),
            ("request failed", "net::ERR_ABORTED", "attachment:open_in_colab.png"),
            ("HTTP status", "404", "http://h/files/notebooks/13_capstone_digits.css"),
        ]
    )
    assert problems.unexplained() == [
        f"console: {RANGE_ERROR} (http://127.0.0.1:8888/lab/extensions/x/static/1.js)",
        f"console: TypeError: x is undefined ({RISE_BUNDLE})",
        f"page error: {RANGE_ERROR}",
        "request failed: net::ERR_ABORTED (http://h/files/images/mlp_diagram.png)",
        "request failed: net::ERR_FAILED (http://h/lab/tree/images/mlp_diagram.png)",
        "request failed: net::ERR_UNKNOWN_URL_SCHEME (attachment:notes.txt)",
        "request failed: net::ERR_ABORTED (attachment:open_in_colab.png)",
        "HTTP status: 404 (http://h/files/notebooks/13_capstone_digits.css)",
    ]
    assert problems.explained() == {
        RANGE_ERROR: 1,
        "net::ERR_ABORTED": 1,
        "net::ERR_UNKNOWN_URL_SCHEME": 1,
    }


def test_the_listeners_record_errors_failed_requests_and_http_errors():
    page = FakePage()
    problems = page_problems.PageProblems.listen(page)
    assert set(page.listeners) == {"pageerror", "console", "requestfailed", "response"}

    def console(kind, text, url=RISE_BUNDLE):
        return SimpleNamespace(type=kind, text=text, location={"url": url})

    page.listeners["pageerror"](Exception("boom"))
    page.listeners["console"](console("error", "oops"))
    page.listeners["console"](console("warning", "a warning is not a failure"))
    page.listeners["console"](console("error", "Failed to load resource: 404 (Not Found)"))
    picture = SimpleNamespace(url="http://h/files/a.png", failure="net::ERR_FAILED")
    picture.resource_type = "image"
    page.listeners["requestfailed"](picture)
    missing = SimpleNamespace(status=404, url="http://h/files/b.css")
    missing.request = SimpleNamespace(resource_type="stylesheet")
    page.listeners["response"](missing)
    page.listeners["response"](SimpleNamespace(status=200, url="http://h/ok", request=None))
    assert problems.unexplained() == [
        "page error: boom",
        f"console: oops ({RISE_BUNDLE})",
        "request failed: net::ERR_FAILED (http://h/files/a.png)",
        "HTTP status: 404 (http://h/files/b.css)",
    ]
    # where pictures are checked on their own (the slide measures), a picture is
    # left to them
    page = FakePage()
    problems = page_problems.PageProblems.listen(page, skip_pictures=True)
    page.listeners["requestfailed"](picture)
    assert problems.unexplained() == []
