"""The Sphinx site builds with warnings as errors, its gallery examples executed."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("sphinx")
pytest.importorskip("sphinx_gallery")

DOCS = Path(__file__).parents[1] / "docs"


def test_sphinx_build_is_clean(tmp_path):
    source = tmp_path / "docs"
    shutil.copytree(DOCS, source, ignore=shutil.ignore_patterns("_build", "auto_examples",
                                                                "generated"))
    env = {**os.environ, "SKPOE_DOCS_QUICK": "1", "MPLBACKEND": "Agg"}
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
         str(source), str(tmp_path / "html")],
        capture_output=True, text=True, env=env, timeout=900,
    )
    assert result.returncode == 0, result.stderr[-5000:]
    html = tmp_path / "html"
    for page in ("index.html", "api.html", "user_guide.html", "scale_out.html",
                 "auto_examples/index.html", "auto_examples/plot_medical_study.html",
                 "auto_examples/plot_calibration.html",
                 "auto_examples/plot_bias_and_groupings.html",
                 "generated/skpoe.compare_groupings.html", "generated/skpoe.modality_bias.html",
                 "generated/skpoe.ProductOfExpertsClassifier.html",
                 "generated/skpoe.neural.JointProductOfExpertsClassifier.html"):
        assert (html / page).exists(), page
    # the gallery ran: the medical study's report is on its page
    assert "Regime: intra" in (html / "auto_examples/plot_medical_study.html").read_text()
