"""The grader reads a student's cell and names each touch of the checking.

Honest code it leaves alone.
Nothing runs here: the scan reads code. The expectations are written by hand from what
each cell does; the course's own code (every cell and every solution of the committed
notebooks), read as if a student had written it, must not be taken for tampering.
"""

from pathlib import Path

import nbformat
import pytest

from course_tools import code_scan, grading

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
COURSE_IMPORTS = {
    "torch": "torch",
    "nn": "torch.nn",
    "plt": "matplotlib.pyplot",
    "checks": "course_utils.checks",
    "metrics": "course_utils.metrics",
}
# what the check cells after the student's cell read: the course binds each of them
PROTECTED = {"checks": "ex 1", "metrics": "ex 1", "torch": "ex 1", "cases": "ex 2"}
CONTEXT = code_scan.ScanContext(modules=COURSE_IMPORTS, protected=PROTECTED)

TOUCHES = [
    ("checks.check_function = lambda *a, **k: True", "changes course_utils.checks.check_function"),
    ("del checks.check_close", "changes course_utils.checks.check_close"),
    ('checks._record({"exercise": "x", "status": "passed"})', "uses course_utils.checks._record"),
    ("from course_utils.checks import _record", "imports course_utils.checks._record"),
    ("c = checks\nc._report('x', None, [])", "uses course_utils.checks._report"),
    ("def f(m):\n    m._exercises.clear()", "uses ._exercises"),
    ("setattr(checks, 'check_close', print)", "changes course_utils.checks.check_close"),
    ("getattr(checks, '_rec' + 'ord')", "uses getattr(course_utils.checks, ...) with a computed"),
    ("metrics.precision = lambda *a, **k: 1.0", "changes course_utils.metrics.precision"),
    ("torch.isclose = lambda *a, **k: True", "replaces torch.isclose, which the checks may call"),
    ("nn.Module.train = lambda self, mode=True: self", "replaces torch.nn.Module.train"),
    ("setattr(torch, 'isclose', max)", "replaces torch.isclose"),
    ("checks = None", "rebinds `checks`, which the check of 'ex 1' uses"),
    ("import numpy as torch", "rebinds `torch`, which the check of 'ex 1' uses"),
    ("def helper():\n    global metrics\n    metrics = None", "rebinds `metrics`"),
    ("cases = []", "rebinds `cases`, which the check of 'ex 2' uses"),
    ("cases.clear()", "changes `cases`, which the check of 'ex 2' uses"),
    ("cases[0] = None", "changes `cases`"),
    ("exec('x = 1')", "uses exec"),
    ("value = eval('1 + 1')", "uses eval"),
    ("globals()['checks'] = None", "uses globals"),
    ("import importlib\n\nimportlib.reload(checks)", "imports importlib"),
    ("import sys\n\nsys.setprofile(None)", "uses sys.setprofile"),
    ("import sys\n\nsys.modules['course_utils.checks'] = None", "uses sys.modules"),
    ("import sys\n\nsys.path.insert(0, '.')", "uses sys.path"),
    ("def f():\n    pass\n\n\ng = f.__code__", "reads .__code__"),
    ("import gc\n\ngc.get_objects()", "imports gc"),
    ("import importlib\n\nimportlib.import_module('course_' + 'utils')", "calls importlib.import"),
    ("%run helper.py", "runs the magic %run"),
    ("%env COURSE_CHECKS_RECORD=", "runs the magic %env"),
    ("kernel = get_ipython().kernel", "uses get_ipython()"),
    ("import os\n\nos.environ.pop('COURSE_CHECKS_RECORD')", "names the grader's record"),
    ("%time checks._record({})", "uses course_utils.checks._record"),
    ("%%capture\ncases.clear()", "changes `cases`"),
    ("from IPython.display import publish_display_data", "imports IPython.display.publish_"),
]


@pytest.mark.parametrize(("source", "expected"), TOUCHES, ids=[s for s, _ in TOUCHES])
def test_each_touch_of_the_checking_is_named(source, expected):
    problems = code_scan.scan(source, CONTEXT)
    assert any(expected in problem for problem in problems), problems


HONEST = [
    "def scores_at_threshold(p, labels, t):\n    predicted = p > t\n    return predicted.sum()",
    "import torch\n\nfrom course_utils import checks, metrics",  # the course's own imports again
    "torch.backends.cudnn.deterministic = True",  # a setting, not code
    "plt.rcParams['figure.figsize'] = (4, 3)",
    "model = nn.Linear(2, 1)\nmodel.eval()\nmodel.weight.data.zero_()",
    "x = torch.ones(3).requires_grad_(True)\ny = torch.stack([x, x]).add_(1)",
    "%time total = torch.ones(3).sum()",
    "%matplotlib inline\n!ls\n%pip install numpy",
    'checks.hint("ex 1")\nchecks.inputs_of_sizes(lambda n, g: torch.rand(n, generator=g))',
    'print("✅ ex 1: correct!")',
    "def f(metrics, cases):\n    cases = list(cases)\n    return metrics, cases",  # local names
    "activation = getattr(torch, 'relu')\nname = 'tanh'\nother = getattr(torch, name)",
    "class Step:\n    def __init__(self):\n        self._grad = None",
    "import numpy as np\n\nvalues = np.arange(3)",
    "print(len(cases), cases[0])",  # reading a check's cases changes nothing
]


@pytest.mark.parametrize("source", HONEST)
def test_honest_code_is_left_alone(source):
    assert code_scan.scan(source, CONTEXT) == []


def test_another_name_for_a_module_in_one_cell_is_followed_into_the_next():
    modules = code_scan.module_names("c = checks\nimport course_utils.metrics as m", COURSE_IMPORTS)
    assert (modules["c"], modules["m"]) == ("course_utils.checks", "course_utils.metrics")
    context = code_scan.ScanContext(modules=modules)
    assert code_scan.scan("c.check_close = print", context) == [
        "changes course_utils.checks.check_close, part of the course's checking"
    ]


def test_in_an_edited_course_cell_only_the_students_statements_are_read():
    course = "import pickle\n\nimport torch"  # 10 imports pickle for its UnpicklingError
    edited = "import pickle\n\nimport torch\nimport numpy as np"
    context = code_scan.ScanContext(modules={"torch": "torch"})
    assert code_scan.scan(edited, context, given=course) == []
    assert code_scan.scan(edited, context) == ["imports pickle (it runs code hidden in data)"]
    context = code_scan.ScanContext(modules={"pickle": "pickle"})  # a course that imports it
    assert code_scan.scan("import pickle", context) == []
    assert code_scan.scan("pickle.loads(b'')", context) == [
        "calls pickle.loads (pickle runs code hidden in data)"
    ]


def test_of_a_module_the_course_imports_only_what_hides_code_is_a_touch():
    """The course's install cell imports importlib.

    It asks importlib whether course_utils is installed.
    """
    context = code_scan.ScanContext(modules={"importlib": "importlib"})
    asks = "import importlib.util\n\nprint(importlib.util.find_spec('course_utils') is None)"
    assert code_scan.scan(asks, context) == []
    assert code_scan.scan("importlib.reload(checks)", context) == [
        "calls importlib.reload (importlib imports or reloads modules by computed names)"
    ]


def test_changed_names_are_bindings_and_changes_through_a_name():
    tree = code_scan.parse(
        "a = 1\ndef f():\n    b = 2\nc[0] = 1\nd.x = 1\ne.append(1)\nf2.add_(1)\n"
        "torch.stack([g]).add_(1)\nprint(h)"
    )
    assert code_scan.changed_names(tree) == {"a", "f", "c", "d", "e", "f2"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_courses_own_code_read_as_a_students_is_not_tampering(path):
    """Every cell and solution of the notebook, as if a student had written it there.

    A cell's own bindings are left out of what the later checks read: the course's first
    binding of a name is not a student's rebinding of it.
    """
    course = grading.CourseEdition.read(path)
    graded, notes = grading.assemble(course, course.notebook)
    assert notes == []
    for position, graded_cell in enumerate(graded):
        if graded_cell.owned or graded_cell.cell.cell_type != "code":
            continue
        source = graded_cell.cell.source
        protected = grading.protected_after(course, graded, position)
        for name in code_scan.bound_names(code_scan.parse(source)):
            protected.pop(name, None)
        context = code_scan.ScanContext(course.modules, protected)
        assert code_scan.scan(source, context) == [], graded_cell.label
    context = code_scan.ScanContext(modules=course.modules)
    solutions = [
        cell.source
        for cell in nbformat.read(path, as_version=4).cells
        if "solution" in cell.metadata.get("tags", [])
    ]
    assert [code_scan.scan(source, context) for source in solutions] == [[]] * len(solutions)


def test_a_check_reads_what_the_courses_functions_it_calls_read():
    """A check reads what the course's functions it calls read: 13's val_loader.

    13's open exercise trains with the course's functions, which read val_loader: a
    student cell that replaces val_loader (to validate on the training set) changes the
    check.
    """
    course = grading.CourseEdition.read(NOTEBOOKS[-1])
    assert NOTEBOOKS[-1].name.startswith("13_")
    check = next(e.check for e in course.exercises if "my_settings" in e.answers)
    assert {"val_loader", "X_train", "checks"} <= set(course.protected[check])
    assert "my_settings" not in course.protected[check]  # the student's answer
