"""Write a grading run's outputs: grades.csv, and per student results.json, feedback.md/html, grading.json.

What students read is built once (:class:`Feedback`) and rendered three ways (Gradescope JSON,
Markdown, HTML): the score with what it covers (the autograded points; the written answers are graded
by hand), the notebook's problems once at the top, failed checks with a readable message, passed checks.
Text that comes from a submission (exception messages, printed output, cell ids) is shown literally:
escaped in HTML, inside code blocks in Markdown (:func:`md_literal`), never rendered as markup.
``grading.json`` is signed (:meth:`SubmissionResult.signed_json`).  Every file is written whole or not
at all (:mod:`.atomic`).  One student's outputs failing to be written is a warning on stderr; every other
student's, ``grades.csv`` and the summary are written.
"""
import html
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from .. import notebook, packs
from ..version import grader_version
from ..worker.confinement import line as isolation_line
from .atomic import replace_folder
from .merge import merge_rows, read_rows, write_rows
from ..notes import notebook_flags, notebook_notes, visible
from .messages import md_escape, md_literal, student_message, submission_cells
from .summary import NOTEBOOK_COLUMN, plural


def pack_of(result):
    """The pack of the assignment ``result`` was graded for (``graded_with``), else the default's."""
    assignment = (result.graded_with or {}).get("assignment")
    return packs.load(assignment if assignment in packs.ids() else None)


def title_of(result):
    """The title of the assignment ``result`` was graded for (``graded_with``), else the default's."""
    return pack_of(result).title


def manual_points(source=None):
    """Points of the written answers of the source notebook ``source`` (default: the course's default
    assignment's), graded by hand in nbgrader (0 if the source notebook is not here)."""
    try:
        return notebook.manual_points(notebook.read_notebook(source or packs.load().notebook))
    except (OSError, ValueError):
        return 0.0


def points_note(max_score, manual):
    """E.g. "35 autograded points; the 5 points of written answers are graded by hand"."""
    note = f"{plural(max_score, 'autograded point')}"
    return note + (f"; the {plural(manual, 'point')} of written answers {'is' if manual == 1 else 'are'} graded by hand"
                   if manual else "")


@dataclass
class Feedback:
    """What a student reads about one submission."""
    student: str
    score: float
    max_score: float
    points: str        # what the score covers (:func:`points_note`)
    notes: list        # the notebook's problems, said once
    failed: list       # [(TestResult, readable message)], in grader order
    passed: list       # [TestResult]


def feedback(result, manual=None):
    """The :class:`Feedback` of ``result``; ``manual``: written-answer points (default: from the source of its
    assignment)."""
    manual = manual_points(pack_of(result).notebook) if manual is None else manual
    failed = [t for t in result.tests if not t.passed]
    cells = submission_cells(result.notebook, result.sha256) if failed and result.notebook else {}
    return Feedback(result.student, result.score, result.max_score, points_note(result.max_score, manual),
                    notebook_notes(result.worker, result.error),
                    [(t, student_message(t.message, result.worker, cells)) for t in failed],
                    [t for t in result.tests if t.passed])


def gradescope_json(result, manual=None, fb=None):
    """The Gradescope autograder results format: score, execution_time, tests[] with score/max_score/output/visibility.

    Besides Gradescope's fields (it allows others): ``isolation`` (one line), ``grader_version``
    (:func:`autograder.version.grader_version`) and ``submission_sha256`` (of the graded file's bytes), for
    appeals; each test's ``name`` is its readable title, ``id`` the stable pytest id (grades.csv's column).
    ``fb``: the result's :class:`Feedback` if already built (else built from ``manual``), as for the renderers below.
    """
    fb = fb or feedback(result, manual)
    messages = {t.name: text for t, text in fb.failed}
    output = f"Graded by the course autograder ({title_of(result)}): {fb.points}."
    if result.sha256:  # what an appeal names: this file, graded by these graders
        output += f"\nYour file: SHA-256 {result.sha256}; grader version {grader_version()}."
    if fb.notes:
        output += "\nProblems with your notebook (they can make several checks fail):\n" + \
                  "\n".join(f"- {n}" for n in fb.notes)
    return {
        "score": result.score,
        "execution_time": result.seconds,
        "output": output,
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "isolation": isolation_line(result.worker.get("isolation"), per_sandbox=True),  # whole dict: grading.json
        "grader_version": grader_version(),
        "submission_sha256": result.sha256,
        "tests": [{"name": t.title, "id": t.name, "score": t.score, "max_score": t.points,
                   "status": "passed" if t.passed else "failed",
                   "output": messages[t.name] if not t.passed else (t.description or "passed"),
                   "visibility": "after_published" if t.hidden else "visible"}
                  for t in result.tests],
    }


def feedback_markdown(result, manual=None, fb=None):
    """The feedback as Markdown; everything from the submission sits in code blocks (:func:`md_literal`)."""
    fb = fb or feedback(result, manual)
    lines = [f"# {title_of(result)} — feedback for {md_escape(fb.student)}", "",
             f"**Score: {fb.score:g} / {fb.max_score:g}** ({fb.points})", ""]
    if fb.notes:
        lines += ["## Problems with your notebook", "", "They can make several checks below fail.", ""]
        lines += md_literal("\n".join(f"- {n}" for n in fb.notes)) + [""]
    if fb.failed:
        lines += ["## Checks that failed", ""]
        for t, text in fb.failed:
            lines += [f"### {t.title} (0 / {t.points:g})", "", t.description, "", *md_literal(text), ""]
    lines += ["## Checks that passed", ""]
    lines += [f"- {t.title} ({t.score:g} / {t.points:g}): {t.description}" for t in fb.passed] or ["- none"]
    return "\n".join(lines) + "\n"


def feedback_html(result, manual=None, fb=None):
    """A self-contained HTML page: score, notebook problems, failed checks first, then passed ones."""
    esc = html.escape
    fb = fb or feedback(result, manual)
    parts = [f"<h1>{esc(title_of(result))} — feedback for {esc(fb.student)}</h1>",
             f"<p class='score'>Score: <b>{fb.score:g} / {fb.max_score:g}</b> <small>({esc(fb.points)})</small></p>"]
    if fb.notes:
        parts.append("<h2>Problems with your notebook</h2><p>They can make several checks below fail.</p><ul>"
                     + "".join(f"<li>{esc(n)}</li>" for n in fb.notes) + "</ul>")
    if fb.failed:
        parts.append("<h2>Checks that failed</h2>")
        for t, text in fb.failed:
            parts.append(f"<div class='check failed'><h3>{esc(t.title)} <span>0 / {t.points:g}</span></h3>"
                         f"<p>{esc(t.description)}</p><pre>{esc(text)}</pre></div>")
    parts.append("<h2>Checks that passed</h2><ul>" + "".join(
        f"<li>{esc(t.title)} ({t.score:g} / {t.points:g}): {esc(t.description)}</li>" for t in fb.passed) + "</ul>")
    style = ("body{font-family:system-ui,sans-serif;max-width:60em;margin:2em auto;line-height:1.4}"
             ".failed{border-left:4px solid #c0392b;padding-left:1em}.check span{color:#c0392b}"
             "pre{background:#f6f6f6;padding:.6em;white-space:pre-wrap}.score{font-size:1.3em}")
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Feedback {esc(fb.student)}</title>"
            f"<style>{style}</style></head><body>{''.join(parts)}</body></html>\n")


def grades_row(result):
    """A result's row of grades.csv: student, one score per check, total, max_total, and what to look at in
    the notebook (:func:`notebook_flags`, "; " between them)."""
    return {"student": result.student, **{t.name: f"{t.score:g}" for t in result.tests},
            "total": f"{result.score:g}", "max_total": f"{result.max_score:g}",
            NOTEBOOK_COLUMN: "; ".join(notebook_flags(result.worker))}


#: The files of a student's output folder.
STUDENT_FILES = ("results.json", "feedback.md", "feedback.html", "grading.json")


def student_files(result, manual):
    """The files of ``result``'s folder: name -> text (:data:`STUDENT_FILES`)."""
    fb = feedback(result, manual)  # once: it reads the submitted notebook for the student's lines
    texts = (json.dumps(gradescope_json(result, fb=fb), indent=1), feedback_markdown(result, fb=fb),
             feedback_html(result, fb=fb), result.signed_json())
    return dict(zip(STUDENT_FILES, texts))


def write_student(result, folder, manual):
    """Write one student's folder, replacing an earlier one whole (:func:`.atomic.replace_folder`)."""
    replace_folder(folder, student_files(result, manual))


def write_grades(results, out_dir):
    """Merge the rows of ``results`` into ``out_dir``/grades.csv (whole or not at all); returns its rows now."""
    path = Path(out_dir, "grades.csv")
    if not results:
        return read_rows(path)
    rows = merge_rows(read_rows(path), [grades_row(r) for r in results])
    write_rows(path, rows, ["student", *(t.name for t in results[0].tests), "total", "max_total", NOTEBOOK_COLUMN])
    return rows


def write_outputs(results, out_dir, manual=None):
    """Write every result's folder (replacing an earlier one) and merge their rows into grades.csv.

    Returns:
        The rows of grades.csv now: earlier students kept, the ones graded now replaced or added.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    manual = manual_points() if manual is None and results else manual
    for r in results:
        try:
            write_student(r, out / r.student, manual)
        except Exception as err:  # noqa: BLE001 (this student's folder only; the run goes on)
            print(f"warning: {r.student}: outputs not written ({type(err).__name__}: {err}); "
                  f"their row of grades.csv is still written", file=sys.stderr)
    return write_grades(results, out)


def summary_table(results):
    width = max([len(r.student) for r in results] + [7])
    lines = [f"{'student':{width}s}  {'score':>11s}  {'time':>6s}  failed checks"]
    for r in results:
        failed = visible(r.error.splitlines()[0]) if r.error and not r.score else \
            ", ".join(t.title for t in r.tests if not t.passed) or "-"
        lines.append(f"{r.student:{width}s}  {r.score:5g} / {r.max_score:<3g}  {r.seconds:5.1f}s  {failed}")
    return "\n".join(lines)
