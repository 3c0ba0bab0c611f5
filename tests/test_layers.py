"""The layers of GUIDE.md §1 (and README's architecture map) hold: every import of ours,
at the top of a module or inside a function, points down `LAYERS`, and no modules import
each other in a circle. There is no list of exceptions: a new upward edge fails here."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "crmcli"

LAYERS = [
    ("crmcli.__main__",),
    ("crmcli.cli",),
    ("crmcli.render",),
    ("crmcli",),  # the library's front door: open_repo
    ("crmcli.io",),
    ("crmcli.actions",),
    ("crmcli.reports",),
    ("crmcli.reminders",),
    ("crmcli.query",),
    ("crmcli.store",),
    ("crmcli.model",),
    ("crmcli.i18n",),
    ("crmcli.errors", "crmcli.version"),
]
"""Top to bottom; a module may import its own layer's modules and those of the layers below."""


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(path): path for path in sorted(ROOT.rglob("*.py"))}


def _layer(module: str) -> int:
    """The index in LAYERS of the longest prefix naming `module`'s place."""
    best, found = -1, None
    for index, names in enumerate(LAYERS):
        for name in names:
            if (module == name or module.startswith(name + ".")) and len(name) > best:
                best, found = len(name), index
    assert found is not None, f"{module} is in no layer: add it to LAYERS (and to README's map)"
    return found


def _imports(module: str) -> set[str]:
    """The modules of ours that `module` imports, anywhere in it (a name imported from a
    package counts as its submodule when there is one)."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    package = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[:len(package.split(".")) - node.level + 1] + ([base] if base else []))
            names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base for alias in node.names]
        else:
            continue
        found.update(name for name in names if name.split(".")[0] == "crmcli")
    return {name for name in found if name in MODULES and name != module}


GRAPH = {module: _imports(module) for module in MODULES}


def test_every_module_has_a_layer():
    for module in MODULES:
        _layer(module)


def test_imports_point_down():
    upward = sorted(f"{module} -> {target}" for module, targets in GRAPH.items() for target in targets
                    if _layer(target) < _layer(module))
    assert upward == []


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return stack[stack.index(target):] + [target]
            if target not in state:
                found = visit(target)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_no_module_cycle():
    assert _cycle(GRAPH) is None


def test_no_package_cycle():
    """Packages (and the root's modules) import each other in no circle either."""
    def package(module: str) -> str:
        parts = module.split(".")
        return ".".join(parts[:2]) if len(parts) > 1 and (ROOT / parts[1]).is_dir() else module

    packages: dict[str, set[str]] = {}
    for module, targets in GRAPH.items():
        packages.setdefault(package(module), set()).update(
            package(target) for target in targets if package(target) != package(module))
    assert _cycle(packages) is None


def _function_level_imports(path: Path):
    """(line number, the module's lines, the node) of each import inside a function of the module at `path`."""
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Import | ast.ImportFrom):
                    yield inner.lineno, lines, inner


def test_imports_sit_at_the_top_unless_a_measured_reason_says_otherwise():
    """An import inside a function hides a module's dependencies and used to paper over cycles;
    it stays only where a `# lazy:` comment (on its line, or heading the run of imports and
    comments it is in) gives the start-up figure that makes it worth it (`python -X importtime`)."""
    def explained(lines: list[str], line: int) -> bool:
        for text in reversed(lines[:line]):
            if "# lazy:" in text:
                return True
            if not text.strip().startswith(("import ", "from ", "#")):
                return False
        return False

    unexplained = [f"{path.relative_to(ROOT.parent)}:{line}" for path in MODULES.values()
                   for line, lines, _node in _function_level_imports(path) if not explained(lines, line)]
    assert unexplained == []
