"""The team report as one self-contained HTML page (no script, no external resource).

Bar charts are drawn with CSS widths so the page prints well and works offline; the web
dashboard may draw richer charts from :meth:`DashboardFigures.to_dict` instead.
"""

from __future__ import annotations

from jinja2 import Environment, select_autoescape

from avec.estimate.layout import sections
from avec.estimate.report import TeamReport

_TEMPLATE = """<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ report.title }}</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem;
       color: #1b1b1b; line-height: 1.45; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.2rem; border-bottom: 2px solid #000091; padding-top: 1rem; }
table { border-collapse: collapse; margin: .75rem 0; width: 100%; font-size: .92rem; }
th, td { border: 1px solid #ccc; padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: #f0f0f7; }
.bar { background: #000091; height: .8rem; min-width: 1px; }
.meta { color: #555; }
@media print { h2 { break-after: avoid; } table { break-inside: avoid; } }
</style>
</head>
<body>
<header>
<h1>{{ report.title }}</h1>
<p class="meta">Période {{ report.period_fr }} — rapport généré le {{ generated }} (UTC) par AVEC.</p>
</header>
<main>
{% for section in sections %}
<section>
<h2>{{ section.title }}</h2>
{% for p in section.paragraphs %}<p>{{ p }}</p>
{% endfor %}
{% for table in section.tables %}{% if table.rows %}
<table>
<thead><tr>{% for h in table.headers %}<th scope="col">{{ h }}</th>{% endfor %}
{% if table.bars %}<th scope="col" style="width:30%">Graphique</th>{% endif %}</tr></thead>
<tbody>
{% for row in table.rows %}<tr>{% for cell in row %}<td>{{ cell }}</td>{% endfor %}
{% if table.bars %}<td><div class="bar" style="width:{{ '%.1f' % (table.bars[loop.index0] * 100) }}%"
 role="img" aria-label="{{ '%.0f' % (table.bars[loop.index0] * 100) }} %"></div></td>{% endif %}</tr>
{% endfor %}
</tbody>
</table>
{% endif %}{% endfor %}
</section>
{% endfor %}
</main>
</body>
</html>
"""

_ENV = Environment(autoescape=select_autoescape(default=True, default_for_string=True))


def render_html(report: TeamReport) -> str:
    """The report as a complete HTML document (UTF-8 text)."""
    template = _ENV.from_string(_TEMPLATE)
    return template.render(
        report=report,
        sections=sections(report),
        generated=report.generated_at.strftime("%d/%m/%Y %H:%M"),
    )
