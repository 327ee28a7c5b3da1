"""The layout's rules: no import cycle, the engine below the classifier below the studies."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "skpoe"


def _module_name(path):
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports():
    """Module -> the skpoe modules it imports, at the top or inside a function."""
    graph = {}
    for path in PACKAGE.rglob("*.py"):
        name = _module_name(path)
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        found = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")
                    base = base[:len(base) - node.level + 1]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                if target.startswith("skpoe"):
                    found.add(target)
                    found.update(f"{target}.{alias.name}" for alias in node.names)
            elif isinstance(node, ast.Import):
                found.update(a.name for a in node.names if a.name.startswith("skpoe"))
        graph[name] = found
    return {m: {t for t in targets if t in graph and t != m} for m, targets in graph.items()}


GRAPH = _imports()


def _layer(module):
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_the_graph_sees_the_package():
    assert "skpoe._analysis._study" in GRAPH["skpoe._analysis._analyzer"]
    assert "skpoe._engine._oof" in GRAPH["skpoe._analysis._study"]


def test_no_import_cycle():
    # package __init__ modules re-export their children: an edge to a parent package
    # is not a dependency on its siblings
    edges = {m: {t for t in ts if not m.startswith(t + ".")} for m, ts in GRAPH.items()}
    state = {}

    def visit(module, path):
        state[module] = "open"
        for target in edges[module]:
            if state.get(target) == "open":
                pytest.fail("import cycle: " + " -> ".join(path + [target]))
            if target not in state:
                visit(target, path + [target])
        state[module] = "done"

    for module in sorted(edges):
        if module not in state:
            visit(module, [module])


@pytest.mark.parametrize("layer, forbidden", [
    ("_vocabulary", {"_engine", "_product", "_analysis", "_cli", "neural", "datasets"}),
    ("_engine", {"_product", "_analysis", "_cli", "neural"}),
    ("_product", {"_analysis", "_cli", "neural"}),
    ("_analysis", {"_cli", "neural"}),
    ("neural", {"_product", "_analysis", "_cli"}),
])
def test_each_layer_imports_only_those_below_it(layer, forbidden):
    offending = sorted((m, t) for m, ts in GRAPH.items() if _layer(m) == layer
                       for t in ts if _layer(t) in forbidden)
    assert not offending, offending


def test_the_studies_call_no_private_method_of_the_analyzer():
    for name in ("_groupings.py", "_bias.py"):
        tree = ast.parse((PACKAGE / "_analysis" / name).read_text())
        calls = [node.func.attr for node in ast.walk(tree)
                 if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                 and isinstance(node.func.value, ast.Name)
                 and node.func.value.id in ("analyzer", "a") and node.func.attr.startswith("_")]
        assert not calls, (name, calls)
