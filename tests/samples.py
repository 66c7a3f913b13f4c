"""The sample files in ../shared/fixtures (beside the checkout, in CI as here)."""

from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures"


def sample(name: str) -> Path:
    path = FIXTURES / name
    assert path.is_file(), f"missing sample file {path}: shared/ must sit beside the checkout"
    return path
