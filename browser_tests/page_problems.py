"""What a page reports that a browser test fails on.

That is JavaScript errors, console errors and failed requests.

``PageProblems(page)`` listens from the start: uncaught exceptions (``pageerror``),
every message logged with ``console.error``, every request that fails
(``requestfailed``) and every response with an HTTP error status (400 or more).
``unexplained()`` is what a test must fail on: all of it but the few entries of
``KNOWN``, each a problem that is understood and harmless, with the reason.
Chromium's own "Failed to load resource" console line is left to the request checks,
which name the URL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Known:
    """A problem that is understood and harmless.

    It says what it is, where it comes from, and why it is harmless.
    """

    kind: str  # "console", "page error", "request failed" or "HTTP status"
    text: str  # a regular expression the whole message must match
    source: str  # a regular expression the script's (or request's) URL must match
    reason: str


KNOWN = [
    Known(
        kind="console",
        text=r"RangeError: Maximum call stack size exceeded",
        source=r"/static/rise/\d+\.bundle\.js$",
        reason=(
            "RISE 0.43.1 (its latest release) bundles its own copy of @microsoft/fast-foundation, "
            "through @jupyter/web-components ~0.13, which JupyterLab 4's shared 0.16 does not "
            "satisfy; its design tokens re-notify each other without end while RISE builds the "
            "slides (DesignTokenBindingObserver.handleChange -> Store.set -> notify -> "
            "handleChange), and FAST catches the RangeError and logs it with console.error. It "
            "happens on a two-cell notebook, with or without the course's settings and "
            "stylesheets, 8 to 41 times per opening (as seen here); the slides render and work (the "
            "tests check them), and nothing of ours can reach that copy"
        ),
    ),
    Known(
        kind="request failed",
        text=r"net::ERR_ABORTED",
        source=r"/(lab/tree|rise)/images/[\w.-]+\.png$",
        reason=(
            "JupyterLab puts a rendered markdown cell in the page with its picture link as "
            "written (../images/x.png, which the browser resolves against the page's URL, "
            "/lab/tree/notebooks/... or /rise/notebooks/..., and starts to fetch), then rewrites "
            "it to /files/images/x.png, which aborts that first fetch; the picture loads from "
            "the rewritten URL (the tests fail on a picture that does not load)"
        ),
    ),
    Known(
        kind="request failed",
        text=r"net::ERR_UNKNOWN_URL_SCHEME",
        source=r"^attachment:[\w.-]+\.png$",
        reason=(
            "A picture kept inside the notebook (a cell attachment, as course_tools.colab "
            "writes them, so that Colab shows it) is linked as attachment:x.png; JupyterLab "
            "puts the rendered markdown in the page with that link, which the browser starts "
            "to fetch and cannot (no such scheme), then replaces it with the data: URL of the "
            "attachment, from which the picture loads (the tests fail on a picture that does "
            "not load)"
        ),
    ),
]


@dataclass
class PageProblems:
    """Everything that went wrong on one page, as lines.

    ``unexplained()`` gives the same without what ``KNOWN`` explains.
    """

    found: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, text, source)
    skip_pictures: bool = False  # a picture that does not load is reported by another check

    @classmethod
    def listen(cls, page, skip_pictures: bool = False) -> PageProblems:
        """Start collecting the problems of ``page`` (before it loads anything)."""
        problems = cls(skip_pictures=skip_pictures)
        page.on("pageerror", problems._on_page_error)
        page.on("console", problems._on_console)
        page.on("requestfailed", problems._on_request_failed)
        page.on("response", problems._on_response)
        return problems

    def _on_page_error(self, error) -> None:
        self.found.append(("page error", str(error), ""))

    def _on_console(self, message) -> None:
        if message.type != "error" or message.text.startswith("Failed to load resource"):
            return  # the request checks report a failed load, with its URL
        self.found.append(("console", message.text, message.location.get("url", "")))

    def _on_request_failed(self, request) -> None:
        if not (self.skip_pictures and request.resource_type == "image"):
            self.found.append(("request failed", f"{request.failure}", request.url))

    def _on_response(self, response) -> None:
        if response.status >= 400 and not (
            self.skip_pictures and response.request.resource_type == "image"
        ):
            self.found.append(("HTTP status", f"{response.status}", response.url))

    def unexplained(self, known: list[Known] = KNOWN) -> list[str]:
        """Each problem that no ``Known`` entry explains.

        Each reads '{kind}: {text} ({source})'.
        """
        return [
            f"{kind}: {text}" + (f" ({source})" if source else "")
            for kind, text, source in self.found
            if not any(
                kind == entry.kind
                and re.fullmatch(entry.text, text, flags=re.DOTALL)
                and re.search(entry.source, source)
                for entry in known
            )
        ]

    def explained(self, known: list[Known] = KNOWN) -> dict[str, int]:
        """How many problems each ``Known`` entry explained, by its text."""
        counts = {}
        for entry in known:
            count = sum(
                kind == entry.kind
                and re.fullmatch(entry.text, text, flags=re.DOTALL) is not None
                and re.search(entry.source, source) is not None
                for kind, text, source in self.found
            )
            if count:
                counts[entry.text] = count
        return counts
