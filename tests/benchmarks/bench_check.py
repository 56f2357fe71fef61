"""Throughput of `ospec check` over a folder of specs: one process against one per CPU.

    python tests/benchmarks/bench_check.py [--specs 1000] [--runs 3]

Prints specs per second for `--jobs 1` and the default (one worker per usable CPU), and where
the single-process time goes: interpreter start-up (with imports), parsing, schema validation
with the rules, and the rest (reading files, discovery, output).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ospec.check import usable_cpus
from ospec.checker import analyze_text
from ospec.core import parse

EXAMPLES = Path(__file__).resolve().parents[2] / "schema" / "examples"


def make_specs(folder: Path, count: int) -> list[Path]:
    """count specs cycled from the bundled examples, each id matching its file name."""
    bases = sorted(EXAMPLES.glob("*.ospec.yaml"))
    paths = []
    for i in range(count):
        base = bases[i % len(bases)]
        stem = base.name.removesuffix(".ospec.yaml")
        name = f"{stem}-{i:04d}"
        text = base.read_text(encoding="utf-8").replace(f"id: {stem}", f"id: {name}", 1)
        path = folder / f"{name}.ospec.yaml"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def wall(cmd: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - started)
    return times


def in_process(paths: list[Path]) -> tuple[float, float]:
    """(seconds parsing, seconds in the whole analysis) over every spec, in this process."""
    texts = [(p, p.read_text(encoding="utf-8")) for p in paths]
    started = time.perf_counter()
    for _, text in texts:
        parse(text)
    parsing = time.perf_counter() - started
    started = time.perf_counter()
    for path, text in texts:
        analyze_text(text, path=path)
    return parsing, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--specs", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    ospec = [sys.executable, "-m", "ospec", "check"]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        paths = make_specs(folder, args.specs)
        startup = wall([*ospec, str(paths[0])], args.runs + 2)
        single = wall([*ospec, "--jobs", "1", str(folder)], args.runs)
        multi = wall([*ospec, str(folder)], args.runs)
        parsing, analysis = in_process(paths)
    one, many, start = (statistics.median(t) for t in (single, multi, startup))
    lines = sum(1 for _ in EXAMPLES.glob("*.ospec.yaml"))
    print(f"{args.specs} specs cycled from {lines} bundled examples; {usable_cpus()} usable CPUs")
    print(f"load average at the end: {os.getloadavg()}")
    print(f"{'':24}{'min':>8}{'median':>8}{'max':>8}   specs/s")
    for label, times in (("start-up (1 spec)", startup), ("--jobs 1", single), ("default", multi)):
        lo, mid, hi = min(times), statistics.median(times), max(times)
        rate = f"{args.specs / mid:8.0f}" if label != "start-up (1 spec)" else ""
        print(f"{label:24}{lo:8.2f}{mid:8.2f}{hi:8.2f}   {rate}")
    print(f"speed-up of the default over --jobs 1: {one / many:.2f}x")
    validation = analysis - parsing
    rest = max(0.0, one - start - analysis)
    print(
        "share of the --jobs 1 time: "
        f"start-up {start / one:.0%}, parsing {parsing / one:.0%}, "
        f"validation and rules {validation / one:.0%}, reading and output {rest / one:.0%}"
    )


if __name__ == "__main__":
    main()
