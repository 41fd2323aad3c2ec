"""The sandbox plan and the worker's environment: what the judge sends and what a worker may see."""
from autograder.wire.plan import LAUNCH_ENV, SANDBOX_HOME, Limits, Plan, launch_env, sandbox_env


def test_plan_survives_the_json_round_trip():
    plan = Plan(limits=Limits(memory_bytes=2**30, processes=64, tmpfs_bytes=2**20), files=["/x/nice_helpers.py"],
                calls={"classes": ["A"], "functions": ["f"]}, quick_env="QUICK")
    assert Plan.from_json(plan.to_json()) == plan
    assert Plan.from_json("{}") == Plan()


def test_launch_environment_is_the_allowlist_whatever_the_instructor_has():
    instructor = {"HOME": "/root", "AUTOGRADER_RESULTS": "/course/grades", "PATH": "/root/.venv/bin",
                  "AWS_SECRET_ACCESS_KEY": "x", "NICE_QUICK": "0"}
    env = launch_env(instructor, "NICE_QUICK")
    assert set(env) == set(LAUNCH_ENV) | {"NICE_QUICK"}
    assert env["NICE_QUICK"] == "0" and env["PATH"] == LAUNCH_ENV["PATH"]
    assert launch_env({}, "NICE_QUICK")["NICE_QUICK"] == "1" and set(launch_env(instructor)) == set(LAUNCH_ENV)
    assert not set(env.values()) & {"/root", "/course/grades", "/root/.venv/bin", "x"}


def test_sandbox_environment_points_into_the_private_home():
    env = sandbox_env()
    assert env["HOME"] == SANDBOX_HOME and env["TMPDIR"] == "/tmp"
    assert all(v.startswith((SANDBOX_HOME, "/tmp")) for v in env.values())
    assert not set(env) & set(LAUNCH_ENV)
