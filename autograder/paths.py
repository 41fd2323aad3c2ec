"""Where the course files live, resolved once."""
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
