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


def worker():  # what a worker process of the fit compiles for (trends.cluster uses loky)
    import trends
    from numba import njit
    from numba.core.registry import cpu_target

    njit(lambda v: v + 1)(1)
    return list(cpu_target.target_context.codegen().magic_tuple()[1:])


from joblib import Parallel, delayed

workers = Parallel(n_jobs=2, backend="loky")(delayed(worker)() for _ in range({workers}))
print(json.dumps({{
    "name": name, "features": features, "state": _numba_target._state,
    "key": run_cache._environment(), "workers": workers,
    "warnings": [str(w.message) for w in caught if "numba compiled" in str(w.message)],
}}))
"""


def _probe(imports: str = "", workers: int = 0, **env: str) -> dict:
    environ = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("NUMBA_CPU_") and k != _numba_target.MARKER_VAR
    }
    environ.update(env)
    code = PROBE.format(imports=imports, workers=workers)
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=environ, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@needs_target
def test_importing_trends_pins_the_target_before_umap_compiles():
    seen = _probe(workers=2)
    assert seen["state"] == "pinned"
    assert (seen["name"], seen["features"]) == (TARGET, "")
    assert seen["workers"] == [[TARGET, ""]] * 2
    assert seen["key"].endswith(f"cpu={TARGET}/")
    assert seen["warnings"] == []


@needs_target
def test_a_worker_that_lost_the_empty_features_variable_is_pinned_again():
    # Windows drops a variable set to "" from a child's environment: the worker sees
    # only the name, and the marker says that trends set it
    marker = _numba_target.MARKER_VAR
    seen = _probe(NUMBA_CPU_NAME=TARGET, **{marker: TARGET})
    assert (seen["state"], seen["name"], seen["features"]) == ("pinned", TARGET, "")


@needs_target
def test_an_environment_copied_from_another_machine_gets_this_cpus_target():
    # a cluster job started from a machine whose trends pinned another target
    other = "x86-64-v4" if TARGET != "x86-64-v4" else "x86-64-v3"
    seen = _probe(NUMBA_CPU_NAME=other, **{_numba_target.MARKER_VAR: other})
    assert (seen["state"], seen["name"], seen["features"]) == ("pinned", TARGET, "")


@needs_target
def test_numba_imported_but_idle_before_trends_is_still_pinned():
    seen = _probe("import numba")
    assert (seen["state"], seen["name"], seen["features"]) == ("pinned", TARGET, "")


def test_a_target_the_user_set_is_left_alone():
    seen = _probe(NUMBA_CPU_NAME="generic")
    assert (seen["state"], seen["name"], seen["features"]) == ("user", "generic", "")
    assert seen["key"].endswith("cpu=generic/")
    assert seen["warnings"] == []
    # a name alone: numba adds this CPU's features, and the caches' key says so
    host = _probe(NUMBA_CPU_NAME="x86-64")
    assert host["state"] == "user" and host["features"] != ""
    assert host["key"].endswith(f"cpu=x86-64/{host['features']}")
    # features alone are a choice too
    assert _probe(NUMBA_CPU_FEATURES="+sse2")["state"] == "user"


@needs_target
def test_umap_imported_first_keeps_the_host_code_and_warns_once():
    seen = _probe("import umap", workers=2)
    assert seen["state"] == "late"
    assert (seen["name"], seen["features"]) != (TARGET, "")
    # its workers compile what it does: one fit, one kind of code
    assert seen["workers"] == [[seen["name"], seen["features"]]] * 2
    assert len(seen["warnings"]) == 1  # two UMAP fits, one warning
    assert "import trends first" in seen["warnings"][0]
    assert seen["key"].endswith(f"cpu={seen['name']}/{seen['features']}")


def test_target_follows_the_cpu_features(monkeypatch):
    monkeypatch.setattr(_numba_target.platform, "machine", lambda: "x86_64")
    v2 = {"cx16", "lahf_lm", "popcnt", "pni", "ssse3", "sse4_1", "sse4_2"}
    v3 = v2 | {"avx", "avx2", "bmi1", "bmi2", "f16c", "fma", "movbe", "abm", "xsave"}
    monkeypatch.setattr(_numba_target, "_x86_flags", lambda: v3)
    assert _numba_target.target() == "x86-64-v3"
    # a virtual machine that hides one of them gets code without it, not SIGILL
    monkeypatch.setattr(_numba_target, "_x86_flags", lambda: v3 - {"movbe"})
    assert _numba_target.target() == "x86-64"
    monkeypatch.setattr(_numba_target, "_x86_flags", lambda: v3 - {"popcnt"})
    assert _numba_target.target() == "x86-64"
    # LLVM's spelling of the same features
    llvm = {"cx16", "sahf", "popcnt", "sse3", "ssse3", "sse4.1", "sse4.2"}
    llvm |= {"avx", "avx2", "bmi", "bmi2", "f16c", "fma", "movbe", "lzcnt", "xsave"}
    monkeypatch.setattr(_numba_target, "_x86_flags", lambda: llvm)
    assert _numba_target.target() == "x86-64-v3"
    monkeypatch.setattr(_numba_target.platform, "machine", lambda: "arm64")
    assert _numba_target.target() == "generic"
    monkeypatch.setattr(_numba_target.platform, "machine", lambda: "riscv64")
    assert _numba_target.target() is None
