"""The sandbox plan: what a worker may use.  Built by the judge, applied by the worker, sent as JSON."""
import json
from dataclasses import asdict, dataclass, field

UID_BASE = 200000  # worker uids are UID_BASE + pid: unique per live worker, no passwd entry needed


@dataclass
class Limits:
    memory_bytes: int = 6 * 2**30
    cpu_seconds: int = 600
    file_bytes: int = 64 * 2**20
    processes: int = 512  # threads count too; TensorFlow starts a few dozen


@dataclass
class Plan:
    limits: Limits = field(default_factory=Limits)
    hide: list = field(default_factory=list)      # folders to cover with an empty tmpfs
    files: list = field(default_factory=list)     # files copied into the working directory first
    network: bool = False

    def to_json(self):
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text):
        data = json.loads(text)
        return cls(limits=Limits(**data.get("limits", {})), hide=data.get("hide", []),
                   files=data.get("files", []), network=data.get("network", False))
