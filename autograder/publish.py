"""The ``publish`` verb: the executed reference solution and its HTML export.

Runs ``nbgrader generate_solution`` (the hidden checks are cleared by the course config, so the
published notebook never imports the autograder) and exports HTML beside it, with the course config's
HTML settings (formulas as MathML, no CDN: :mod:`autograder.nbgrader_bridge.maths`).  ``NICE_QUICK=0`` (the
default here) trains for real into ``solutions/``, the committed solution; ``--quick`` uses the short
budgets and writes to ``build/solutions-quick/``, so a quick run never replaces the real numbers unless
``--out solutions`` asks for it.  Beside the published folder it writes ``made_from.json``: the command and
the hashes of :data:`INPUTS` (tests/test_generated_files.py checks the committed one).
"""
import json
import os
import subprocess
import sys
from pathlib import Path

from . import paths
from .made_from import record

QUICK_OUT = Path("build") / "solutions-quick"
COMMAND = "python -m autograder publish"
#: What the published solution is made from: the source folder (notebook, helpers, self-checks), the course
#: configuration (nbgrader's steps, kernels), this command and the pinned packages.
INPUTS = ["source/assignment07", "nbgrader_config.py", "autograder/publish.py", "requirements.txt"]
RECORD = "made_from.json"


def main(root=paths.ROOT, quick=False, out=None):
    """Publish into ``out`` (relative to ``root``; default ``solutions`` or, quick, ``build/solutions-quick``)."""
    root = Path(root).resolve()
    made_from = record(INPUTS, COMMAND + (" --quick" if quick else ""), root)  # the inputs as this run reads them
    out_dir = root / (out or (QUICK_OUT if quick else "solutions"))
    env = dict(os.environ, NICE_QUICK="1" if quick else "0",
               PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    subprocess.run(["nbgrader", "db", "assignment", "add", paths.ASSIGNMENT], cwd=root, env=env, check=True,
                   capture_output=True)
    subprocess.run(["nbgrader", "generate_solution", paths.ASSIGNMENT, "--force", "--Execute.timeout=7200",
                    f"--CourseDirectory.solution_directory={out_dir}"], cwd=root, env=env, check=True)
    published = out_dir / paths.ASSIGNMENT
    subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "html", f"--config={root / 'nbgrader_config.py'}",
                    str(published / f"{paths.ASSIGNMENT}.ipynb")], cwd=published, env=env, check=True)
    (out_dir / RECORD).write_text(json.dumps(made_from, indent=1) + "\n")
    print(f"published {published}: {', '.join(sorted(p.name for p in published.iterdir()))}; "
          f"what it was made from: {out_dir / RECORD}")
    return published
