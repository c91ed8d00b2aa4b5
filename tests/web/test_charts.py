"""Server-side SVG charts: accessible names, a table of the data, escaping, missing weeks."""

from __future__ import annotations

from avec.web.charts import bar_chart, line_chart, number_fr


def test_bar_chart_is_an_accessible_image_with_its_data() -> None:
    chart = bar_chart("t", "Usages <par> tâche", [("Courrier", 3), ("Résumé & synthèse", 1)], number_fr)
    svg = str(chart.svg)
    assert 'role="img"' in svg and 'aria-labelledby="chart-t-title chart-t-desc"' in svg
    assert "Usages &lt;par&gt; tâche" in svg and "Résumé &amp; synthèse" in svg
    assert svg.count("<rect") == 2
    assert "style=" not in svg  # the CSP forbids inline styles
    assert chart.rows == (("Courrier", "3"), ("Résumé & synthèse", "1"))


def test_empty_charts_draw_nothing() -> None:
    assert bar_chart("e", "Vide", [], number_fr).empty
    line = line_chart("l", "Vide", [("01/11", None)], number_fr, y_max=1)
    assert str(line.svg) == "" and line.rows == (("01/11", "—"),)


def test_line_chart_breaks_on_missing_weeks() -> None:
    points = [("02/11", 0.1), ("09/11", 0.2), ("16/11", None), ("23/11", 0.3)]
    chart = line_chart("c", "Correction", points, lambda v: number_fr(v * 100, 1) + " %", y_max=0.4)
    svg = str(chart.svg)
    assert svg.count("<polyline") == 1  # the lone last point is not joined across the gap
    assert svg.count("<circle") == 3
    assert chart.rows[2] == ("16/11", "—")
    assert number_fr(1234.5, 1) == "1\u202f234,5"
