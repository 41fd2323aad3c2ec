"""Class summary of an output folder: ``summary.txt`` and ``summary.png``.

Computed from the rows of ``grades.csv`` (every student in the folder, earlier runs included) and the
checks' points: the number of students, mean, median, minimum and maximum of the totals, a histogram
of the totals, per check the pass rate (the share of students with the check's full points), and the
students whose notebooks the instructor should look at (``3 students: cells matched by content (...)``).
"""
import io
import math
import statistics
from dataclasses import dataclass, field
from pathlib import Path

from .atomic import write_file
from ..results import title

BAR_WIDTH = 40  # characters of the longest bar in the text histogram
#: grades.csv's column of what to look at in a student's notebook (e.g. "cells matched by content").
NOTEBOOK_COLUMN = "notebook"
NAMES_SHOWN = 10  # students named per line of what to look at (grades.csv names them all)


def plural(n, noun):
    """``n`` and the noun, plural unless n is 1: "1 student", "3 students", "1.5 points"."""
    return f"{n:g} {noun}{'' if n == 1 else 's'}"


@dataclass
class ClassSummary:
    totals: list                  # total score per student, in row order
    max_total: float              # the points of all checks
    bins: list                    # [(low, high, count)]: totals in [low, high); the last bin includes high
    pass_rates: dict = field(default_factory=dict)  # check -> (students with full points, students graded)
    to_look_at: dict = field(default_factory=dict)  # what to look at in notebooks -> [student]

    @property
    def n(self):
        return len(self.totals)


def histogram(totals, max_total, max_bins=7):
    """``[(low, high, count)]``: bins of one whole width from 0 to max_total, at most ``max_bins``."""
    top = max_total if max_total > 0 else 1
    width = math.ceil(top / max_bins)
    edges = [i * width for i in range(math.ceil(top / width))] + [top]
    return [(low, high, sum(low <= t < high or (high == top and t == top) for t in totals))
            for low, high in zip(edges, edges[1:])]


def summarize(rows, checks):
    """The :class:`ClassSummary` of grades.csv ``rows`` for ``checks``: ``[(name, points)]``."""
    totals = [float(r["total"]) for r in rows]
    max_total = sum(points for _, points in checks)
    rates = {}
    for name, points in checks:
        graded = [float(r[name]) for r in rows if r.get(name, "") != ""]
        rates[name] = (sum(score >= points for score in graded), len(graded))
    looks = {}
    for r in rows:
        for flag in filter(None, (r.get(NOTEBOOK_COLUMN) or "").split("; ")):
            looks.setdefault(flag, []).append(r["student"])
    return ClassSummary(totals, max_total, histogram(totals, max_total), rates, dict(sorted(looks.items())))


def summary_text(s):
    """The summary as text (what ``grade`` prints at the end and writes to summary.txt)."""
    if not s.n:
        return "Class summary: no students graded.\n"
    lines = [f"Class summary: {plural(s.n, 'student')}, totals out of {s.max_total:g}",
             f"  mean {statistics.fmean(s.totals):.1f}, median {statistics.median(s.totals):g}, "
             f"min {min(s.totals):g}, max {max(s.totals):g}", "", "Totals:"]
    top = max(count for _, _, count in s.bins) or 1
    for i, (low, high, count) in enumerate(s.bins):
        close = "]" if i == len(s.bins) - 1 else ")"
        bar = "#" * round(BAR_WIDTH * count / top)
        lines.append(f"  [{low:>3g}, {high:>3g}{close}  {bar:<{BAR_WIDTH}s}  {count}")
    lines += ["", "Pass rate per check:"]
    width = max(len(title(name)) for name in s.pass_rates) if s.pass_rates else 0
    for name, (passed, graded) in s.pass_rates.items():
        rate = f"{100 * passed / graded:3.0f}%" if graded else "   -"
        lines.append(f"  {title(name):<{width}s}  {rate}  ({passed}/{graded})")
    if s.to_look_at:
        lines += ["", "Notebooks to look at (their feedback says what the grader did):"]
        lines += [f"  {plural(len(who), 'student')}: {flag} ({', '.join(who[:NAMES_SHOWN])}"
                  + (f", and {len(who) - NAMES_SHOWN} more: grades.csv's {NOTEBOOK_COLUMN} column" if len(who) > NAMES_SHOWN else "")
                  + ")" for flag, who in s.to_look_at.items()]
    return "\n".join(lines) + "\n"


def summary_png(s, path, pair_scores=None):
    """Histogram of the totals beside a bar chart of the pass rate per check (and, given ``pair_scores``,
    a histogram of the similarity scores of pairs of students), as a PNG."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    names = [title(name) for name in s.pass_rates]
    rates = [100 * p / g if g else 0.0 for p, g in s.pass_rates.values()]
    n_axes = 3 if pair_scores else 2
    fig, axes = plt.subplots(1, n_axes, figsize=(6 * n_axes, max(4, 0.3 * len(names) + 1.5)),
                             gridspec_kw={"width_ratios": [1, 1.4, 1][:n_axes]})
    left, right = axes[:2]
    edges = [low for low, _, _ in s.bins] + [s.bins[-1][1]]
    left.hist(s.totals, bins=edges, color="#4c72b0", edgecolor="white")
    left.set(title=f"Totals ({plural(s.n, 'student')})", xlabel=f"points (of {s.max_total:g})", ylabel="students")
    left.yaxis.set_major_locator(MaxNLocator(integer=True))
    right.barh(names[::-1], rates[::-1], color="#55a868")
    right.set(title="Pass rate per check", xlabel="% of students with full points", xlim=(0, 100))
    right.tick_params(axis="y", labelsize=8)
    if pair_scores:
        many = len(pair_scores) > 100  # then most pairs sit near 0: a log scale shows the few high ones
        axes[2].hist(pair_scores, bins=[i / 20 for i in range(21)], color="#c44e52", edgecolor="white", log=many)
        axes[2].set(title=f"Similarity of written code ({plural(len(pair_scores), 'pair')})", xlabel="score (0-1)",
                    ylabel="pairs of students" + (" (log scale)" if many else ""), xlim=(0, 1))
        if not many:
            axes[2].yaxis.set_major_locator(MaxNLocator(integer=True))
    fig.tight_layout()
    image = io.BytesIO()
    fig.savefig(image, format="png", dpi=100)
    plt.close(fig)
    write_file(path, image.getvalue())


def write_summary(out_dir, rows, checks, similarity=None, isolation=(), reused=None):
    """Write summary.txt and summary.png into ``out_dir`` (each whole or not at all); returns the text.

    ``isolation``: lines that say this run's isolation (a degraded one starts with "WARNING"), put first.
    ``reused``: the line saying how many results this run reused (:func:`.resume.reused_line`), if any.

    ``similarity`` (:class:`autograder.similarity.report.Section`, optional) adds its text and histogram.
    """
    s = summarize(rows, checks)
    text = summary_text(s) + (f"\n{similarity.text}" if similarity else "")
    text = "".join(f"{line}\n" for line in [*isolation, *([reused] if reused else [])]) + text
    write_file(Path(out_dir, "summary.txt"), text)
    if s.n:
        summary_png(s, Path(out_dir, "summary.png"), similarity.scores if similarity else None)
    return text
