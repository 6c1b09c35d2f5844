"""The package is layered (lifecycle/__init__.py, docs/architecture.md): each folder imports only
the folders below it, Streamlit only in the glue. This test reads every module's imports."""
import ast
from pathlib import Path

PKG = Path(__file__).resolve().parents[1] / "lifecycle"

# layer -> the layers it may import (itself included)
ALLOWED = {
    "domain": {"domain"},
    "store": {"domain", "store"},
    "query": {"domain", "store", "query"},
    "ingest": {"domain", "store", "ingest"},
    "present": {"domain", "present"},
    "outputs": {"domain", "store", "query", "present", "outputs"},
    "ui": {"domain", "store", "query", "ingest", "present", "outputs", "ui", "demo", "cli"},
    "cli": {"domain", "store", "query", "ingest", "present", "outputs", "cli", "demo"},
    "demo": {"domain", "store", "demo"},
    "__main__": {"cli"},
    "__init__": set(),
}
STREAMLIT_LAYERS = {"ui"}


def _layer(path: Path) -> str:
    rel = path.relative_to(PKG)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def _imports(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.level:  # relative import: resolve against the file's package
                base = list(path.relative_to(PKG).parent.parts)
                base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                yield node.lineno, ".".join(["lifecycle", *base, *node.module.split(".")])
            else:
                yield node.lineno, node.module
                if node.module == "lifecycle":
                    for a in node.names:
                        yield node.lineno, f"lifecycle.{a.name}"
        elif isinstance(node, ast.Import):
            for a in node.names:
                yield node.lineno, a.name


def _modules():
    return sorted(p for p in PKG.rglob("*.py") if "webapp" not in p.parts)


def test_every_module_belongs_to_a_known_layer():
    assert {_layer(p) for p in _modules()} <= set(ALLOWED)


def test_layers_import_only_downwards():
    bad = []
    for path in _modules():
        layer = _layer(path)
        for line, mod in _imports(path):
            parts = mod.split(".")
            if parts[0] != "lifecycle" or len(parts) < 2:
                continue
            target = parts[1]
            if target not in ALLOWED.get(layer, set()) and target != layer:
                bad.append(f"{path.relative_to(PKG)}:{line} ({layer}) imports {mod}")
    assert not bad, "\n".join(bad)


def test_streamlit_only_in_the_glue():
    bad = [f"{p.relative_to(PKG)}:{line}" for p in _modules() if _layer(p) not in STREAMLIT_LAYERS
           for line, mod in _imports(p) if mod.split(".")[0] == "streamlit"]
    assert not bad, bad


def test_pages_use_the_facade_only():
    """Pages talk to the core through `lifecycle.ui` and the core's public modules; none of them
    reaches into the glue's private module."""
    pages = Path(__file__).resolve().parents[1] / "pages"
    for p in pages.glob("*.py"):
        for line, mod in _imports(p):
            assert mod != "lifecycle.ui.page", f"{p.name}:{line}"


def test_no_citation_outside_the_repository():
    """The repository stands alone: code, SQL, config and docs cite docs/ (docs/domain.md §N),
    never the shared contract or seed files a developer had beside the checkout."""
    import re

    root = PKG.parent
    bad = re.compile(r"SPEC(\.md| ?§)|\.\./shared|/work/shared")
    files = [p for d in ("lifecycle", "pages", "docs", "tests") for p in (root / d).rglob("*")
             if p.suffix in {".py", ".sql", ".toml", ".md"} and p.name != "test_layers.py"]
    files += [root / "README.md", root / "app.py"]
    hits = [f"{p.relative_to(root)}:{i}" for p in files
            for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if bad.search(line)]
    assert len(files) > 100 and hits == []
