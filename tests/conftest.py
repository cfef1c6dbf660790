"""Shared test set-up: plots render off-screen (Agg), so tests run without a display.

Set on matplotlib itself, not through the MPLBACKEND variable: the notebooks' kernels, which
nbval starts from this same process, inherit the environment and must keep their inline backend.
"""

import matplotlib

matplotlib.use("Agg")
