"""Where the course files live, resolved once."""
import importlib.util
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
ROOT = PACKAGE.parent
ASSIGNMENT = "assignment07"
SOURCE_DIR = ROOT / "source" / ASSIGNMENT
SOURCE_NOTEBOOK = SOURCE_DIR / f"{ASSIGNMENT}.ipynb"
HELPERS = SOURCE_DIR / "nice_helpers.py"
RELEASE_NOTEBOOK = ROOT / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
GRADERS = PACKAGE / "judge" / "graders"
EXAMPLES = PACKAGE / "examples"
CALIBRATION = PACKAGE / "calibration.json"
#: Every submission the calibration graded, as results (not committed: build/ is ignored).
CALIBRATION_GRADED = ROOT / "build" / "calibration" / "graded.json"


def course_module(name, source_dir=SOURCE_DIR):
    """The course's module ``source/<assignment>/<name>.py``, imported once as ``course_<name>``.

    Modules there are given to students too (e.g. the rules that find a notebook's cells).
    """
    key = f"course_{name}"
    if key not in sys.modules:
        spec = importlib.util.spec_from_file_location(key, Path(source_dir) / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[key] = module  # before it runs: dataclasses look their module up
        spec.loader.exec_module(module)
    return sys.modules[key]
