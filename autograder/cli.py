"""Command line: parse arguments and call the verb's ``main``; ``--help`` gives the workflow in order."""
import argparse
import os
import sys

DESCRIPTION = """\
The course's autograder, for any assignment (a pack, assignments/<id>/): grade submissions in confined workers, write grades, feedback and
Gradescope results, rank similar code, publish the solution, and keep the course's files in step.

Run it from the course root (the folder with autograder/ and nbgrader_config.py) with the course's
Python (.venv/bin/python).  Elsewhere Python itself stops with "No module named autograder": cd to
the course root, run <course>/scripts/autograder (the same command from any folder), or set
PYTHONPATH=<course root>.  Relative paths are taken from the folder you are in."""

WORKFLOW = """\
workflow, in order (source/ -> release/ -> grades -> gradebook -> feedback -> solutions/):
  (ID: the assignment, e.g. the default, assignments.DEFAULT; verbs take --assignment ID, default the default)
  1. release    nbgrader generate_assignment ID --force   (commit release/)
  2. collect    nbgrader collect, or your LMS: submitted/<student>/ID/ID.ipynb
  3. grade      python -m autograder grade submitted/ --out grades/ --workers 2
                (again for one student: python -m autograder grade submitted/<student> --out grades/)
  4. gradebook  AUTOGRADER_RESULTS=grades/ nbgrader autograde ID --force
                then the written answers in formgrader (jupyter lab: Nbgrader > Formgrader)
  5. feedback   nbgrader generate_feedback ID --force; nbgrader export --to gradebook.csv
  6. publish    python -m autograder publish          (the executed solution into solutions/)
  similarity    python -m autograder similarity submitted/ --out grades/  (grade writes it too)
  LMS exports   grade and similarity read Gradescope's, Canvas's and Moodle's downloads too (.zip or folder);
                grade writes canvas-grades.csv and moodle-grades.csv, and after formgrader
                python -m autograder lms-grades grades/ --gradebook gradebook.csv adds the written answers
  Gradescope    python -m autograder gradescope-bundle, upload dist/ID_autograder.zip
                (grade, hidden-cells, publish, similarity, lms-grades and calibrate take --assignment ID too;
                nbgrader autograde ID grades ID; new-assignment ID starts a pack)

maintenance, after changing the source notebook or the graders (README: "Maintenance"):
  python -m autograder hidden-cells          the source's hidden check cells, from the graders (and the cells TABLE)
  nbgrader generate_assignment ID --force
  the pack's generated files: its examples, its bank (README: "Maintenance" lists each assignment's commands)
  python -m autograder calibrate             thresholds and margins -> assignments/ID/calibration.json
  python -m autograder gradescope-bundle     the Gradescope zip, with the new graders

"python -m autograder VERB --help" describes each verb."""


def _out_problem(verb, out):
    """Why ``out`` cannot be the verb's output (a folder; a zip for gradescope-bundle), or None."""
    if not out or not os.path.lexists(out):
        return None
    if verb == "gradescope-bundle":
        return f"--out {out} is a folder, not a zip file to write" if os.path.isdir(out) else None
    return None if os.path.isdir(out) else f"--out {out} exists and is not a folder"


def _lms_options(parser):
    parser.add_argument("--roster", metavar="CSV", help="the LMS's roster (Canvas gradebook export, Moodle grading "
                                                       "worksheet, or name/email/id columns): ids for the LMS files")
    parser.add_argument("--gradebook", metavar="CSV", help="nbgrader export's CSV: adds the written answers' points")


def _assignment_option(parser, default="the course's default, assignments.DEFAULT"):
    from .packs import ids
    parser.add_argument("--assignment", choices=ids(), default=None, help=f"the assignment (default: {default})")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m autograder", description=DESCRIPTION, epilog=WORKFLOW,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    verbs = parser.add_subparsers(dest="verb", required=True, metavar="VERB",
                                  title="verbs (the workflow's first, then maintenance)")

    g = verbs.add_parser("grade", help="grade notebooks, folders of notebooks or nbgrader submitted/ trees")
    g.add_argument("paths", nargs="+",
                   help="notebook, folder of notebooks, nbgrader's submitted/ folder or one student's folder in "
                        "it, a folder per student, or Gradescope's, Canvas's or Moodle's download (folder or .zip)")
    g.add_argument("--out", required=True, help="output folder (grades.csv, summary, <student>/results.json, "
                                                "feedback); students graded earlier into it are kept")
    _assignment_option(g)
    g.add_argument("--workers", type=int, default=2, help="submissions graded at once (default 2)")
    g.add_argument("--no-zygote", action="store_true", help="start every worker from scratch")
    g.add_argument("--no-progress", action="store_true", help="no progress bar")
    g.add_argument("--allow-unconfined", action="store_true",
                   help="grade even where nothing can confine student code (not root and no namespaces)")
    g.add_argument("--force", action="store_true",
                   help="grade everyone again (by default a student whose result in --out was graded from the same "
                        "file, grader version, calibration and course key keeps it: a stopped run resumes)")
    _lms_options(g)
    g.add_argument("--submitted", metavar="DIR", help="also copy each graded notebook into DIR/<student>/<assignment>/ "
                                                     "(nbgrader's layout, to grade the written answers)")

    s = verbs.add_parser("similarity", help="rank every pair of students by how much of the code they wrote in the "
                                            "solution cells matches (given code, comments and names do not count)")
    s.add_argument("paths", nargs="+", help="the submissions, as grade takes them (e.g. nbgrader's submitted/)")
    _assignment_option(s)
    s.add_argument("--out", required=True, help="output folder (similarity.csv: every pair; similarity.html: the "
                                                "top pairs side by side, linked to <student>/feedback.html)")
    s.add_argument("--archive", metavar="FOLDER", help="earlier terms' submissions to compare each student with (any "
                                                      "layout grade reads: a folder, an LMS or Gradescope export, a .zip)")
    s.add_argument("--top", type=int, default=20, help="pairs shown side by side in similarity.html (default 20)")

    m = verbs.add_parser("lms-grades", help="rewrite an output folder's Canvas and Moodle grade files (e.g. with "
                                            "the written answers' points from nbgrader export)")
    m.add_argument("out", metavar="OUT", help="the output folder grade wrote (grades.csv, students.csv)")
    _assignment_option(m)
    _lms_options(m)

    p = verbs.add_parser("publish", help="execute the reference into solutions/<assignment>/ and export it to HTML")
    _assignment_option(p)
    p.add_argument("--quick", action="store_true",
                   help="short training budgets (the pack's quick variable = 1), written to build/solutions-quick/ unless --out")
    p.add_argument("--out", help="folder to publish into (default solutions/, or build/solutions-quick/ with --quick)")

    e = verbs.add_parser("examples", help="grade the default assignment's bundled example submissions (the README's "
                                          "main job)")
    e.add_argument("--out", default="grading-output", help="output folder (default grading-output)")
    e.add_argument("--workers", type=int, default=2)

    h = verbs.add_parser("hidden-cells", help="rewrite the source notebook's hidden nbgrader check cells and "
                                              "the table of the assignment's cells in its cells module")
    _assignment_option(h)

    c = verbs.add_parser("calibrate", help="measure the reference over many seeds; write calibration.json")
    _assignment_option(c)
    c.add_argument("--seeds", type=int, help="the judge's keyed streams to grade the reference under "
                                            "(default: the pack's calibrate SEEDS)")
    c.add_argument("--smoke", action="store_true",
                   help="the smallest run (2 streams, one alternative, one bug; the committed limits), to check that "
                        "the command works: into build/calibration-smoke/, never the committed calibration.json")

    n = verbs.add_parser("new-assignment", help="scaffold an assignment pack that grades out of the box (source "
                                                 "notebook, one check, an empty bank, the release)")
    n.add_argument("id", help="the new assignment's id, e.g. assignment09 (source/ID/, assignments/ID/, release/ID/)")
    n.add_argument("--title", help='how feedback names it, e.g. "Assignment 09 (diffusion models)"')

    b = verbs.add_parser("gradescope-bundle", help="build the Gradescope autograder zip of one assignment")
    _assignment_option(b)
    b.add_argument("--out", help="zip to write (default dist/ID_autograder.zip, ID the "
                                 "assignment)")
    r = verbs.add_parser("gradescope-run", help="grade ROOT/submission into ROOT/results/results.json "
                                                "(what the bundle's run_autograder calls)")
    r.add_argument("--root", default="/autograder", help="Gradescope root folder (default /autograder)")
    _assignment_option(r, "the one the bundle was built for, else the course's default")

    args = parser.parse_args(argv)
    problem = _out_problem(args.verb, getattr(args, "out", None))
    if problem:
        parser.exit(2, f"python -m autograder {args.verb}: error: {problem}\n")
    VERBS[args.verb](args, lambda status, message: parser.exit(
        status, f"python -m autograder {args.verb}: error: {message}\n"))


# One function per verb: (parsed arguments, fail(status, message)); each imports what its verb needs.
def _grade(args, fail):
    from .grade import main as grade
    from .grade.discover import DiscoveryError
    from .grade.roster import RosterError
    from .grade.stop import Interrupted
    from .worker.confinement import Unconfined
    try:
        grade(args.paths, args.out, workers=args.workers, use_zygote=not args.no_zygote,
              progress=not args.no_progress, allow_unconfined=args.allow_unconfined, force=args.force,
              roster=args.roster, gradebook=args.gradebook, submitted=args.submitted, assignment=args.assignment)
    except (DiscoveryError, RosterError, Unconfined) as err:
        fail(2, err)
    except Interrupted as err:
        raise SystemExit(_interrupted(err))


def _interrupted(err):
    print(err, file=sys.stderr)
    return err.status


def _calibrate(args, fail):
    import importlib
    from .packs import load
    calibrate = importlib.import_module(load(args.assignment).calibrate)
    calibrate.main(calibrate.size(args.seeds, args.smoke))


def _new_assignment(args, fail):
    from .scaffold import ScaffoldError, main as scaffold
    try:
        written = scaffold(args.id, args.title)
    except ScaffoldError as err:
        fail(2, err)
    print(f"wrote {len(written)} files; grade them with: python -m autograder grade source/{args.id}/{args.id}.ipynb "
          f"--out /tmp/{args.id}-check --assignment {args.id}")


def _gradescope_bundle(args, fail):
    from .gradescope import main_bundle
    main_bundle(args.out, args.assignment)


def _gradescope_run(args, fail):
    from .gradescope import main_run
    main_run(args.root, args.assignment)


def _publish(args, fail):
    from .publish import main as publish
    publish(quick=args.quick, out=args.out and os.path.abspath(args.out), assignment=args.assignment)


def _similarity(args, fail):
    from .grade.discover import DiscoveryError
    from .similarity import main as similarity
    try:
        similarity(args.paths, args.out, archive=args.archive, top=args.top, assignment=args.assignment)
    except DiscoveryError as err:
        fail(2, err)


def _lms_grades(args, fail):
    from .grade.lms import main as lms_grades
    from .grade.roster import RosterError
    try:
        lms_grades(args.out, roster=args.roster, gradebook=args.gradebook, assignment=args.assignment)
    except RosterError as err:
        fail(2, err)


def _hidden_cells(args, fail):
    from .nbgrader_bridge.cells import main as hidden_cells
    hidden_cells(args.assignment)


def _examples(args, fail):
    from .grade import main as grade
    from .grade.stop import Interrupted
    from .packs import load
    from .worker.confinement import Unconfined
    pack = load()
    try:
        grade([str(pack.examples)], args.out, workers=args.workers, assignment=pack.id)
    except Unconfined as err:
        fail(2, err)
    except Interrupted as err:
        raise SystemExit(_interrupted(err))


VERBS = {"grade": _grade, "calibrate": _calibrate, "new-assignment": _new_assignment,
         "gradescope-bundle": _gradescope_bundle, "gradescope-run": _gradescope_run, "publish": _publish,
         "similarity": _similarity, "lms-grades": _lms_grades, "hidden-cells": _hidden_cells, "examples": _examples}
