"""Plugins for every pytest run of the course, wherever the tests are collected from.

nbval_figures: nbval's run also compares each notebook cell's figures with the committed
ones.
"""

pytest_plugins = ["tests.nbval_figures"]
