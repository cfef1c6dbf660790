"""Read a student's cell, without running it, for code that touches the checking.

The grader runs the course's own check cells, but they run in the student's kernel,
after the student's cells: a cell could replace ``checks.check_function``, call the
private ``checks._record``, change the reference a check compares with, or hide code
where a reading cannot see it. This module reads each cell's code (its syntax tree,
after IPython's ``%magic`` and ``!shell`` lines become Python) and names every such
touch. What it looks for:

- the checking itself: any change to a ``course_utils`` module
  (``checks.check_function = ...``, ``setattr(metrics, ...)``), any use of a private
  part of ``checks`` (``checks._record``), the grader's record (its variable or its
  output type, even inside a string), and a rebinding of a name the course's later check
  cells read: ``checks``, ``metrics``, ``torch``, or the cases a check cell's helper
  defined (``cases = []``, ``cases.clear()``);
- a function or class of an imported module replaced (``torch.isclose = ...``,
  ``nn.Module.train = ...``): the checks call them;
- code a reading cannot follow: ``exec``, ``eval``, ``compile``, ``__import__``,
  ``globals()``, ``get_ipython()`` (other than for the magics below), ``importlib``,
  ``runpy``, ``ctypes``, ``gc``, ``inspect``, ``pickle``, ``builtins``, ``sys.modules``,
  ``sys.path``, ``sys.setprofile`` and friends, frame and code attributes (``__code__``,
  ``f_globals``, ...), and magics that run code from elsewhere (``%run``, ``%load_ext``,
  ``%env``, ...). (A module the notebook writes itself cannot be imported: the kernel's
  folder is not on its path.) ``%time``, ``%timeit`` and ``%%capture`` are read with the
  code they time; ``!shell`` lines and ``%pip`` run in other processes and are allowed.
"""

from __future__ import annotations

import ast
import importlib
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field

from IPython.core.inputtransformer2 import TransformerManager

__all__ = [
    "ScanContext",
    "bound_names",
    "changed_names",
    "definitions",
    "free_names",
    "imports",
    "module_names",
    "parse",
    "scan",
]

CHECKS_MODULE = "course_utils.checks"
COURSE_PACKAGE = "course_utils"
# What the grader's record is made of (course_utils.checks.RECORD_VARIABLE and
# RECORD_MIMETYPE); no student cell has a reason to name them, even in a string.
RECORD_WORDS = ("COURSE_CHECKS_RECORD", "application/vnd.course-utils.check-result+json")
# Private parts of checks whose names no student's code of its own would share.
CHECKS_PRIVATE_WORDS = {
    "_record",
    "_report",
    "_exercises",
    "_check",
    "_find_problem",
    "_case_problem",
    "_ForbiddenCalls",
    "_compare",
    "_Exercise",
}
HIDING_NAMES = {  # names whose use runs or changes code out of a reading's sight
    "exec": "runs code from a string",
    "eval": "runs code from a string",
    "compile": "makes code from a string",
    "__import__": "imports a module by a computed name",
    "globals": "reaches the notebook's names by a computed name",
    "__builtins__": "changes Python's built-in functions",
    "breakpoint": "starts the debugger, which can change anything",
}
HIDING_MODULES = {
    "importlib": "imports or reloads modules by computed names",
    "runpy": "runs code from elsewhere",
    "ctypes": "writes into the interpreter's memory",
    "gc": "reaches any object of the interpreter",
    "inspect": "reaches the frames of running code",
    "pickle": "runs code hidden in data",
    "marshal": "makes code from bytes",
    "dill": "runs code hidden in data",
    "cloudpickle": "runs code hidden in data",
    "builtins": "changes Python's built-in functions",
    "code": "runs code from strings",
    "codeop": "makes code from strings",
    "pdb": "starts the debugger, which can change anything",
}
# Functions of those modules that only look, or only write data: calling them
# hides nothing.
HARMLESS_CALLS = {
    "importlib.util.find_spec",  # is a module installed? (the course's install cell asks)
    "importlib.invalidate_caches",
    "inspect.signature",
    "inspect.getsource",
    "inspect.isclass",
    "inspect.isfunction",
    "gc.collect",
    "pickle.dump",
    "pickle.dumps",
}
HIDING_QUALNAMES = {
    "sys.modules": "replaces modules by name",
    "sys.setprofile": "watches or stops the checks' own watch on calls",
    "sys.settrace": "watches or stops the checks' own watch on calls",
    "sys._getframe": "reaches the frames of running code",
    "sys.path": "imports code from elsewhere",
    "sys.meta_path": "changes how modules are imported",
    "sys.path_hooks": "changes how modules are imported",
    "threading.setprofile": "watches or stops the checks' own watch on calls",
    "threading.settrace": "watches or stops the checks' own watch on calls",
    "IPython.get_ipython": "reaches the kernel, which sends the results",
    "IPython.display.publish_display_data": "sends outputs the way the checks send results",
}
FRAME_ATTRIBUTES = {
    "__code__",
    "__globals__",
    "__closure__",
    "__builtins__",
    "__subclasses__",
    "f_globals",
    "f_locals",
    "f_back",
    "f_code",
    "f_builtins",
    "gi_frame",
    "cr_frame",
    "ag_frame",
    "tb_frame",
}
# Magics whose argument (line) or body (cell) is Python: read like the rest of the cell.
CODE_MAGICS = {"time", "timeit", "capture", "prun"}
# Magics that run nothing from elsewhere in the kernel (shell commands run in
# other processes).
INERT_MAGICS = {
    "matplotlib",
    "pip",
    "conda",
    "ls",
    "pwd",
    "who",
    "whos",
    "who_ls",
    "history",
    "precision",
    "pprint",
    "lsmagic",
    "magic",
    "pinfo",
    "pinfo2",
    "psearch",
    "pdoc",
    "pdef",
    "psource",
    "pfile",
    "system",
    "sx",
    "bash",
    "sh",
    "script",
    "writefile",
    "html",
    "markdown",
    "latex",
    "svg",
    "javascript",
    "js",
}
MUTATING_METHODS = {
    "append",
    "extend",
    "insert",
    "remove",
    "pop",
    "clear",
    "sort",
    "reverse",
    "update",
    "setdefault",
    "popitem",
    "add",
    "discard",
    "__setitem__",
    "__delitem__",
    "__setattr__",
}
OPTIONS = re.compile(r"^\s*(?:-[A-Za-z]+\s*\d*\s+)+")

_transformer = TransformerManager()


def parse(source: str) -> ast.Module | None:
    """The syntax tree of a cell's code, IPython's syntax included.

    None if the code does not parse.
    """
    try:
        return ast.parse(_transformer.transform_cell(source))
    except (SyntaxError, ValueError):
        return None


# ----------------------------------------------------------------------------- names


def _module_level(tree: ast.AST) -> Iterable[ast.AST]:
    """The nodes that run at the top level of a cell.

    Function and class bodies are skipped, but their decorators, defaults and ``global``
    statements count.
    """
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            stack += node.args.defaults + node.args.kw_defaults
            stack += getattr(node, "decorator_list", [])
            stack += [n for n in ast.walk(node) if isinstance(n, ast.Global)]
            continue
        if isinstance(node, ast.ClassDef):
            stack += node.decorator_list + node.bases + node.keywords
            continue
        stack += [n for n in ast.iter_child_nodes(node) if n is not None]


def _globals_declared(tree: ast.AST) -> set[str]:
    return {name for node in ast.walk(tree) if isinstance(node, ast.Global) for name in node.names}


def _target_names(target: ast.AST) -> set[str]:
    if isinstance(target, ast.Name):
        return {target.id}
    if isinstance(target, (ast.Tuple, ast.List)):
        return set().union(*(_target_names(e) for e in target.elts)) if target.elts else set()
    if isinstance(target, ast.Starred):
        return _target_names(target.value)
    return set()


def imports(tree: ast.AST) -> dict[str, str]:
    """Each name a cell's import statements bind -> the dotted name it stands for."""
    bound = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    bound[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    bound[top] = top
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                if alias.name != "*":
                    bound[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return bound


def bound_names(tree: ast.AST) -> set[str]:
    """The notebook-level names a cell binds.

    Assignments, definitions, imports and ``del`` bind names.

    Loops and ``with`` count too, and the names its functions declare ``global`` (a
    function may assign them when called).
    """
    names = set(_globals_declared(tree))
    for node in _module_level(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= set(imports(node))
        elif isinstance(node, ast.MatchAs | ast.MatchStar) and node.name:
            names.add(node.name)
    return names


def changed_names(tree: ast.AST) -> set[str]:
    """The names a cell binds, and those whose object it changes through them.

    ``x[0] = ...``, ``x.a = ...``, ``x.append(...)``, ``x.add_(...)`` change ``x``.
    """
    names = bound_names(tree)
    for node in ast.walk(tree):
        if isinstance(node, (ast.Attribute, ast.Subscript)) and isinstance(
            node.ctx, (ast.Store, ast.Del)
        ):
            root = _root_name(node)
            if root:
                names.add(root)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            method = node.func.attr
            if method in MUTATING_METHODS or (method.endswith("_") and not method.startswith("_")):
                root = _root_name(node.func.value)
                if root:
                    names.add(root)
    return names


def free_names(tree: ast.AST) -> set[str]:
    """The names a cell reads that it does not bind itself.

    A name bound anywhere in the cell counts as bound, parameters too.
    """
    loaded = {
        n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
    }
    local = {
        n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)
    }
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            local.add(node.name)
        if isinstance(node, ast.arg):
            local.add(node.arg)
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            local |= set(imports(node))
    return loaded - local


def definitions(tree: ast.AST) -> dict[str, set[str]]:
    """Each function, class or lambda a cell defines at its top level -> its free names.

    Its free names are the names it reads from the notebook when it runs: what a check
    reaches through it.
    """
    found = {}
    for node in getattr(tree, "body", []):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found[node.name] = free_names(node)
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Lambda):
            for target in node.targets:
                for name in _target_names(target):
                    found[name] = free_names(node.value)
    return found


def _root_name(node: ast.AST) -> str | None:
    """``cases[0].data`` -> ``cases``.

    That is the name whose object a change through the expression reaches.

    A call ends the chain: ``torch.stack(...).add_(1)`` changes a new tensor,
    not ``torch``.
    """
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


# ----------------------------------------------------------------------------- the scan


@dataclass
class ScanContext:
    """What the course's notebook tells the scan of one student cell.

    ``modules``: the names the course's cells bind by an import
    (``metrics`` -> ``course_utils.metrics``); ``protected``: names a later check
    cell reads, each with the exercise it checks (rebinding or changing them changes
    that check).
    """

    modules: dict[str, str] = field(default_factory=dict)
    protected: dict[str, str] = field(default_factory=dict)


def module_names(source: str, modules: dict[str, str]) -> dict[str, str]:
    """``modules`` and the names a cell binds to a module.

    A name is bound to a module by import, or as another name for one (``c = checks``),
    so that a later cell's ``c.check_close = ...`` is read for what it is.
    """
    tree = parse(source)
    if tree is None:
        return dict(modules)
    scanner = _Scanner(ScanContext(modules=modules))
    scanner.read(tree)
    return scanner.modules


def scan(source: str, context: ScanContext, given: str | None = None) -> list[str]:
    """Every touch of the checking in one student cell, each said in a few words.

    ``given``: the course's version of the cell, when the student edited a course
    cell; its statements that the student kept as they were are the course's, and
    are not read.
    """
    tree = parse(source)
    if tree is None:  # it will not run either: a SyntaxError touches nothing
        return []
    course_tree = parse(given) if given is not None else None
    if course_tree is not None:
        kept = {ast.dump(statement) for statement in course_tree.body}
        body = [statement for statement in tree.body if ast.dump(statement) not in kept]
        tree = ast.Module(body=body, type_ignores=[])
    scanner = _Scanner(context)
    scanner.read(tree)
    return list(dict.fromkeys(scanner.problems))


class _Scanner:
    def __init__(self, context: ScanContext):
        self.context = context
        self.modules = dict(context.modules)
        self.problems: list[str] = []

    def read(self, tree: ast.AST) -> None:
        self._imports(tree)
        self._bindings(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                self._call(node)
            elif isinstance(node, ast.Attribute):
                self._attribute(node)
            elif isinstance(node, ast.Subscript) and isinstance(node.ctx, (ast.Store, ast.Del)):
                self._store_into(node)
            elif isinstance(node, ast.Name) and node.id in HIDING_NAMES:
                self.problems.append(f"uses {node.id} ({HIDING_NAMES[node.id]})")
            elif isinstance(node, ast.Name) and node.id == "get_ipython":
                if not getattr(node, "_magic", False):
                    self.problems.append("uses get_ipython() (it reaches the kernel)")
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                self._string(node.value)

    # -- what a name or an expression stands for

    def _qualname(self, node: ast.AST) -> str | None:
        """``metrics.recall`` -> ``course_utils.metrics.recall``.

        Only a name whose root is a module is resolved.
        """
        if isinstance(node, ast.Name):
            return self.modules.get(node.id)
        if isinstance(node, ast.Attribute):
            owner = self._qualname(node.value)
            return f"{owner}.{node.attr}" if owner else None
        return None

    def _course_modules(self) -> set[str]:
        """The top-level modules the course itself imports.

        The grader may import them too.
        """
        return {qualname.split(".")[0] for qualname in self.context.modules.values()}

    @staticmethod
    def _is_course(qualname: str | None) -> bool:
        return bool(qualname) and (
            qualname == COURSE_PACKAGE or qualname.startswith(COURSE_PACKAGE + ".")
        )

    def _protected_use(self, name: str | None) -> str | None:
        if name and name in self.context.protected:
            return f"`{name}`, which the check of {self.context.protected[name]!r} uses"
        return None

    # -- the kinds of touch

    def _imports(self, tree: ast.AST) -> None:
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level:
                self.problems.append(
                    "imports from a relative package (code the grader does not read)"
                )
                continue
            if not isinstance(node, (ast.Import, ast.ImportFrom)):
                continue
            for name, qualname in imports(node).items():
                module = node.module if isinstance(node, ast.ImportFrom) else qualname
                top = (module or "").split(".")[0]
                course_tops = {q.split(".")[0] for q in self.context.modules.values()}
                if top in HIDING_MODULES and top not in course_tops:
                    self.problems.append(f"imports {top} (it {HIDING_MODULES[top]})")
                if qualname in HIDING_QUALNAMES:
                    self.problems.append(f"imports {qualname} (it {HIDING_QUALNAMES[qualname]})")
                if self._is_course(qualname) and qualname.split(".")[-1].startswith("_"):
                    self.problems.append(f"imports {qualname}, a private part of the checking")
                course_binding = self.context.modules.get(name)
                if name in self.context.protected and course_binding != qualname:
                    self.problems.append(f"rebinds {self._protected_use(name)}")
                self.modules[name] = qualname

    def _bindings(self, tree: ast.AST) -> None:
        imported = set()
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                imported |= set(imports(node))
        for name in sorted(bound_names(tree) - imported):
            use = self._protected_use(name)
            if use:
                self.problems.append(f"rebinds {use}")
        for node in _module_level(tree):  # an alias of a module: c = checks
            if (
                isinstance(node, ast.Assign)
                and isinstance(node.value, (ast.Name, ast.Attribute))
                and self._qualname(node.value)
            ):
                for target in node.targets:
                    for name in _target_names(target):
                        self.modules[name] = self._qualname(node.value)

    def _attribute(self, node: ast.Attribute) -> None:
        qualname = self._qualname(node)
        owner = self._qualname(node.value)
        storing = isinstance(node.ctx, (ast.Store, ast.Del))
        if node.attr in FRAME_ATTRIBUTES:
            self.problems.append(f"reads .{node.attr} (code or frames of running code)")
        if qualname in HIDING_QUALNAMES:
            self.problems.append(f"uses {qualname} (it {HIDING_QUALNAMES[qualname]})")
        private = node.attr.startswith("_") and not node.attr.endswith("__")
        if private and (self._is_course(owner) or node.attr in CHECKS_PRIVATE_WORDS):
            where = f"{owner}.{node.attr}" if owner else f".{node.attr}"
            self.problems.append(f"uses {where}, a private part of the course's checking")
        if storing:
            self._store_into(node)

    def _store_into(self, node: ast.Attribute | ast.Subscript) -> None:
        """A change to a module or a checked name.

        The changes read are ``x.a = ...``, ``del x.a`` and ``x[k] = ...``.
        """
        if isinstance(node, ast.Attribute):
            qualname = self._qualname(node)
            if self._is_course(qualname):
                self.problems.append(f"changes {qualname}, part of the course's checking")
            elif qualname and _replaces_code(qualname, self._course_modules()):
                self.problems.append(f"replaces {qualname}, which the checks may call")
            if qualname:  # a module's attribute: a setting (torch.backends...) is not a touch
                return
        use = self._protected_use(_root_name(node))
        if use:
            self.problems.append(f"changes {use}")

    def _call(self, node: ast.Call) -> None:
        function = node.func
        if isinstance(function, ast.Attribute) and _is_get_ipython(function.value):
            self._magic(function.attr, node.args)
            return
        if isinstance(function, ast.Name) and function.id in (
            "setattr",
            "delattr",
            "getattr",
            "vars",
        ):
            self._reflection(function.id, node.args)
        called = self._qualname(function)
        if called and called.split(".")[0] in HIDING_MODULES and called not in HARMLESS_CALLS:
            top = called.split(".")[0]
            self.problems.append(f"calls {called} ({top} {HIDING_MODULES[top]})")
        if isinstance(function, ast.Attribute):
            method = function.attr
            mutating = method in MUTATING_METHODS or (
                method.endswith("_") and not method.startswith("_")
            )
            use = self._protected_use(_root_name(function.value))
            module = self._qualname(function.value)
            if mutating and use and not module:
                self.problems.append(f"changes {use}")

    def _reflection(self, function: str, args: list[ast.expr]) -> None:
        if not args:
            if function == "vars":
                self.problems.append("uses vars() (it reaches the notebook's names)")
            return
        target = self._qualname(args[0])
        name = args[1] if len(args) > 1 else None
        constant = isinstance(name, ast.Constant) and isinstance(name.value, str)
        if function == "vars":
            if target:
                self.problems.append(f"uses vars({target}) (it reaches a module's names)")
            return
        if function == "getattr" and not target:
            return
        use = self._protected_use(_root_name(args[0])) if not target else None
        if use and function != "getattr":
            self.problems.append(f"changes {use}")
        if not target:
            return
        if not constant:
            sensitive = self._is_course(target) or target.split(".")[0] in ("sys", "builtins")
            if function != "getattr" or sensitive:
                self.problems.append(f"uses {function}({target}, ...) with a computed name")
            return
        qualname = f"{target}.{name.value}"
        if function == "getattr":
            fake = ast.Attribute(value=args[0], attr=name.value, ctx=ast.Load())
            self._attribute(fake)
        elif self._is_course(qualname):
            self.problems.append(f"changes {qualname}, part of the course's checking")
        elif _replaces_code(qualname, self._course_modules()):
            self.problems.append(f"replaces {qualname}, which the checks may call")

    def _magic(self, kind: str, args: list[ast.expr]) -> None:
        texts = [a.value if isinstance(a, ast.Constant) else None for a in args]
        if kind in ("system", "getoutput"):
            return
        if kind not in ("run_line_magic", "run_cell_magic") or not texts or texts[0] is None:
            self.problems.append("uses get_ipython() (it reaches the kernel)")
            return
        name = texts[0]
        if name in CODE_MAGICS:
            code = texts[-1] if kind == "run_cell_magic" else OPTIONS.sub("", texts[-1] or "")
            tree = parse(code or "")
            if tree is None:
                self.problems.append(f"runs %{name} on code the grader cannot read")
            else:
                self.read(tree)
        elif name not in INERT_MAGICS:
            self.problems.append(f"runs the magic %{name} (it can run code from elsewhere)")

    def _string(self, text: str) -> None:
        for word in RECORD_WORDS:
            if word in text:
                self.problems.append(f"names the grader's record ({word!r})")
        for word in CHECKS_PRIVATE_WORDS:
            if re.search(rf"(?<![\w]){re.escape(word)}(?![\w])", text):
                self.problems.append(f"names {word!r}, a private part of the course's checking")


def _is_get_ipython(node: ast.AST) -> bool:
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        if node.func.id == "get_ipython" and not node.args:
            node.func._magic = True  # the magics' own call: not counted as a use
            return True
    return False


def _replaces_code(qualname: str, course_modules: set[str]) -> bool:
    """True when ``qualname`` (``torch.isclose``) names a function, class or module now.

    Looked up in the grader's own Python, importing only modules the course itself
    imports (torch, matplotlib, ...): reading a cell never imports what the cell
    names. A plain setting (``torch.backends.cudnn.deterministic``) or a new attribute
    is not code.
    """
    parts = qualname.split(".")
    if parts[0] not in course_modules and parts[0] not in sys.modules:
        return False
    for split in range(len(parts) - 1, 0, -1):
        try:
            value = importlib.import_module(".".join(parts[:split]))
        except Exception:  # not a module (a class, a function): try a shorter prefix
            continue
        for attribute in parts[split:]:
            value = getattr(value, attribute, None)
            if value is None:
                return False
        return callable(value) or isinstance(value, type(sys))
    return False
