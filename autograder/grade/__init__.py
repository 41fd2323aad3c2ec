"""The ``grade`` verb: discover submissions, grade them in parallel judges, write the outputs."""
from pathlib import Path

from .discover import discover
from .report import summary_table, write_outputs
from .run import grade_submissions


def main(inputs, out_dir, workers=2, use_zygote=True, progress=True):
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    submissions = discover(inputs)
    if not submissions:
        raise SystemExit("no notebooks found in " + ", ".join(map(str, inputs)))
    results = grade_submissions(submissions, workers=workers, hide=[out_dir], use_zygote=use_zygote,
                                progress=progress)
    write_outputs(results, out_dir)
    print(summary_table(results))
    print(f"\noutputs in {out_dir}: grades.csv, <student>/results.json (Gradescope), feedback.md, feedback.html")
    isolation = next((r.worker.get("isolation") for r in results if r.worker.get("isolation")), None)
    if isolation:
        print("isolation:", ", ".join(f"{k}={v}" for k, v in isolation.items()))
    return results
