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


def test_every_public_name_is_in_the_api_reference_with_an_example():
    import inspect

    import skpoe
    import skpoe.datasets
    import skpoe.neural

    api = (DOCS[0].parent / "api.rst").read_text()
    modules = {skpoe: skpoe.__all__, skpoe.neural: skpoe.neural.__all__,
               skpoe.datasets: [n for n in dir(skpoe.datasets)
                                if not n.startswith("_")
                                and inspect.isfunction(getattr(skpoe.datasets, n))
                                and getattr(skpoe.datasets, n).__module__ == "skpoe.datasets"]}
    for module, names in modules.items():
        for name in names:
            assert f"   {name}\n" in api, f"{module.__name__}.{name} is missing from api.rst"
            assert "Examples\n    --------" in getattr(module, name).__doc__, name
