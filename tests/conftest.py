import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"


def _shared() -> Path:
    env = os.environ.get("TRENDS_SHARED_CORPORA")
    return Path(env) if env else ROOT.parent / "shared" / "corpora"


@pytest.fixture(scope="session")
def corpora() -> Path:
    """The shared corpora folder; in CI its absence is a failure, not a skip."""
    path = _shared()
    if not path.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"shared corpora not found at {path}")
        pytest.skip(f"shared corpora not found at {path} (set TRENDS_SHARED_CORPORA)")
    return path


@pytest.fixture(scope="session")
def data() -> Path:
    return DATA
