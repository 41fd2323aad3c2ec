"""The sandbox plan: what a worker may use, and the environment it runs with.

The judge builds the :class:`Plan` and sends it as the first message of the channel (never on a command
line, which every process of the sandbox could read in ``/proc``); the worker applies it.
"""
import json
from dataclasses import asdict, dataclass, field

#: The worker's working directory and home inside the sandbox (a private tmpfs).
SANDBOX_HOME = "/home/student"

#: The whole environment a worker process is started with (by the runner for the zygote, by the judge
#: for a fresh worker), so that nothing of the instructor's environment is in its ``/proc/PID/environ``:
LAUNCH_ENV = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",  # subprocesses find system programs; no instructor PATH entries
    "LANG": "C.UTF-8",                       # the same UTF-8 text encoding for every student
    "TF_CPP_MIN_LOG_LEVEL": "3",             # TensorFlow's C++ logging off
    "CUDA_VISIBLE_DEVICES": "-1",            # no GPU probing: the sandbox has no GPU device
    "MPLBACKEND": "Agg",                     # plots need no display
    "TF_NUM_INTEROP_THREADS": "1",           # one thread per TensorFlow pool: a judge's two workers share
    "TF_NUM_INTRAOP_THREADS": "1",           # the cores with the other judges, and a row batch is small
}


def sandbox_env(home=SANDBOX_HOME, tmp="/tmp"):
    """What the sandbox adds to :data:`LAUNCH_ENV` once its folders exist (not at launch: importing
    Keras and matplotlib before confinement would create these folders on the host)."""
    return {"HOME": home,                                  # ``~`` is the private working directory
            "TMPDIR": tmp,                                 # ``tempfile`` uses the private /tmp
            "KERAS_HOME": f"{home}/.keras",                # Keras' config and dataset cache
            "MPLCONFIGDIR": f"{home}/.config/matplotlib"}  # matplotlib's config and font cache


def launch_env(environ, quick_env=""):
    """The exact environment to start a worker (or the zygote) with, given the launcher's ``environ``.

    ``quick_env``: the assignment's variable for short training budgets (:attr:`autograder.packs.Pack.quick_env`),
    set to 1 unless ``environ`` sets it (the instructor's value wins).
    """
    return {**LAUNCH_ENV, **({quick_env: environ.get(quick_env, "1")} if quick_env else {})}


@dataclass
class Limits:
    memory_bytes: int = 6 * 2**30  # address space per process (RLIMIT_AS): TensorFlow reserves far more than it uses
    sandbox_memory_bytes: int = 2 * 2**30  # memory of all the sandbox's processes together (cgroup, else sampled)
    cpu_seconds: int = 600
    file_bytes: int = 64 * 2**20
    processes: int = 512  # per sandbox uid; threads count too, TensorFlow starts a few dozen
    tmpfs_bytes: int = 64 * 2**20  # each private tmpfs: /tmp, /var/tmp, /dev/shm and the working directory


@dataclass
class Plan:
    limits: Limits = field(default_factory=Limits)
    files: list = field(default_factory=list)  # host files copied into the working directory
    network: bool = False
    cgroup: dict = field(default_factory=dict)  # the group the judge made for this sandbox (worker.cgroups), if any
    calls: dict = field(default_factory=dict)   # what the judge may call by name (autograder.packs.Calls.to_plan)
    quick_env: str = ""                         # the assignment's short-budget variable, kept in the sandbox

    def to_json(self):
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text):
        data = json.loads(text)
        return cls(limits=Limits(**data.get("limits", {})), files=data.get("files", []),
                   network=data.get("network", False), cgroup=data.get("cgroup", {}),
                   calls=data.get("calls", {}), quick_env=data.get("quick_env", ""))
