"""A run's results as JSON lines, CSV (spreadsheet-safe) and one self-contained HTML file.

The HTML file has no script, font or style from elsewhere: it opens offline, attached to a
ticket. Its charts are inline SVG drawn here (two bar charts need no charting library).
"""

from __future__ import annotations

import contextlib
import csv
import html
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO

from softphone.store import csv_cell
from softphone.tester.result import NumberResult

FIELDS = tuple(NumberResult.model_fields)
# Colours stay apart for colour-blind readers (Okabe-Ito palette); text says it as well.
_COLOURS = {
    "answered": "#009E73", "busy": "#E69F00", "noanswer": "#56B4E9", "failed": "#D55E00",
    "dialout": "#0072B2", "cancel": "#999999", "amd": "#CC79A7", "error": "#000000",
    "not called": "#BBBBBB",
}


def write_jsonl(results: Iterable[NumberResult], handle: IO[str]) -> int:
    count = 0
    for result in results:
        handle.write(result.model_dump_json() + "\n")
        count += 1
    return count


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return csv_cell(value)


def write_csv(results: Iterable[NumberResult], handle: IO[str]) -> int:
    writer = csv.writer(handle)
    writer.writerow(FIELDS)
    count = 0
    for result in results:
        row = result.model_dump()
        writer.writerow([_cell(row[name]) for name in FIELDS])
        count += 1
    return count


def counts(results: Iterable[NumberResult]) -> Counter[str]:
    return Counter(r.outcome for r in results)


def _bar_chart(title: str, bars: Sequence[tuple[str, float, str]], unit: str,
               chart_id: str) -> str:
    """A horizontal bar chart as inline SVG: (label, value, colour) per bar."""
    width, label_w, row_h = 640, 170, 26
    height = 40 + row_h * max(1, len(bars))
    top = max((v for _, v, _ in bars), default=0) or 1
    parts = [f'<svg id="{chart_id}" class="chart" xmlns="http://www.w3.org/2000/svg" '
             f'width="{width}" height="{height}" role="img" aria-label="{html.escape(title)}">',
             f'<text x="0" y="18" font-weight="bold">{html.escape(title)}</text>']
    for i, (label, value, colour) in enumerate(bars):
        y = 32 + i * row_h
        w = (width - label_w - 90) * value / top
        parts.append(f'<text x="0" y="{y + 15}">{html.escape(label)}</text>')
        parts.append(f'<rect class="bar" x="{label_w}" y="{y}" width="{w:.1f}" height="18" '
                     f'fill="{colour}"><title>{html.escape(label)}: {value:g}{unit}</title>'
                     '</rect>')
        parts.append(f'<text x="{label_w + w + 6:.1f}" y="{y + 15}">{value:g}{unit}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def outcome_chart(results: Sequence[NumberResult]) -> str:
    bars = [(name, float(n), _COLOURS.get(name, "#666666"))
            for name, n in counts(results).most_common()]
    return _bar_chart("Outcomes", bars, "", "chart-outcomes")


def pdd_chart(results: Sequence[NumberResult]) -> str:
    """Post-dial delay per number (RFC 6076 SRD), in the list's order."""
    bars = [(f"{r.job}. {(r.label or r.target)[:20]}", float(r.post_dial_delay_ms),
             _COLOURS.get(r.outcome, "#666666"))
            for r in results if r.post_dial_delay_ms is not None]
    return _bar_chart("Post-dial delay (INVITE to first 18x)", bars, " ms", "chart-pdd")


_TABLE = ("job", "label", "target", "expect", "passed", "verdict", "outcome", "hangup_by",
          "hangup_reason", "sip_code", "sip_reason", "q850_cause", "post_dial_delay_ms",
          "ring_s", "answer_s", "talk_s", "early_media", "codec", "mos", "jitter_ms",
          "loss_pct", "rtt_ms", "action", "amd", "recording", "sip_call_id", "plain")
_STYLE = """
body { font-family: sans-serif; margin: 1.5em; color: #222; }
table { border-collapse: collapse; font-size: 13px; }
th, td { border: 1px solid #ccc; padding: 3px 6px; text-align: left; vertical-align: top; }
th { background: #eee; }
tr.pass td.verdict { background: #d8f3e6; }
tr.fail td.verdict { background: #fbe0d4; }
.summary span { margin-right: 1.2em; }
"""


def _value(result: NumberResult, name: str, report_dir: Path | None) -> str:
    value = getattr(result, name)
    if name == "passed":
        return "PASS" if value else ("FAIL" if value is False else "-")
    if name == "recording" and value:
        path = Path(value)
        href = path.as_uri() if path.is_absolute() else str(path)
        if report_dir is not None and path.is_absolute():
            with contextlib.suppress(ValueError):
                href = str(path.relative_to(report_dir))
        return f'<a href="{html.escape(href)}">{html.escape(path.name)}</a>'
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return html.escape(str(value))


def html_report(results: Sequence[NumberResult], *, run_id: str, title: str = "Number test",
                report_dir: Path | None = None, summary: str = "") -> str:
    passed = sum(1 for r in results if r.passed)
    failed = sum(1 for r in results if r.passed is False)
    rows = []
    for r in results:
        cls = "pass" if r.passed else ("fail" if r.passed is False else "none")
        cells = "".join(
            f'<td class="{name}">{_value(r, name, report_dir)}</td>' for name in _TABLE)
        rows.append(f'<tr class="result {cls}" data-job="{r.job}">{cells}</tr>')
    head = "".join(f"<th>{name.replace('_', ' ')}</th>" for name in _TABLE)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{html.escape(title)} {html.escape(run_id)}</title>
<style>{_STYLE}</style></head>
<body>
<h1>{html.escape(title)}: {html.escape(run_id)}</h1>
<p class="summary"><span>{len(results)} numbers</span><span id="passed">{passed} passed</span>
<span id="failed">{failed} failed</span><span>{html.escape(summary)}</span></p>
{outcome_chart(results)}
{pdd_chart(results)}
<table id="results"><thead><tr>{head}</tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody></table>
</body></html>
"""


def write_html(path: Path, results: Sequence[NumberResult], *, run_id: str,
               summary: str = "") -> None:
    path.write_text(html_report(results, run_id=run_id, report_dir=path.resolve().parent,
                                summary=summary), encoding="utf-8")
