"""Shared test set-up: plots render off-screen (Agg), so tests run without a display."""

import os

os.environ.setdefault("MPLBACKEND", "Agg")
