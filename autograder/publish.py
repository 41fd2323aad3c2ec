"""The ``publish`` verb: the executed reference solution and its HTML export, in ``solutions/``.

Runs ``nbgrader generate_solution`` (the hidden checks are cleared by the course config, so the
published notebook never imports the autograder) and exports HTML beside it.  ``NICE_QUICK=0`` (the
default here) trains for real; ``--quick`` uses the short budgets.
"""
import os
import subprocess
import sys
from pathlib import Path

from . import paths


def main(root=paths.ROOT, quick=False):
    root = Path(root).resolve()
    env = dict(os.environ, NICE_QUICK="1" if quick else "0",
               PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    subprocess.run(["nbgrader", "db", "assignment", "add", paths.ASSIGNMENT], cwd=root, env=env, check=True,
                   capture_output=True)
    subprocess.run(["nbgrader", "generate_solution", paths.ASSIGNMENT, "--force",
                    "--Execute.timeout=7200"], cwd=root, env=env, check=True)
    out = root / "solutions" / paths.ASSIGNMENT
    subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "html",
                    str(out / f"{paths.ASSIGNMENT}.ipynb")], cwd=out, env=env, check=True)
    print(f"published {out}: {', '.join(sorted(p.name for p in out.iterdir()))}")
