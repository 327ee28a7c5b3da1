"""The README's quick start runs as written, and its commands stay true."""

import re
import subprocess
from pathlib import Path

README = (Path(__file__).parents[1] / "README.md").read_text()


def test_quick_start_runs():
    blocks = re.findall(r"```python\n(.*?)```", README, flags=re.S)
    assert blocks, "README has no python quick start"
    namespace = {}  # the blocks are one session, read top to bottom
    for block in blocks:
        exec(compile(block, "README.md", "exec"), namespace)
    assert namespace["analyzer"].regime_ == "intra"
    assert namespace["grid"].best_estimator_.predict_proba(namespace["X"]).shape == (569, 2)


def test_ci_runs_the_readme_test_command():
    # .ci/run extracts the command after "The tests:"; it must find one.
    out = subprocess.run(
        ["awk", '/^The tests:/{f=1} f && /^```bash/{getline; print; exit}', "README.md"],
        capture_output=True, text=True, cwd=Path(__file__).parents[1], check=True,
    ).stdout
    assert "pip install" in out and "pytest" in out
