"""The ``grade`` verb: discover submissions, grade them in parallel judges, write the outputs.

Grading into a folder that already holds results merges: the students graded now replace their rows
of ``grades.csv`` and their folders, everybody else stays (see :mod:`.merge`).
"""
from pathlib import Path


def main(inputs, out_dir, workers=2, use_zygote=True, progress=True, allow_unconfined=False):
    """Grade ``inputs`` into ``out_dir``; print the isolation (once, unless a sandbox differed from what
    the machine promised), a table, the outputs and the class summary; return the results.

    Raises:
        DiscoveryError: an input does not exist or holds no notebook (nothing is graded).
        Unconfined: nothing can confine student code here and ``allow_unconfined`` is false (nothing is graded).
    """
    from .. import paths, secret
    from ..worker import confinement
    from .discover import discover
    from .report import summary_table
    from .run import grade_submissions
    from .summary import plural

    submissions = discover(inputs)
    mode = confinement.probe()
    if mode == "none" and not allow_unconfined:
        raise confinement.Unconfined(confinement.REFUSAL)
    expected = ("WARNING: " if mode != "namespaces" else "") + confinement.expected_line(mode)
    print(expected)
    for note in submissions.notes:
        print("note:", note)
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    with confinement.guard(mode, [secret.location(), out_dir, *inputs], top=str(paths.ROOT)) as notes:
        for note in notes:
            print(note)
        results = grade_submissions(submissions, workers=workers, use_zygote=use_zygote, progress=progress)
    rows, isolation, summary = record(results, out_dir, submissions)
    print(summary_table(results))
    kept = len(rows) - len(results)
    print(f"\noutputs in {out_dir}: grades.csv ({plural(len(rows), 'student')}" + (f", {kept} kept from earlier runs" if kept else "")
          + "), summary.txt, summary.png, <student>/results.json (Gradescope), feedback.md, feedback.html")
    for line in isolation:  # the first line said it; again only where a sandbox differed
        if line != expected:
            print(line)
    print()
    print(summary.removeprefix("".join(f"{line}\n" for line in isolation)), end="")
    return results


def record(results, out_dir, submissions):
    """Write ``results`` into ``out_dir`` as every grading run does; returns ``(rows, isolation, summary)``.

    Each student's folder and their row of grades.csv (:func:`.report.write_outputs`), then the class
    summary of the whole folder: summary.txt and summary.png, with the similarity of everybody's
    written code computed again (:func:`autograder.similarity.class_section`) and the isolation the
    results were graded under (one line each, ``WARNING: `` first where it was degraded).
    ``submissions``: ``[(student, notebook)]`` of ``results``.  ``nbgrader autograde`` records what it
    grades itself the same way (:mod:`autograder.nbgrader_bridge.verdicts`).
    """
    from ..similarity import class_section
    from ..worker import confinement
    from .report import write_outputs
    from .summary import write_summary

    rows = write_outputs(results, out_dir)
    isolation = sorted({confinement.line(r.worker.get("isolation"), per_sandbox=True)
                        for r in results if r.worker.get("isolation")})
    isolation = [("WARNING: " if confinement.is_degraded(text) else "") + text for text in isolation]
    section = class_section(submissions, out_dir)  # never raises: a failure is one warning line
    checks = [(t.name, t.points) for t in results[0].tests]
    return rows, isolation, write_summary(out_dir, rows, checks, similarity=section, isolation=isolation)
