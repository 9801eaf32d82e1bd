"""numba compiles for one named target, so that UMAP's runs are the same bits on any CPU.

Issue 11, item 20 ("the same themes on any machine"): numba's default is the host CPU,
and a fresh clone's `make report` on a machine with another CPU gave other themes from
the same vectors (see `trends._numba_target`). Each check runs in a fresh interpreter:
numba fixes its target once per process.
"""

import json
import os
import subprocess
import sys

import pytest

from trends import _numba_target

TARGET = _numba_target.target()
needs_target = pytest.mark.skipif(TARGET is None, reason="no target named for this architecture")

PROBE = """
import json, warnings
{imports}
from numba.core.registry import cpu_target
import trends
import umap  # after trends, before any fit: as `import trends, bertopic` would
from trends import _numba_target, cluster, run_cache
import numpy as np
x = np.random.RandomState(0).normal(size=(40, 8)).astype(np.float32)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    for seed in (1, 2):
        cluster.reduce(x, None, n_components=2, n_neighbors=5, seed=seed, init="random")
triple, name, features = cpu_target.target_context.codegen().magic_tuple()
print(json.dumps({{
    "name": name, "features": features, "state": _numba_target._state,
    "key": run_cache._environment(),
    "warnings": [str(w.message) for w in caught if "numba compiled" in str(w.message)],
}}))
"""


def _probe(imports: str = "", **env: str) -> dict:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("NUMBA_CPU_")}
    environ.update(env)
    code = PROBE.format(imports=imports)
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=environ, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@needs_target
def test_importing_trends_pins_the_target_before_umap_compiles():
    seen = _probe()
    assert seen["state"] == "pinned"
    assert (seen["name"], seen["features"]) == (TARGET, "")
    assert f"cpu={TARGET}/;" in seen["key"] or seen["key"].endswith(f"cpu={TARGET}/")
    assert seen["warnings"] == []


@needs_target
def test_numba_imported_but_idle_before_trends_is_still_pinned():
    seen = _probe("import numba")
    assert (seen["state"], seen["name"], seen["features"]) == ("pinned", TARGET, "")


def test_a_target_the_user_set_is_left_alone():
    seen = _probe(NUMBA_CPU_NAME="generic")
    assert (seen["state"], seen["name"], seen["features"]) == ("user", "generic", "")
    assert seen["warnings"] == []


@needs_target
def test_umap_imported_first_keeps_the_host_code_and_warns_once():
    seen = _probe("import umap")
    assert seen["state"] == "late"
    assert seen["name"] != TARGET
    assert len(seen["warnings"]) == 1  # two UMAP fits, one warning
    assert "import trends first" in seen["warnings"][0]
    assert "cpu=host:" in seen["key"]


def test_target_follows_the_cpu_features(monkeypatch):
    monkeypatch.setattr(_numba_target.platform, "machine", lambda: "x86_64")
    v3 = {"avx", "avx2", "bmi1", "bmi2", "f16c", "fma", "movbe", "abm", "xsave"}
    monkeypatch.setattr(_numba_target, "_x86_flags", lambda: v3)
    assert _numba_target.target() == "x86-64-v3"
    # a virtual machine that hides one of them gets code without it, not SIGILL
    monkeypatch.setattr(_numba_target, "_x86_flags", lambda: v3 - {"movbe"})
    assert _numba_target.target() == "x86-64"
    # LLVM's spelling of the same features
    llvm = {"avx", "avx2", "bmi", "bmi2", "f16c", "fma", "movbe", "lzcnt", "xsave"}
    monkeypatch.setattr(_numba_target, "_x86_flags", lambda: llvm)
    assert _numba_target.target() == "x86-64-v3"
    monkeypatch.setattr(_numba_target.platform, "machine", lambda: "arm64")
    assert _numba_target.target() == "generic"
    monkeypatch.setattr(_numba_target.platform, "machine", lambda: "riscv64")
    assert _numba_target.target() is None
