"""The sample files in shared/fixtures, which sit beside the checkout (in CI as here). A
clone made elsewhere (a fresh clone in a temporary folder) finds them beside its origin."""

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _find() -> Path:
    candidates = [ROOT.parent / "shared" / "fixtures"]
    origin = subprocess.run(["git", "-C", str(ROOT), "config", "--get", "remote.origin.url"],
                            capture_output=True, text=True).stdout.strip()
    if origin and "://" not in origin and Path(origin).is_dir():
        candidates.append(Path(origin).resolve().parent / "shared" / "fixtures")
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    return candidates[0]


FIXTURES = _find()


def sample(name: str) -> Path:
    path = FIXTURES / name
    assert path.is_file(), f"missing sample file {path}: shared/ must sit beside the checkout"
    return path
