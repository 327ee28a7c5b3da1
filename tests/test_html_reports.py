"""The notebook reports parse, and hold the figure, every table and a legend per column."""

from html.parser import HTMLParser

import matplotlib
import pytest
from sklearn.linear_model import LogisticRegression

from skpoe import ModalityDependencyAnalyzer, compare_groupings, modality_bias
from skpoe.datasets import make_planted_modalities

matplotlib.use("Agg")


class _Structure(HTMLParser):
    """Counts tags, the rows of each table, and checks that tags close in order."""

    VOID = {"br", "img", "meta", "hr", "input", "link", "path", "use", "rect", "circle",
            "line", "polyline", "polygon", "stop", "ellipse"}

    def __init__(self):
        super().__init__()
        self.stack, self.tables, self.count = [], [], {}

    def handle_starttag(self, tag, attrs):
        self.count[tag] = self.count.get(tag, 0) + 1
        if tag == "table":
            self.tables.append(0)
        if tag == "tr" and self.stack and "tbody" in self.stack:
            self.tables[-1] += 1
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.count[tag] = self.count.get(tag, 0) + 1

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        assert self.stack and self.stack[-1] == tag, (tag, self.stack[-5:])
        self.stack.pop()


def structure(html):
    parser = _Structure()
    parser.feed(html)
    parser.close()
    assert not parser.stack, parser.stack  # every tag closed
    return parser


@pytest.fixture(scope="module")
def planted():
    data = make_planted_modalities("noise", n_samples=300, random_state=0)
    experts = [(m, LogisticRegression(), c) for m, c in data.modalities.items()]
    return data, ModalityDependencyAnalyzer(experts, cv=3, random_state=0).fit(
        data.data, data.target)


def test_analyzer_report(planted):
    _, analyzer = planted
    html = analyzer._repr_html_()
    parsed = structure(html)
    assert parsed.count.get("svg") == 1  # the plot, inline
    # dependencies, model selection, models: every row of each
    assert parsed.tables == [len(analyzer.dependencies_), 1, len(analyzer.results_)]
    assert "Regime <b>intra</b>" in html and "Recommended: ProductOfExpertsClassifier" in html
    assert "Nadeau-Bengio" in html and "<dt>inter_reliance</dt>" in html  # legends
    assert "does not count" in html  # the plot's legend


def test_grouping_and_bias_reports(planted):
    data, analyzer = planted
    comparison = compare_groupings({"ab": data.modalities}, data.data, data.target,
                                   expert=LogisticRegression(), include=("all",), cv=3,
                                   random_state=0)
    parsed = structure(comparison._repr_html_())
    assert parsed.count.get("svg") == 1 and parsed.tables == [2]
    model = LogisticRegression().fit(data.data, data.target)
    bias = modality_bias(model, data.data, data.target, data.modalities, analyzer=analyzer,
                         random_state=0)
    html = bias._repr_html_()
    parsed = structure(html)
    assert parsed.count.get("svg") == 1 and parsed.tables == [2]
    assert "<dt>bias_ratio</dt>" in html and bias.sentence().split(":")[0] in html
