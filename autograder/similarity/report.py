"""The similarity report: ``similarity.csv`` (every pair), ``similarity.html`` (the top pairs side by
side) and the section of the class summary.

It ranks and shows evidence; it does not judge.  A high score says that two students' written code
has the same runs of tokens (after normalisation): a reason to read both notebooks, nothing more.
Cells whose code was hidden in string literals are marked "obfuscated code" (compared as the code
they hold), cells cut at the cap say so; every student has a row (the closest classmate), and student
text is shown through :func:`autograder.grade.messages.visible`.
"""
import csv
import functools
import html
import io
import statistics
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from ..grade.atomic import write_file
from ..notes import visible
from ..grade.summary import plural
from .compare import K, line_runs, matched_lines
from .written import MAX_CHARS, MAX_LINES

NOTABLE = 0.5        # a cell score from which the cell is named as one to read...
MIN_WEIGHT = 40      # ...if the reference has at least this many tokens to write in it
KINDS = {"class": "classmate", "reference": "reference solution", "archive": "earlier term"}
CAVEAT = ("A high score is a reason to read both notebooks side by side, not a finding: students who "
          "learned the same material write alike, short answers most of all.")
OBFUSCATED = "obfuscated code"
LISTED = 10  # students named per flag in the summary's section (similarity.csv has them all)


@dataclass
class Section:
    """What the class summary shows: its text and every class pair's overall score."""
    text: str
    scores: list = field(default_factory=list)


@dataclass
class Report:
    """Everything compared in one run."""
    pairs: list                  # [compare.Pair], highest first
    subs: dict                   # name -> written.Submission (the reference and archive entries too)
    prints: dict                 # name -> {grade_id: {hash: lines}}
    weights: dict                # grade_id -> tokens the reference writes in it
    students: list               # names of this class's students

    @property
    def notes(self):
        return [note for sub in self.subs.values() for note in sub.notes]

    @property
    def class_scores(self):
        return [p.overall for p in self.pairs if p.kind == "class"]

    def obfuscated(self, name):
        """``{grade_id: how}`` of ``name``'s cells whose code was hidden in string literals."""
        return {gid: "; ".join(dict.fromkeys(c.hidden)) for gid, c in self.subs[name].cells.items() if c.hidden}

    def cut(self, name):
        """``{grade_id: what was cut}`` of ``name``'s cells cut at the cap."""
        return {gid: c.cut for gid, c in self.subs[name].cells.items() if c.cut}

    def closest(self):
        """``{student: their highest-scoring class pair}`` (None for a student alone in the class)."""
        found = dict.fromkeys(self.students)
        for p in self.pairs:
            if p.kind == "class":
                for name in (p.a, p.b):
                    if found.get(name, 0) is None:
                        found[name] = p
        return found

    def to_read(self, pair):
        """The cells of ``pair`` worth reading: score >= NOTABLE and enough to write (>= MIN_WEIGHT tokens)."""
        return [gid for gid, s in pair.cells.items() if s >= NOTABLE and self.weights[gid] >= MIN_WEIGHT]

    def lines(self, pair):
        """``{grade_id: (mask of a, mask of b)}``: the lines the pair's common fingerprints cover, in the
        cells that have any (bit i: line i)."""
        a, b = self.prints[pair.a], self.prints[pair.b]
        return {gid: matched_lines(a[gid], b[gid]) for gid, score in pair.cells.items() if score > 0}


@functools.lru_cache(maxsize=65536)
def _ranges(mask):
    """A line mask as 1-based ranges, e.g. "3-5,9" (a class has few distinct masks: cached)."""
    return ",".join(f"{a + 1}" if a == b else f"{a + 1}-{b + 1}" for a, b in line_runs(mask))


def _where(lines, side):
    """E.g. "model:3-5,9 training:2" for side 0 (a) or 1 (b) of :meth:`Report.lines`."""
    return " ".join(f"{gid}:{_ranges(masks[side])}" for gid, masks in lines.items())


def write_csv(report, path):
    """Every pair: rank, both names, what b is, overall and per-cell scores, cells to read, matched lines."""
    cells = list(report.weights)
    text = io.StringIO(newline="")
    out = csv.writer(text)
    out.writerow(["rank", "student_a", "student_b", "compared_with", "overall", "cells_to_read"]
                 + [f"score_{gid}" for gid in cells] + ["matched_lines_a", "matched_lines_b",
                                                        "obfuscated_cells_a", "obfuscated_cells_b",
                                                        "cut_cells_a", "cut_cells_b"])
    flags = {name: (" ".join(report.obfuscated(name)), " ".join(report.cut(name))) for name in report.subs}
    for rank, p in enumerate(report.pairs, 1):
        lines = report.lines(p)
        out.writerow([rank, p.a, p.b, p.kind, f"{p.overall:.3f}", " ".join(report.to_read(p))]
                     + [f"{p.cells[gid]:.3f}" for gid in cells] + [_where(lines, 0), _where(lines, 1),
                                                                    flags[p.a][0], flags[p.b][0],
                                                                    flags[p.a][1], flags[p.b][1]])
    write_file(path, text.getvalue())


def _stats(scores):
    if not scores:
        return "no pairs"
    ranked = sorted(scores)
    p95 = ranked[min(len(ranked) - 1, int(0.95 * len(ranked)))]
    return f"median {statistics.median(ranked):.2f}, 95th percentile {p95:.2f}, highest {ranked[-1]:.2f}"


def section(report, top=5):
    """The class summary's section (text) and the class pairs' scores."""
    pairs = [p for p in report.pairs if p.kind == "class"]
    n = len(report.students)
    lines = [f"Similarity of written code: {plural(n, 'student')}, {plural(len(pairs), 'pair')} (similarity.html, "
             "similarity.csv)",
             f"  pairs of students: {_stats(report.class_scores)}"]
    for p in pairs[:top]:
        cells = report.to_read(p)
        lines.append(f"  {p.overall:5.2f}  {p.a} / {p.b}" + (f"  (cells to read: {', '.join(cells)})" if cells else ""))
    ref = sorted((p for p in report.pairs if p.kind == "reference"), key=lambda p: -p.overall)[:3]
    if ref:
        lines.append("  closest to the reference solution: " + ", ".join(f"{p.a} {p.overall:.2f}" for p in ref))
    for what, flagged in ((f"{OBFUSCATED} (hidden in string literals, decoded and compared as code: a reason to "
                           "read, not proof)", report.obfuscated),
                          (f"cells cut at {MAX_LINES} lines / {MAX_CHARS:,} characters", report.cut)):
        named = [f"{name} ({', '.join(cells)})" for name in report.students if (cells := flagged(name))]
        if named:
            more = f", and {len(named) - LISTED} more (similarity.csv)" if len(named) > LISTED else ""
            lines.append(f"  {what}: {', '.join(named[:LISTED])}{more}")
    lines += [f"  note: {note}" for note in report.notes]
    lines.append("  " + CAVEAT)
    return Section(visible("\n".join(lines)) + "\n", report.class_scores)


STYLE = """
body { font-family: sans-serif; margin: 1.5em; color: #222; }
table.rank { border-collapse: collapse; font-size: 13px; }
table.rank td, table.rank th { border: 1px solid #ccc; padding: 2px 6px; text-align: right; }
table.rank td.n { text-align: left; }
td.hi { background: #ffe08a; font-weight: bold; }
.side { display: flex; gap: 12px; }
.side > div { flex: 1; min-width: 0; }
pre { font-size: 12px; background: #fafafa; border: 1px solid #ddd; padding: 4px; }
pre span { display: block; white-space: pre-wrap; overflow-wrap: anywhere; padding-left: 4.5em; text-indent: -4.5em; }
pre .g { color: #999; }
pre .m { background: #ffe08a; }
pre i { color: #aaa; font-style: normal; }
p.caveat { background: #eef4ff; padding: 6px 10px; border-left: 4px solid #4c72b0; }
.flag { background: #c0392b; color: white; border-radius: 3px; padding: 0 4px; font-size: 11px; white-space: nowrap; }
pre .note { color: #c0392b; font-style: italic; }
table.all { border-collapse: collapse; font-size: 12px; }
table.all td, table.all th { border-bottom: 1px solid #eee; padding: 1px 6px; text-align: left; }
"""


def _e(text):
    return html.escape(visible(text), quote=True)


def _flag(report, name):
    return f' <span class="flag">{OBFUSCATED}</span>' if name in report.subs and report.obfuscated(name) else ""


def _name(report, name, out_dir, flag=True):
    """A student's name, linked to their feedback when it is in the output folder, marked if obfuscated."""
    mark = _flag(report, name) if flag else ""
    if name in report.students and (Path(out_dir) / name / "feedback.html").is_file():
        return f'<a href="{_e(quote(name))}/feedback.html">{_e(name)}</a>{mark}'
    return _e(name) + mark


def _cell_html(sub, gid, matched):
    cell = sub.cells.get(gid)
    if cell is None:
        return "<p>(cell not compared)</p>"
    rows = [f'<span class="note">{OBFUSCATED}, shown decoded: {_e("; ".join(dict.fromkeys(cell.hidden)))}</span>']\
        if cell.hidden else []
    for i, line in enumerate(cell.lines):
        kind = "m" if matched >> i & 1 else ("w" if i in cell.written else "g")
        rows.append(f'<span class="{kind}"><i>{i + 1:3d}</i> {_e(line)}</span>')
    if cell.cut:
        rows.append(f'<span class="note">[... {_e(cell.cut)}: the rest is not compared]</span>')
    return "<pre>" + "".join(rows) + "</pre>"


def _evidence(report, rank, p, out_dir):
    lines = report.lines(p)
    kind = "" if p.kind == "class" or KINDS[p.kind] in p.b else f" ({_e(KINDS[p.kind])})"  # the name may say it
    parts = [f'<h3 id="pair-{rank}">{rank}. {_name(report, p.a, out_dir)} and {_name(report, p.b, out_dir)}{kind}: '
             f"{p.overall:.2f}</h3>"]
    for gid in sorted(lines, key=lambda gid: -p.cells[gid] * report.weights[gid]):
        parts.append(f"<h4>cell <code>{_e(gid)}</code>: {p.cells[gid]:.2f} "
                     f"({report.weights[gid]} tokens to write)</h4><div class=\"side\">"
                     f"<div><b>{_e(p.a)}</b>{_cell_html(report.subs[p.a], gid, lines[gid][0])}</div>"
                     f"<div><b>{_e(p.b)}</b>{_cell_html(report.subs[p.b], gid, lines[gid][1])}</div></div>")
    return "\n".join(parts)


def _every_student(report, out_dir):
    """One row per student: the closest classmate, the score, the cells to read, the closest to the
    reference, and the student's flags (obfuscated, cut cells)."""
    reference = {p.a: p.overall for p in report.pairs if p.kind == "reference"}
    closest = report.closest()
    rows = []
    for name in sorted(report.students, key=lambda n: (-(closest[n].overall if closest[n] else 0), n)):
        p = closest[name]
        other = (p.b if p.a == name else p.a) if p else None
        flags = [f"{OBFUSCATED}: {gid} ({how})" for gid, how in report.obfuscated(name).items()]
        flags += [f"cut: {gid} ({what})" for gid, what in report.cut(name).items()]
        rows.append(f'<tr><td>{_name(report, name, out_dir, flag=False)}</td>'
                    f'<td>{_name(report, other, out_dir, flag=False) if other else "-"}</td>'
                    f'<td>{p.overall if p else 0:.2f}</td><td>{_e(" ".join(report.to_read(p)) if p else "")}</td>'
                    f'<td>{reference.get(name, 0):.2f}</td><td>{_e("; ".join(flags))}</td></tr>')
    return ('<table class="all"><tr><th>student</th><th>closest classmate</th><th>overall</th>'
            '<th>cells to read</th><th>vs reference</th><th>flags</th></tr>' + "".join(rows) + "</table>")


def write_html(report, path, out_dir, top=20):
    """The ranking of the ``top`` pairs and, for each, the cells they share side by side."""
    cells = list(report.weights)
    shown = [p for p in report.pairs if p.overall > 0][:top]
    head = "".join(f"<th>{_e(gid)}<br><small>{report.weights[gid]}</small></th>" for gid in cells)
    rows = []
    for rank, p in enumerate(shown, 1):
        read = set(report.to_read(p))
        scores = "".join(f'<td class="{"hi" if gid in read else ""}">{p.cells[gid]:.2f}</td>' for gid in cells)
        rows.append(f'<tr><td><a href="#pair-{rank}">{rank}</a></td><td class="n">{_name(report, p.a, out_dir)}</td>'
                    f'<td class="n">{_name(report, p.b, out_dir)}</td><td class="n">{_e(KINDS[p.kind])}</td>'
                    f"<td><b>{p.overall:.2f}</b></td>{scores}</tr>")
    notes = "".join(f"<li>{_e(note)}</li>" for note in report.notes)
    body = f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Similarity of written code</title><style>{STYLE}</style></head><body>
<h1>Similarity of written code</h1>
<p>{plural(len(report.students), 'student')}; every pair of them, each student against the reference solution{
    " and against earlier terms" if any(p.kind == "archive" for p in report.pairs) else ""}.
Pairs of students: {_e(_stats(report.class_scores))}.</p>
<p class="caveat">{_e(CAVEAT)}</p>
<p>Only what students wrote in the solution cells is compared: lines the release gives (signatures, comments,
<code>raise NotImplementedError()</code>, given helpers) are left out, and so is any run of tokens the release
has.  Whitespace and comments are ignored, strings count as one token, and every name a cell defines is
replaced by one placeholder, so renaming changes nothing; methods are compared in any order.  Fingerprints are
runs of {K} tokens, winnowed (copydetect, as MOSS does).  A cell's score is the share of fingerprints the
two have in common (Jaccard index); the overall score weighs each cell by how much there is to write in it:
the tokens of the reference's answer (the small number under each cell's name).  A cell is highlighted
when its score is at least {NOTABLE} and it has at least {MIN_WEIGHT} tokens to write: one-line answers
converge naturally and are never highlighted on their own.  Code hidden in string literals (<code>exec</code>
or <code>compile</code> of a literal, base64 and similar encodings) is decoded and compared as the code it
holds; such students are marked <span class="flag">{OBFUSCATED}</span>: a reason to read, not proof.  Each
cell is compared up to {MAX_LINES} lines and {MAX_CHARS:,} characters; a cell cut there says so.</p>
{f"<h2>Notes</h2><ul>{notes}</ul>" if notes else ""}
<h2>Top {plural(len(shown), 'pair')}</h2>
<table class="rank"><tr><th>#</th><th>student</th><th>with</th><th>who is</th><th>overall</th>{head}</tr>
{"".join(rows)}</table>
<h2>The shared code, side by side</h2>
<p>Highlighted lines hold fingerprints both have; grey lines are given by the release.</p>
{"".join(_evidence(report, rank, p, out_dir) for rank, p in enumerate(shown, 1))}
<h2>Every student</h2>
<p>Each student's closest classmate (every pair is in similarity.csv), closest first.</p>
{_every_student(report, out_dir)}
</body></html>
"""
    write_file(path, body)
