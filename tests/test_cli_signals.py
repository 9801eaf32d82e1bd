"""Ctrl-C and SIGTERM through the real entry point (`trends.cli.main`), in a subprocess:
an interrupt that a library swallows, one that it wraps, and SIGTERM."""

import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")

# Run `trends papers` with `cli._fit` replaced by ``body`` (it gets the original as `fit`).
SCRIPT = """
import os, signal, sys, time
import trends.cli as cli

fit = cli._fit

def patched(*args, **kwargs):
{body}

cli._fit = patched
sys.argv = ["trends", "papers", "--csv", "-e", "tfidf", "-q", "-o", sys.argv[1]]
cli.main()
"""


def _run(tmp_path, body):
    out = tmp_path / "papers.csv"
    out.write_text("the previous table\n")
    script = SCRIPT.format(body=textwrap.indent(textwrap.dedent(body), "    "))
    done = subprocess.run(
        [sys.executable, "-c", script, str(out)],
        capture_output=True,
        text=True,
        timeout=600,
        env={"TRENDS_CACHE_DIR": str(tmp_path / "cache"), "PATH": "/usr/bin:/bin"},
    )
    assert out.read_text() == "the previous table\n", done.stderr  # never replaced
    assert [p.name for p in tmp_path.iterdir() if p.name != "cache"] == ["papers.csv"]
    return done


def test_an_interrupt_that_a_finaliser_swallows_still_stops_the_run(tmp_path):
    """Ctrl-C while numba compiled UMAP landed in llvmlite's finalisers ("Exception
    ignored ... KeyboardInterrupt"): the run went on, replaced the output and exited 0."""
    done = _run(
        tmp_path,
        """
        class Compiled:
            def __del__(self):
                os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C, arriving in a finaliser
                time.sleep(0.5)

        Compiled()
        return fit(*args, **kwargs)
        """,
    )
    assert done.returncode == 130, done.stderr
    assert done.stderr.strip().splitlines()[-1] == "trends: interrupted"
    assert "Traceback" not in done.stderr


def test_an_interrupt_that_a_library_wraps_is_an_interrupt(tmp_path):
    """An import interrupted by Ctrl-C can end in ImportError("initialization failed")."""
    done = _run(
        tmp_path,
        """
        try:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(5)
        except KeyboardInterrupt:
            raise ImportError("initialization failed") from None
        """,
    )
    assert done.returncode == 130, done.stderr
    assert done.stderr.strip() == "trends: interrupted"


def test_sigterm_unwinds_like_ctrl_c_and_says_terminated(tmp_path):
    """SIGTERM (a scheduler, `timeout`, `docker stop`) killed the process outright: the
    finished embedding batches were lost and a temporary output file could be left."""
    done = _run(
        tmp_path,
        """
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)
        """,
    )
    assert done.returncode == 143, done.stderr
    assert done.stderr.strip() == "trends: terminated"


def test_the_handlers_are_taken_back_after_a_library_set_its_own(monkeypatch):
    """ray.init sets its own SIGTERM handler (sys.exit, then Ray's abort): the command line
    takes SIGINT and SIGTERM back after it (`_signals.restore`, called by the Ray engine)."""
    import signal

    from trends import _signals

    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    hook = sys.unraisablehook
    try:
        _signals.restore()  # not installed (a library user's process): leaves them alone
        assert signal.getsignal(signal.SIGTERM) is saved[signal.SIGTERM]
        monkeypatch.setattr(_signals, "_installed", [])
        _signals.install()
        signal.signal(signal.SIGTERM, lambda *a: sys.exit(15))  # as ray.init does
        _signals.restore()
        assert signal.getsignal(signal.SIGTERM) is _signals._handler
        assert signal.getsignal(signal.SIGINT) is _signals._handler
    finally:
        for s, handler in saved.items():
            signal.signal(s, handler)
        sys.unraisablehook = hook
