"""Write a grading run's outputs: grades.csv, Gradescope results.json and Markdown feedback per student."""
import csv
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
        (folder / "grading.json").write_text(json.dumps(r.to_dict(), indent=1))


def summary_table(results):
    width = max([len(r.student) for r in results] + [7])
    lines = [f"{'student':{width}s}  {'score':>11s}  {'time':>6s}  failed checks"]
    for r in results:
        failed = ", ".join(t.name for t in r.tests if not t.passed) or "-"
        lines.append(f"{r.student:{width}s}  {r.score:5g} / {r.max_score:<3g}  {r.seconds:5.1f}s  {failed}")
    return "\n".join(lines)
