"""mkdocs hooks: the home page is the README, the examples page is examples/*.py, and
the API page's ``::: compact.NAME`` lines point at wherever NAME is defined.

All are read at build time, so the site never drifts from the files.  compact
exposes its API as lazy module attributes (``compact.fit``, ...), which
mkdocstrings cannot find by reading the sources, so each is resolved by
importing it.
"""

from __future__ import annotations

import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent


def _readme() -> str:
    # The README links its figures as docs/NAME.png; on the site they sit beside the page.
    return (ROOT / "README.md").read_text(encoding="utf-8").replace("](docs/", "](")


def _examples() -> str:
    parts = ["# Examples", "", "The scripts in `examples/`, run as `python examples/NAME.py` "
             "(the tests run them too)."]
    for path in sorted((ROOT / "examples").glob("*.py")):
        source = path.read_text(encoding="utf-8")
        doc = ast.get_docstring(ast.parse(source)) or ""
        parts += ["", f"## {path.stem}", "", doc, "", "```python", source.rstrip(), "```"]
    return "\n".join(parts) + "\n"


def _api(markdown: str) -> str:
    import importlib

    lines = []
    for line in markdown.splitlines():
        if line.startswith("::: "):
            path = line[4:].strip()
            module, _, name = path.rpartition(".")
            obj = getattr(importlib.import_module(module), name, None)
            if obj is not None and not hasattr(obj, "__file__"):  # a class or function: where it is defined
                line = f"::: {obj.__module__}.{obj.__qualname__}"
            # compact.adapters is installed from the top-level adapters/ folder
            line = line.replace("::: compact.adapters.", "::: adapters.")
        lines.append(line)
    return "\n".join(lines) + "\n"


def on_page_markdown(markdown, page, config, files):
    if page.file.src_uri == "index.md":
        return _readme()
    if page.file.src_uri == "examples.md":
        return _examples()
    if page.file.src_uri == "api.md":
        return _api(markdown)
    return markdown
