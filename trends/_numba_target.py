"""One code-generation target for numba, so that UMAP computes the same bits on any machine.

umap-learn and pynndescent compile their loops with numba, which by default compiles for
the CPU it runs on, with ``fastmath``: on another CPU (AVX-512 instead of AVX2, another
model's tuning) LLVM vectorises, fuses or reorders some float sums differently, so the
last bits of an optimiser step differ, and UMAP's optimiser is chaotic (see
`trends.cluster`): the same vectors gave other themes on another machine. Measured on the
bundled corpus with the same vectors and seed: numba's default on this machine's CPU
(Emerald Rapids) gave 15 themes, the committed report (made on an AVX2 machine) 16, the
two partitions at ARI 0.845.

`pin` makes numba compile for one named target instead of the host: ``x86-64-v3`` (AVX2,
FMA, BMI: every x86-64 CPU since about 2015) on an x86-64 CPU that has those, plain
``x86-64`` on one that does not, ``generic`` on ARM. The machine code, and so every bit of
every UMAP run, is then the same on every CPU with those features. It runs when
`trends` is imported and sets ``NUMBA_CPU_NAME`` and ``NUMBA_CPU_FEATURES`` (so that
worker processes compile the same code; ``TRENDS_NUMBA_TARGET`` tells a worker that
trends set them, and the worker derives the target for its own CPU again), and numba's
configuration where numba is already imported. The price: numba code in the same
process, the user's own included, does not use instructions beyond the target
(AVX-512); no slower fit was measured (``benchmarks/cpu_targets.py``).

What it cannot do: numba compiles each function once per process, and importing
pynndescent (so umap, bertopic) compiles some right away. If that happened before
`trends` was imported, the host's code stays (and the worker processes of that fit
compile for the host too); `check` then warns once, at the first fit. A target the user
chose (``NUMBA_CPU_NAME``, ``NUMBA_CPU_FEATURES``, ``NUMBA_ENABLE_AVX`` or a
``.numba_config.yaml``) is left alone. `describe` says which code runs, for the caches'
keys.
"""

from __future__ import annotations

import os
import platform
import sys
import warnings

from ._warn import user_level

NAME_VAR = "NUMBA_CPU_NAME"
FEATURES_VAR = "NUMBA_CPU_FEATURES"
# Set by `pin` for the processes this one starts: the target it pinned (so that a worker
# tells the parent's setting from the user's), or "host" where numba had compiled for the
# host first (so that the workers do too, and one fit does not mix two kinds of code).
MARKER_VAR = "TRENDS_NUMBA_TARGET"

# What x86-64-v3 code may use (x86-64-v2's features and v3's own), as /proc/cpuinfo or
# LLVM spell them; a CPU (or a virtual machine) that lacks one of them gets plain x86-64
# code rather than an illegal instruction.
_X86_64_V3 = (
    ("cx16",),
    ("lahf_lm", "sahf"),
    ("popcnt",),
    ("pni", "sse3"),
    ("ssse3",),
    ("sse4_1", "sse4.1"),
    ("sse4_2", "sse4.2"),
    ("avx",),
    ("avx2",),
    ("bmi1", "bmi"),
    ("bmi2",),
    ("f16c",),
    ("fma",),
    ("movbe",),
    ("abm", "lzcnt"),
    ("xsave",),
)

# Set by `pin`: "pinned" (ours), "user" (the user's NUMBA_CPU_NAME), "late" (numba had
# compiled for the host before trends was imported), "host" (a worker of such a process),
# or "none" (an architecture we do not name a target for); None before `pin` ran.
_state: str | None = None
_described = ""
_warned = False


def cpu_flags() -> set[str]:
    """The CPU's instruction-set flags (Linux ``/proc/cpuinfo``), empty where unknown.

    Here, in a module that `trends` imports anyway, so that reading them costs no import;
    `trends.embed.backends` uses it too (bfloat16).
    """
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.partition(":")[2].split())
    except OSError:
        pass
    return set()


def _x86_flags() -> set[str]:
    """The CPU's feature flags: /proc/cpuinfo where there is one, else LLVM's view."""
    flags = cpu_flags()
    if flags:
        return flags
    try:
        from llvmlite import binding

        return {name for name, on in binding.get_host_cpu_features().items() if on}
    except Exception:  # noqa: BLE001 - no way to tell: assume the least
        return set()


def target() -> str | None:
    """The CPU name numba compiles for under `pin`; None where trends names none."""
    machine = platform.machine().lower()
    if machine in {"x86_64", "amd64"}:
        flags = _x86_flags()
        has_v3 = all(any(name in flags for name in names) for names in _X86_64_V3)
        return "x86-64-v3" if has_v3 else "x86-64"
    if machine in {"aarch64", "arm64"}:
        return "generic"
    return None


def _compiled_already() -> bool:
    """Whether numba's CPU target (and so its code generator) exists in this process."""
    registry = sys.modules.get("numba.core.registry")
    if registry is None:
        return False
    return "_toplevel_target_context" in vars(registry.cpu_target)


def _users_setting() -> bool:
    """Whether the user chose numba's target (not a trends parent process: `MARKER_VAR`).

    Its variables, or a ``.numba_config.yaml`` in the working folder (numba reads it).
    """
    inherited = os.environ.get(MARKER_VAR)
    name = os.environ.get(NAME_VAR)
    if name and name != inherited:
        return True
    if os.environ.get(FEATURES_VAR) and not name:
        return True
    if os.environ.get("NUMBA_ENABLE_AVX") is not None:
        return True
    return os.path.isfile(".numba_config.yaml")


def _host() -> tuple[str, str]:
    """LLVM's name and feature string for this CPU, as numba compiles by default."""
    try:
        from llvmlite import binding

        return binding.get_host_cpu_name(), binding.get_host_cpu_features().flatten()
    except Exception:  # noqa: BLE001 - any failure: the machine's name for it
        return platform.processor() or platform.machine(), "?"


def pin() -> str:
    """Make numba compile for `target` from now on in this process and its children.

    Returns the state (see the module docstring); calling it again changes nothing.
    """
    global _state, _described
    if _state is not None:
        return _state
    name = target()
    if os.environ.get(MARKER_VAR) == "host" and os.environ.get(NAME_VAR) is None:
        _state = "host"  # a parent that compiled for the host: its workers do the same
    elif _users_setting():
        _state = "user"
    elif name is None:
        _state = "none"
    elif _compiled_already():
        _state = "late"
        # The workers this process starts must compile what it does, not the pin.
        os.environ[MARKER_VAR] = "host"
    else:
        # Set again in a worker (the marker says the parent's trends set them): on Windows
        # an empty variable does not reach child processes, and a worker on another
        # machine (a cluster job's copied environment) needs its own CPU's target.
        os.environ[NAME_VAR] = name
        os.environ[FEATURES_VAR] = ""  # the target's own features, not the host's
        os.environ[MARKER_VAR] = name
        config = sys.modules.get("numba.core.config")
        if config is not None:  # numba imported but nothing compiled yet
            config.CPU_NAME = name
            config.CPU_FEATURES = ""
        _state = "pinned"
    if _state == "pinned":
        _described = f"{name}/"
    else:
        host_name, host_features = _host()
        chosen = os.environ.get(NAME_VAR) if _state == "user" else None
        features = os.environ.get(FEATURES_VAR) if _state == "user" else None
        if features is None:
            features = "" if (chosen or "").lower() == "generic" else host_features
        _described = f"{chosen or host_name}/{features}"
        if _state == "user" and os.path.isfile(".numba_config.yaml"):
            _described += ";.numba_config.yaml"
    return _state


def describe() -> str:
    """What numba compiles for in this process: CPU name and features, as fixed by `pin`.

    Part of the run and fit caches' keys (`trends.run_cache`, `trends.fit_cache`).
    """
    pin()
    return _described


def check() -> None:
    """Warn once if numba compiled for this CPU before trends could pin its target."""
    global _warned
    if pin() == "late" and not _warned:
        _warned = True
        warnings.warn(
            "numba compiled code for this CPU before trends was imported (umap, pynndescent "
            "or bertopic imported first), so these themes may differ in detail from "
            "another machine's; import trends first, or set NUMBA_CPU_NAME="
            f"{target()} and NUMBA_CPU_FEATURES= (empty) before starting Python",
            RuntimeWarning,
            stacklevel=user_level(),
        )
