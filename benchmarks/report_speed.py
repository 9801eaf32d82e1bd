"""The HTML report: how long `trends report` takes, how big the file is, how fast it opens.

1. `trends report` on the bundled corpus in a fresh process: cold cache against warm.
   Cold: an empty cache (the 192 abstracts are embedded, the themes fitted). Warm: the
   cache filled by the cold run (embeddings and the fitted model are read back). Also
   shown: a refit with only the embeddings cached (the fit cache emptied), i.e. what a
   changed parameter costs. Each is run 3 times in fresh processes; medians and their
   ratio are printed. Target (issue 4): warm at most a third of cold.
2. Size (issue 13): the bundled report <= 6 MB; the report of both arXiv folders
   (`arxiv_daily/` + `arxiv_daily_2025h2/`, 40,717 papers) <= 25 MB. The paper data is
   shown compressed as the report does it (Zstandard) next to its peer, gzip -9 (what
   the browser's own DecompressionStream could read).
3. In headless Chromium (issue 13), each report opened 3 times: time to the first chart
   drawn, to interactive (the papers decoded, search and table ready) and to the map
   drawn; then one search keystroke, 20 keystrokes typed 200 ms apart, each timed from
   the input event to the next painted frame (median and maximum). Targets on the
   40,717-paper report: interactive <= 5 s, keystroke <= 100 ms. The bundled report is
   the peer: ratios of the big report's times to its are printed.

The big report uses the user's embedding and fit caches (fill them with
`trends report <both folders>` once; embedding 40,717 abstracts takes ~35 minutes).

    python benchmarks/report_speed.py             # all of it
    python benchmarks/report_speed.py --no-cli    # skip part 1
    python benchmarks/report_speed.py --no-big    # skip the 40,717-paper report
    python benchmarks/report_speed.py --no-cli --big-html arxiv.html   # time a written report
"""

from __future__ import annotations

import argparse
import base64
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

from _common import corpora, median

TRENDS = [sys.executable, "-m", "trends", "report", "-q"]
QUERY = "diffusion for videos"  # 20 keystrokes
LOADS = 3
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]


def run(cache: Path, out: Path, *inputs: str) -> float:
    env = dict(os.environ, TRENDS_CACHE_DIR=str(cache))
    t0 = time.perf_counter()
    subprocess.run([*TRENDS, *inputs, "-o", str(out)], env=env, check=True, capture_output=True)
    return time.perf_counter() - t0


def cold_warm(work: Path) -> Path:
    cold, warm, refit = [], [], []
    for k in range(3):
        cache = work / f"cache{k}"
        cold.append(run(cache, work / "cold.html"))
        warm.append(run(cache, work / "warm.html"))
        shutil.rmtree(cache / "fits")
        refit.append(run(cache, work / "refit.html"))
    same = (work / "cold.html").read_bytes() == (work / "warm.html").read_bytes()
    ratio = median(warm) / median(cold)
    print("1. trends report on the bundled 192-paper corpus, fresh process each run")
    print(f"cold (empty cache): {[round(t, 1) for t in cold]} s, median {median(cold):.1f} s")
    print(f"warm (cache filled): {[round(t, 1) for t in warm]} s, median {median(warm):.1f} s")
    print(
        f"refit, embeddings cached: {[round(t, 1) for t in refit]} s, median {median(refit):.1f} s"
    )
    print(f"warm / cold = {ratio:.2f} (target <= 0.33: {'met' if ratio <= 1 / 3 else 'MISSED'})")
    print(f"refit with cached embeddings / cold = {median(refit) / median(cold):.2f}")
    print(f"cold and warm reports byte-identical: {same}")
    return work / "warm.html"


def sizes(path: Path, budget_mb: float, name: str) -> None:
    html = path.read_text(encoding="utf-8")
    packed = re.search(r'id="paper-data"[^>]*>([^<]*)<', html)[1]
    import zstandard

    raw = zstandard.ZstdDecompressor().decompressobj().decompress(base64.b64decode(packed))
    gz = len(base64.b64encode(zlib.compress(raw, 9)))
    size = path.stat().st_size
    verdict = "met" if size <= budget_mb * 1e6 else "MISSED"
    print(f"{name}: {size / 1e6:.2f} MB (target <= {budget_mb:g} MB: {verdict})")
    print(
        f"  paper data: {len(raw) / 1e6:.1f} MB (JSON and text) -> {len(packed) / 1e6:.2f} MB as "
        f"zstd+base64; gzip -9 + base64 would be {gz / 1e6:.2f} MB "
        f"(zstd / gzip = {len(packed) / gz:.2f}); the rest of the page "
        f"{(size - len(packed)) / 1e6:.2f} MB"
    )


TYPE_JS = """async ([query, gap]) => {
  const box = document.getElementById('search');
  const frame = () => new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)));
  const out = [], work = [];
  box.focus();
  for (let k = 1; k <= query.length; k++) {
    const t0 = performance.now();
    box.value = query.slice(0, k);
    box.dispatchEvent(new Event('input', {bubbles: true}));
    await frame();
    out.push(performance.now() - t0);
    work.push(window.TrendsExplorer.updateMs);
    await new Promise(r => setTimeout(r, gap));
  }
  return {keystrokes: out, work: work, matches: document.getElementById('match-count').textContent,
          chart_ms: window.TrendsExplorer.chartMs};
}"""


def browser_timings(path: Path) -> dict:
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        sys.exit("chromium is not installed: apt-get install -y chromium")
    loads, typing = [], None
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        for k in range(LOADS):
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            cdp = page.context.new_cdp_session(page)
            cdp.send("Performance.enable")
            errors = []
            page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
            page.goto(path.as_uri(), timeout=120_000)
            page.wait_for_function(
                "document.documentElement.getAttribute('data-explorer') === 'ready'",
                timeout=120_000,
                polling=20,
            )
            # CPU time of the page's main thread: what the wall time would be on a quiet
            # machine (this one is shared), apart from reading the file
            metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
            page.wait_for_function(
                "performance.getEntriesByName('trends:map-drawn').length > 0", timeout=120_000
            )
            marks = page.evaluate(
                "Object.fromEntries(performance.getEntriesByType('mark')"
                ".map(m => [m.name, m.startTime]))"
            )
            loads.append({k: v / 1000 for k, v in marks.items()} | {"cpu": metrics["ThreadTime"]})
            if errors:
                sys.exit(f"errors in the page: {errors}")
            if k == LOADS - 1:
                typing = page.evaluate(TYPE_JS, [QUERY, 200])
            page.close()
        browser.close()
    return {
        "first": median([m["trends:first-chart"] for m in loads]),
        "interactive": median([m["trends:interactive"] for m in loads]),
        "map": median([m["trends:map-drawn"] for m in loads]),
        "cpu": median([m["cpu"] for m in loads]),
        "keystroke": median(typing["keystrokes"]),
        "keystroke_max": max(typing["keystrokes"]),
        "work": median(typing["work"]),
        "chart_ms": typing["chart_ms"],
        "matches": typing["matches"],
    }


def print_timings(name: str, t: dict) -> None:
    print(
        f"{name}: first chart {t['first']:.2f} s, interactive {t['interactive']:.2f} s, "
        f"map drawn {t['map']:.2f} s (medians of {LOADS} loads); main-thread CPU time "
        f"until interactive {t['cpu']:.2f} s"
    )
    print(
        f"  keystroke (input -> next frame), {len(QUERY)} typed: median {t['keystroke']:.0f} ms, "
        f"max {t['keystroke_max']:.0f} ms; of which search + table {t['work']:.0f} ms; "
        f"map and timeline redraw after typing stops {t['chart_ms']:.0f} ms; "
        f"'{QUERY}': {t['matches']}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-cli", action="store_true", help="skip the cold/warm CLI runs")
    parser.add_argument("--no-big", action="store_true", help="skip the 40,717-paper report")
    parser.add_argument(
        "--big-html",
        type=Path,
        help="time this report (e.g. one written earlier) instead of writing the big one",
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="trends-report-bench-"))
    try:
        if args.no_cli:
            bundled = work / "bundled.html"
            run(work / "cache", bundled)
        else:
            bundled = cold_warm(work)
        print("\n2. Size")
        sizes(bundled, 6, "bundled corpus (192 papers)")
        big = args.big_html
        if big is not None:
            sizes(big, 25, f"{big.name} (given)")
        elif not args.no_big:
            root = corpora()
            big = work / "arxiv.html"
            t0 = time.perf_counter()
            subprocess.run(
                [
                    *TRENDS,
                    str(root / "arxiv_daily"),
                    str(root / "arxiv_daily_2025h2"),
                    "-o",
                    str(big),
                ],
                check=True,
            )
            print(f"  (the 40,717-paper report written in {time.perf_counter() - t0:.0f} s)")
            sizes(big, 25, "both arXiv folders (40,717 papers)")
        print("\n3. In headless Chromium")
        small = browser_timings(bundled)
        print_timings("bundled corpus (192 papers)", small)
        if big is not None:
            large = browser_timings(big)
            print_timings("both arXiv folders (40,717 papers)", large)
            ok_i = "met" if large["interactive"] <= 5 else "MISSED"
            ok_c = "met" if large["cpu"] <= 5 else "MISSED"
            ok_k = "met" if large["keystroke"] <= 100 else "MISSED"
            ratio_i = large["interactive"] / small["interactive"]
            print(
                f"40,717 / 192 papers: interactive {ratio_i:.1f}x"
                f", keystroke {large['keystroke'] / small['keystroke']:.1f}x; "
                f"interactive <= 5 s: {ok_i} (CPU time {ok_c}); keystroke <= 100 ms: {ok_k}"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
