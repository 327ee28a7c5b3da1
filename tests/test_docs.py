"""The user guide's examples run as written (each page is one session)."""

import re
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

DOCS = sorted((Path(__file__).parents[1] / "docs").glob("*.md"))


@pytest.mark.parametrize("page", [p for p in DOCS if "```python" in p.read_text()],
                         ids=lambda p: p.name)
def test_examples_run(page):
    namespace = {}
    for block in re.findall(r"```python\n(.*?)```", page.read_text(), flags=re.S):
        exec(compile(block, str(page), "exec"), namespace)
