"""Write a grading run's outputs: grades.csv, Gradescope results.json and Markdown feedback per student."""
import csv
import html
import json
from pathlib import Path


def gradescope_json(result):
    """The Gradescope autograder results format: score, tests[] with score/max_score/output/visibility."""
    return {
        "score": result.score,
        "output": result.error or "Graded by the NICE autograder.",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": [{"name": t.name, "score": t.score, "max_score": t.points,
                   "status": "passed" if t.passed else "failed",
                   "output": t.message if not t.passed else (t.description or "passed"),
                   "visibility": "after_published" if t.hidden else "visible"}
                  for t in result.tests],
    }


def feedback_markdown(result):
    lines = [f"# Assignment 07 (NICE) — feedback for {result.student}", "",
             f"**Score: {result.score:g} / {result.max_score:g}**", ""]
    failed = [t for t in result.tests if not t.passed]
    if result.error:
        lines += [f"> Grading problem: {result.error.splitlines()[0]}", ""]
    problems = result.worker.get("problems", {})
    if problems:
        lines += ["## Notebook problems", ""] + [f"- {p}" for p in problems.values()] + [""]
    if failed:
        lines += ["## Checks that failed", ""]
        for t in failed:
            lines += [f"### {t.name} (0 / {t.points:g})", "", t.description, "", "```", t.message.strip(), "```", ""]
    lines += ["## Checks that passed", ""]
    lines += [f"- {t.name} ({t.score:g} / {t.points:g}): {t.description}" for t in result.tests if t.passed] or ["- none"]
    return "\n".join(lines) + "\n"


def feedback_html(result):
    """A self-contained HTML page: score, notebook problems, failed checks first, then passed ones."""
    esc = html.escape
    failed = [t for t in result.tests if not t.passed]
    passed = [t for t in result.tests if t.passed]
    parts = [f"<h1>Assignment 07 (NICE) — feedback for {esc(result.student)}</h1>",
             f"<p class='score'>Score: <b>{result.score:g} / {result.max_score:g}</b></p>"]
    if result.error:
        parts.append(f"<p class='problem'>Grading problem: {esc(result.error.splitlines()[0])}</p>")
    problems = result.worker.get("problems", {})
    if problems:
        parts.append("<h2>Notebook problems</h2><ul>" + "".join(f"<li>{esc(p)}</li>" for p in problems.values()) + "</ul>")
    if failed:
        parts.append("<h2>Checks that failed</h2>")
        for t in failed:
            parts.append(f"<div class='check failed'><h3>{esc(t.name)} <span>0 / {t.points:g}</span></h3>"
                         f"<p>{esc(t.description)}</p><pre>{esc(t.message.strip())}</pre></div>")
    parts.append("<h2>Checks that passed</h2><ul>" + "".join(
        f"<li>{esc(t.name)} ({t.score:g} / {t.points:g}): {esc(t.description)}</li>" for t in passed) + "</ul>")
    style = ("body{font-family:system-ui,sans-serif;max-width:60em;margin:2em auto;line-height:1.4}"
             ".failed{border-left:4px solid #c0392b;padding-left:1em}.check span{color:#c0392b}"
             "pre{background:#f6f6f6;padding:.6em;white-space:pre-wrap}.score{font-size:1.3em}")
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Feedback {esc(result.student)}</title>"
            f"<style>{style}</style></head><body>{''.join(parts)}</body></html>\n")


def write_outputs(results, out_dir):
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    names = [t.name for t in results[0].tests] if results else []
    with open(out / "grades.csv", "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["student", *names, "total", "max_total"])
        for r in results:
            writer.writerow([r.student, *[f"{t.score:g}" for t in r.tests], f"{r.score:g}", f"{r.max_score:g}"])
    for r in results:
        folder = out / r.student
        folder.mkdir(exist_ok=True)
        (folder / "results.json").write_text(json.dumps(gradescope_json(r), indent=1))
        (folder / "feedback.md").write_text(feedback_markdown(r))
        (folder / "feedback.html").write_text(feedback_html(r))
        (folder / "grading.json").write_text(json.dumps(r.to_dict(), indent=1))


def summary_table(results):
    width = max([len(r.student) for r in results] + [7])
    lines = [f"{'student':{width}s}  {'score':>11s}  {'time':>6s}  failed checks"]
    for r in results:
        failed = ", ".join(t.name for t in r.tests if not t.passed) or "-"
        lines.append(f"{r.student:{width}s}  {r.score:5g} / {r.max_score:<3g}  {r.seconds:5.1f}s  {failed}")
    return "\n".join(lines)
