"""The house: the import graph of the package (every import, also those inside functions; not
those under `if TYPE_CHECKING:`, which never run) has no circle, the core never imports a door,
the layers below the stages import no stage, docs/ARCHITECTURE.md names every module, and every
placeholder of a catalogue template is filled where the issue is made."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

from kinerja.issues.catalogue import CATALOGUE

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "kinerja"
# the two doors (`python -m kinerja` is the CLI's): they may import the core, never the reverse
DOORS = tuple(f"kinerja.{name}" for name in ("cli", "excel", "__main__"))


def modules() -> dict[str, Path]:
    """Every module of the package by its dotted name (a package by its __init__)."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def runtime_nodes(tree: ast.AST):
    """Every node that runs: all of them but those under `if TYPE_CHECKING:` (an import there
    only names a type for an annotation and is never executed)."""
    todo = [tree]
    while todo:
        node = todo.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            test = child.test if isinstance(child, ast.If) else None
            if test is not None and ast.unparse(test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING"):
                todo.extend(child.orelse)
                continue
            todo.append(child)


def imported(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The package's modules that one module imports, wherever the import stands."""
    def owner(dotted: str) -> str | None:
        while dotted and dotted not in known:
            dotted = dotted.rpartition(".")[0]
        return dotted or None

    found: set[str] = set()
    for node in runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                here = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
                base = ".".join(here[: len(here) - node.level + 1] + ([base] if base else []))
            targets = [f"{base}.{a.name}" for a in node.names]
        else:
            continue
        for target in targets:
            if target.split(".")[0] == "kinerja" and (mod := owner(target)) and mod != name:
                found.add(mod)
    return found


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imported(name, path, known) for name, path in known.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    top = stack.pop()
                    on_stack.discard(top)
                    component.append(top)
                    if top == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def is_door(name: str) -> bool:
    return any(name == d or name.startswith(d + ".") for d in DOORS)


def test_cycles_are_found():
    """The circle finder itself: a circle through three modules, and none in a chain."""
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def test_no_import_circle():
    found = cycles(graph())
    assert not found, "import circles: " + "; ".join(" <-> ".join(c) for c in found)


def test_the_core_never_imports_a_door():
    wrong = sorted(f"{name} -> {target}" for name, targets in graph().items() if not is_door(name)
                   for target in targets if is_door(target))
    assert not wrong, "the core imports a door: " + ", ".join(wrong)


def test_the_graph_sees_imports_inside_functions():
    """The import graph counts an import in a function body like one at the top, and leaves out
    one under `if TYPE_CHECKING:`."""
    edges = graph()
    source = (PACKAGE / "workbook" / "printing.py").read_text(encoding="utf-8")
    assert "if TYPE_CHECKING:\n    from kinerja.workbook.master import Loaded" in source
    assert "kinerja.workbook.master" not in edges["kinerja.workbook.printing"]
    assert "kinerja.excel.live" in edges["kinerja.excel.handlers"]  # imported at the top
    source = (PACKAGE / "cli" / "commands.py").read_text(encoding="utf-8")
    inner = re.search(r"^    from (kinerja\.[\w.]+) import", source, re.M)  # one inside a command
    assert inner and inner.group(1) in edges["kinerja.cli.commands"]


def test_architecture_names_every_module():
    text = (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`([\w/]+)`", text))
    missing = []
    for name, path in modules().items():
        if path.name == "__main__.py" or name == "kinerja":
            continue
        rel = name.removeprefix("kinerja.").replace(".", "/")
        if rel not in named and f"{rel}/" not in named:
            missing.append(rel)
    assert not missing, f"docs/ARCHITECTURE.md does not name: {missing}"


# ------------------------------------------------------------------------- catalogue placeholders
LOCATION = {"file", "sheet", "cell", "unit", "indicator"}


def placeholders(code: str) -> set[str]:
    kind = CATALOGUE[code]
    return {f for text in (kind.template, kind.action)
            for _, f, _, _ in string.Formatter().parse(text) if f}


def _call_name(node: ast.Call) -> str:
    fn = node.func
    return fn.attr if isinstance(fn, ast.Attribute) else fn.id if isinstance(fn, ast.Name) else ""


def _wrappers(tree: ast.AST) -> dict[str, set[str]]:
    """Methods that make an issue from their code argument and add names of their own
    (`ReturnFile.issue` adds `file`): method name -> the names it adds."""
    found: dict[str, set[str]] = {}
    for fn in ast.walk(tree):
        if not isinstance(fn, ast.FunctionDef):
            continue
        params = {a.arg for a in fn.args.args}
        for node in ast.walk(fn):
            if (isinstance(node, ast.Call) and _call_name(node) in ("make_issue", "issue") and node.args
                    and isinstance(node.args[0], ast.Name) and node.args[0].id in params):
                found[fn.name] = {k.arg for k in node.keywords if k.arg is not None}
    return found


def issue_calls() -> list[tuple[str, str, set[str] | None]]:
    """Every place the package makes an issue with a literal code: (where, code, the keyword
    names passed, with those its module's wrapper adds; None when a **mapping is passed too)."""
    calls = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        wrappers = _wrappers(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args or _call_name(node) not in ("make_issue", "issue"):
                continue
            first = node.args[0]
            if not isinstance(first, ast.Constant) or first.value not in CATALOGUE:
                continue
            names = {k.arg for k in node.keywords if k.arg is not None}
            receiver = node.func.value if isinstance(node.func, ast.Attribute) else None
            if not (isinstance(receiver, ast.Name) and receiver.id == "report"):  # Report.issue adds nothing
                names |= wrappers.get(_call_name(node), set())
            splat = any(k.arg is None for k in node.keywords)
            calls.append((f"{path.relative_to(ROOT)}:{node.lineno}", first.value, None if splat else names))
    return calls


def test_every_placeholder_is_filled_where_the_issue_is_made():
    """A `{name}` in a template (or its action) that a call does not pass would show '-' to the
    person reading the message: every call passes every name its code's texts use."""
    calls = issue_calls()
    assert len({code for _, code, _ in calls}) > len(CATALOGUE) // 2  # the finder finds the calls
    unfilled = [f"{where} {code}: {sorted(placeholders(code) - names)}" for where, code, names in calls
                if names is not None and placeholders(code) - names]
    assert not unfilled, "placeholders not passed:\n" + "\n".join(unfilled)


def test_the_layers_below_the_stages_never_import_a_stage():
    """domain, issues, workbook, ooxml, libreoffice, the Word templates and charts know no SOP stage and
    no sample office: the stages import them, never the reverse."""
    below = ("domain", "issues", "workbook", "ooxml", "libreoffice", "wordtemplate", "wordrows", "wordtables",
             "charts")
    above = ("stages", "sample")

    def layer(name: str) -> str:
        parts = name.split(".")
        return parts[1] if len(parts) > 1 else ""

    wrong = sorted(f"{name} -> {target}" for name, targets in graph().items() if layer(name) in below
                   for target in targets if layer(target) in above)
    assert not wrong, "a lower layer imports a stage: " + ", ".join(wrong)
