import textwrap

import pytest

from course_utils import activations, data, source

CLASS_WITH_DOCSTRINGS = '''class Counter:
    """Counts things.

    A second paragraph.
    """

    def __init__(self):
        """Start at zero."""
        self.count = 0  # a comment stays

    def empty(self):
        """Only a docstring."""

    def inline(self): "kept: it shares its line"; return 1
'''

EXPECTED = """class Counter:
    def __init__(self):
        self.count = 0  # a comment stays

    def empty(self):
        ...

    def inline(self): "kept: it shares its line"; return 1
"""


def test_without_docstrings_drops_every_docstring_and_keeps_code_and_comments():
    assert source.without_docstrings(CLASS_WITH_DOCSTRINGS) == EXPECTED
    compile(source.without_docstrings(CLASS_WITH_DOCSTRINGS), "<test>", "exec")  # still Python


def test_without_docstrings_dedents_a_method():
    method = '    def f(self):\n        """Doc."""\n        return 1\n'
    assert source.without_docstrings(method) == "def f(self):\n    return 1\n"


def test_show_prints_a_package_function_without_its_docstring(capsys):
    source.show(activations.sigmoid)
    printed = capsys.readouterr().out
    assert printed.startswith("def sigmoid(")
    assert '"""' not in printed and activations.sigmoid.__doc__.splitlines()[0] not in printed
    assert "return" in printed
    code_lines = [line for line in printed.splitlines() if line.strip()]
    all_lines = textwrap.dedent(__import__("inspect").getsource(activations.sigmoid)).splitlines()
    assert all(line in all_lines for line in code_lines)  # nothing added, only removed


def test_show_prints_a_class_with_its_methods(capsys):
    source.show(data.Standardizer)
    printed = capsys.readouterr().out
    assert printed.startswith("class Standardizer:")
    for method in ("def fit(", "def transform(", "def inverse_transform("):
        assert method in printed
    assert '"""' not in printed


def test_show_explains_what_it_needs():
    with pytest.raises(TypeError, match="function, method, class or module"):
        source.show(activations.sigmoid(__import__("torch").zeros(1)))
