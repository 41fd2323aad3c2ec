"""The ``grade`` verb: discover submissions, grade them in parallel judges, write the outputs.

Each student's outputs are written as soon as they are graded, each file whole or not at all
(:mod:`.atomic`); the class files (grades.csv, the summary, the similarity report) are then rebuilt
from the students' results.  Grading into a folder that already holds results merges: the students
graded now replace their rows of ``grades.csv`` and their folders, everybody else stays (see
:mod:`.merge`), and a student whose result there still holds is not graded again (:mod:`.resume`).
SIGINT or SIGTERM stops the run, keeping what was graded (:mod:`.stop`).
"""
from pathlib import Path


def main(inputs, out_dir, workers=2, use_zygote=True, progress=True, allow_unconfined=False, force=False,
         roster=None, gradebook=None, submitted=None, assignment=None):
    """Grade ``inputs`` into ``out_dir``; print the isolation (once, unless a sandbox differed from what
    the machine promised), a table, the outputs and the class summary; return the results.

    ``force``: grade every submission again, even one whose result in ``out_dir`` still holds.
    ``roster``, ``gradebook``, ``submitted``: what :func:`.lms.after_grading` takes (LMS ids, manual points,
    nbgrader copies).  ``assignment``: the pack's id (default: the course's default assignment).

    Raises:
        DiscoveryError: an input does not exist or holds no notebook (nothing is graded).
        RosterError: the roster or gradebook cannot be read (nothing is graded).
        Unconfined: nothing can confine student code here and ``allow_unconfined`` is false (nothing is graded).
        Interrupted: SIGINT or SIGTERM stopped the run; what was graded is written, and the class files
            cover it (unless a second signal stopped the run at once).
    """
    from .. import packs, paths, secret
    from ..worker import confinement
    from .atomic import sweep
    from .discover import discover
    from .lms import after_grading, read_inputs
    from ..notes import visible
    from .report import manual_points, summary_table, write_outputs
    from .resume import earlier_results, reused_line
    from .run import grade_submissions
    from .stop import Interrupted, Stop, StopNow
    from .summary import plural

    pack = packs.load(assignment)
    existing = [p.name for p in Path(out_dir).iterdir() if p.is_dir()] if Path(out_dir).is_dir() else []
    stop, submissions = Stop(), discover(inputs, assignment=pack.id, existing=existing)
    lms_inputs = read_inputs(roster, gradebook, pack)
    done = {}  # student -> result: the earlier ones that still hold, then each one graded as it comes
    try:
        with stop.handling():
            mode = confinement.probe()
            if mode == "none" and not allow_unconfined:
                raise confinement.Unconfined(confinement.REFUSAL)
            expected = ("WARNING: " if mode != "namespaces" else "") + confinement.expected_line(mode)
            print(expected)
            for note in submissions.notes:
                print("note:", visible(note))
            Path(out_dir).mkdir(parents=True, exist_ok=True)
            sweep(out_dir)
            done.update(earlier_results(submissions, out_dir, force, pack))
            reused = reused_line(len(done), len(submissions)) if done else None
            if reused:
                print(reused)
            manual = manual_points(pack.notebook)

            def keep(result):  # each student's outputs as soon as they are graded
                write_outputs([result], out_dir, manual)
                done[result.student] = result

            with confinement.guard(mode, [secret.location(), out_dir, *inputs], top=str(paths.ROOT)) as notes:
                for note in notes:
                    print(note)
                grade_submissions([s for s in submissions if s[0] not in done], workers=workers,
                                  use_zygote=use_zygote, progress=progress, on_result=keep, stop=stop, pack=pack)
            results = [done[student] for student, _ in submissions if student in done]
            if results:
                rows, isolation, summary = class_files(submissions, results, out_dir, reused, pack)
                lms_lines = after_grading(submissions, out_dir, *lms_inputs, submitted, pack)
    except StopNow as again:
        raise Interrupted(again.signum, len(done), len(submissions), at_once=True) from None
    if stop.signum is not None:
        raise Interrupted(stop.signum, len(results), len(submissions))
    print(summary_table(results))
    kept = len(rows) - len(results)
    print(f"\noutputs in {out_dir}: grades.csv ({plural(len(rows), 'student')}" + (f", {kept} kept from earlier runs" if kept else "")
          + "), summary.txt, summary.png, <student>/results.json (Gradescope), feedback.md, feedback.html")
    for line in lms_lines:
        print(line)
    for line in isolation:  # the first line said it; again only where a sandbox differed
        if line != expected:
            print(line)
    print()
    print(summary.removeprefix("".join(f"{line}\n" for line in isolation)), end="")
    return results


def record(results, out_dir, submissions, pack=None):
    """Write ``results`` of ``pack`` (default: the course's default assignment) into ``out_dir`` as every
    grading run does; returns what :func:`class_files` does.

    Each student's folder and row of grades.csv (:func:`.report.write_outputs`), then the class files.
    ``submissions``: ``[(student, notebook)]`` of ``results``.  ``nbgrader autograde`` records what it
    grades itself this way (:mod:`autograder.nbgrader_bridge.verdicts`).
    """
    from .. import packs
    from .report import manual_points, write_outputs
    pack = pack or packs.load()
    write_outputs(results, out_dir, manual_points(pack.notebook))
    return class_files(submissions, results, out_dir, pack=pack)


def class_files(submissions, results, out_dir, reused=None, pack=None):
    """Rebuild grades.csv, the similarity report and the summary from ``results`` (those of ``submissions``
    that have one; the similarity over everybody of ``out_dir`` whose notebook is still the one graded);
    returns the rows of grades.csv, the isolation lines and the summary's text."""
    from ..similarity import class_section
    from ..worker import confinement
    from .report import write_grades
    from .summary import write_summary

    rows = write_grades(results, out_dir)
    isolation = sorted({confinement.line(r.worker.get("isolation"), per_sandbox=True)
                        for r in results if r.worker.get("isolation")})
    isolation = [("WARNING: " if confinement.is_degraded(text) else "") + text for text in isolation]
    graded = {r.student for r in results}
    section = class_section([s for s in submissions if s[0] in graded], out_dir, pack)  # never raises: one warning line
    checks = [(t.name, t.points) for t in results[0].tests]
    return rows, isolation, write_summary(out_dir, rows, checks, similarity=section, isolation=isolation,
                                          reused=reused)
