"""Notebook reports: formatted tables with a legend for each column, and an inline SVG figure.

Shared by the analyzer, the grouping comparison and the bias diagnosis, so that
the three read alike when pasted into a lab notebook.
"""

import html
import io

import numpy as np

_STYLE = (
    "<style>"
    ".skpoe-report{font-family:system-ui,sans-serif;max-width:64em}"
    ".skpoe-report table{border-collapse:collapse;margin:.4em 0 .8em;font-size:.92em}"
    ".skpoe-report caption{text-align:left;caption-side:bottom;font-size:.85em;color:#444}"
    ".skpoe-report th,.skpoe-report td{padding:.2em .5em;border-bottom:1px solid #ddd;"
    "text-align:right}"
    ".skpoe-report td{white-space:nowrap}"
    ".skpoe-report th:first-child,.skpoe-report td:first-child{text-align:left}"
    ".skpoe-report .lead{font-size:1.05em}"
    ".skpoe-report dl{font-size:.85em;color:#444;columns:2}"
    ".skpoe-report dl div{break-inside:avoid}"
    ".skpoe-report .wide{overflow-x:auto}"
    ".skpoe-report dt{font-weight:600}.skpoe-report dd{margin:0 0 .3em 0}"
    "</style>"
)


def _cell(value):
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (float, np.floating)):
        if np.isnan(value):
            return ""
        return f"{value:.3f}" if round(value, 3) >= 0 else f"{value:+.3f}"  # no "-0.000"
    return html.escape(str(value))


def _table(frame, legend=None, caption=None):
    """A DataFrame as an HTML table (index first, no empty index row) and its legend."""
    # a long snake_case header may break after its underscores, not widen the table
    head = "".join(f"<th>{html.escape(str(c)).replace('_', '_<wbr>')}</th>" for c in
                   [frame.index.name or ""] + list(frame.columns))
    body = "".join(
        "<tr><td>" + html.escape(str(index)) + "</td>"
        + "".join(f"<td>{_cell(v)}</td>" for v in row) + "</tr>"
        for index, row in zip(frame.index, frame.itertuples(index=False))
    )
    out = "<div class='wide'>" + (f"<table><caption>{html.escape(caption)}</caption>"
                                  if caption else "<table>")
    out += f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    if legend:
        items = "".join(f"<div><dt>{html.escape(c)}</dt><dd>{html.escape(text)}</dd></div>"
                        for c, text in legend.items() if c in frame.columns)
        out += f"<dl>{items}</dl>"
    return out


def _mean_sd(frame, metrics):
    """``metric`` and ``metric_sd`` columns as one "mean ± sd" column per metric."""
    import pandas as pd

    return pd.DataFrame({
        m: [f"{a:.3f} ± {b:.3f}" for a, b in zip(frame[m], frame[f"{m}_sd"])]
        for m in metrics
    }, index=frame.index)


def _svg(draw):
    """``draw()`` -> a matplotlib Figure, as inline SVG; a note if matplotlib is missing."""
    try:
        import matplotlib

        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt
    except ImportError:
        return "<p><i>Install matplotlib (pip install 'skpoe[plot]') for the figure.</i></p>"
    fig = draw()
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight")
    plt.close(fig)
    text = buffer.getvalue()
    return text[text.index("<svg"):]  # drop the XML prologue: inline in HTML


class _HtmlReport:
    """The notebook view of a result object with ``table_`` and ``plot()``.

    Subclasses name ``_title``, ``_table_heading`` and ``_legend``, and write the
    lead sentence in ``_lead()`` (HTML-escaped text).
    """

    _title = _table_heading = ""
    _legend = {}

    def _repr_html_(self):
        return _report(self._title, self._lead(),
                       [(self._table_heading, _table(self.table_, self._legend))],
                       figure=_svg(self.plot))


def _report(title, lead, sections, figure=None):
    """A whole report: title, a lead sentence, (heading, html) sections, a figure."""
    parts = [_STYLE, "<div class='skpoe-report'>", f"<h3>{html.escape(title)}</h3>",
             f"<p class='lead'>{lead}</p>"]
    if figure is not None:
        parts.append(f"<figure>{figure}</figure>")
    for heading, content in sections:
        parts.append(f"<h4>{html.escape(heading)}</h4>{content}")
    parts.append("</div>")
    return "".join(parts)
