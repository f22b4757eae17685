"""Run benchmark workloads and print a table; also usable as ``python benchmarks/run.py``.

    python -m benchmarks [workload ...] [--repeat N] [--json PATH] [--quick] [--threads N]
                         [--no-torch] [--keep-freed-memory]

Every implementation is timed in turn (ours, numpy, torch, ours, numpy, torch, ...) and the
table shows medians with autograd_lite's min-max range and the ratio ours / reference.
"""

from __future__ import annotations

import sys
from pathlib import Path

if not __package__:  # run as a script: make `benchmarks` and `autograd_lite` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse  # noqa: E402
import gc  # noqa: E402
import importlib  # noqa: E402
import json  # noqa: E402
from typing import Any  # noqa: E402

from autograd_lite import keep_freed_memory  # noqa: E402
from autograd_lite.files import write_text  # noqa: E402
from benchmarks.impls.torch_ref import load_torch  # noqa: E402
from benchmarks.machine import choose_threads, machine_info, set_blas_threads  # noqa: E402
from benchmarks.options import Options  # noqa: E402
from benchmarks.timing import OURS, WorkloadResult  # noqa: E402

WORKLOADS = ("overhead", "small", "mlp", "cnn", "fanin", "memory",
             "rl", "gpt")
REFERENCE_ORDER = ("numpy", "torch", "scalar", "scalar-numpy")
DEFAULT_JSON = Path(__file__).resolve().parent / "results" / "latest.json"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Time autograd_lite against a hand-written NumPy version and PyTorch.")
    parser.add_argument("workloads", nargs="*", metavar="workload",
                        help=f"any of {', '.join(WORKLOADS)} (default: all)")
    parser.add_argument("--repeat", type=int, default=None,
                        help="samples per implementation (default 10, or 1 with --quick)")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON,
                        help=f"where to write the results (default {DEFAULT_JSON})")
    parser.add_argument("--quick", action="store_true",
                        help="tiny sizes and few steps: a smoke test, not a measurement")
    parser.add_argument("--threads", type=int, default=None,
                        help="BLAS and PyTorch threads (default: $OMP_NUM_THREADS, else "
                             "what NumPy's BLAS uses)")
    parser.add_argument("--no-torch", action="store_true", help="leave PyTorch out")
    parser.add_argument("--keep-freed-memory", action="store_true",
                        help="call autograd_lite.keep_freed_memory() first, as the examples do: "
                             "glibc then reuses freed arrays, for every implementation in this "
                             "process (the peak-memory children keep glibc's defaults)")
    parser.add_argument("--settle", type=float, default=None,
                        help="seconds of pause before every sample, for the previous one's "
                             "BLAS/OpenMP threads to stop spinning (default 0.25, 0 with --quick)")
    args = parser.parse_args(argv)
    unknown = [w for w in args.workloads if w not in WORKLOADS]
    if unknown:
        parser.error(f"unknown workload(s) {', '.join(unknown)}; choose from "
                     f"{', '.join(WORKLOADS)}")
    if args.repeat is not None and args.repeat < 1:
        parser.error(f"--repeat must be at least 1, got {args.repeat}")
    if args.settle is not None and args.settle < 0:
        parser.error(f"--settle must not be negative, got {args.settle}")
    if args.threads is not None and args.threads < 1:
        parser.error(f"--threads must be at least 1, got {args.threads}")
    return args


def _fmt(value: float) -> str:
    if value >= 100:
        return f"{value:.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}"


def format_table(results: list[WorkloadResult]) -> str:
    """A plain-text table: one row per metric, a median and a ratio column per reference."""
    refs: list[str] = []
    for result in results:
        for metric in result.metrics:
            refs += [k for k in metric.samples if k != OURS and k not in refs]
    refs.sort(key=lambda r: REFERENCE_ORDER.index(r) if r in REFERENCE_ORDER else 99)
    header = ["workload", "metric", "unit", f"{OURS} median [min-max]"]
    for ref in refs:
        header += [ref, f"ours/{ref}"]
    rows = [header]
    for result in results:
        if result.skipped:
            rows.append([result.name, f"skipped: {result.skipped}"] + [""] * (len(header) - 2))
            continue
        for metric in result.metrics:
            s = metric.summary()
            ours = ""
            if OURS in s["median"]:
                ours = (f"{_fmt(s['median'][OURS])} "
                        f"[{_fmt(s['min'][OURS])}-{_fmt(s['max'][OURS])}]")
            row = [result.name, metric.name, metric.unit, ours]
            for ref in refs:
                row.append(_fmt(s["median"][ref]) if ref in s["median"] else "")
                row.append(f"{s['ratio'][ref]:.2f}x" if ref in s["ratio"] else "")
            rows.append(row)
    widths = [max(len(r[i]) for r in rows if len(r) > i) for i in range(len(header))]
    lines = []
    for n, row in enumerate(rows):
        if row[1].startswith("skipped:"):
            lines.append(f"{row[0]:<{widths[0]}}  {row[1]}")
            continue
        cells = [cell.ljust(w) if i < 3 else cell.rjust(w)
                 for i, (cell, w) in enumerate(zip(row, widths, strict=True))]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("-" * len(lines[0]))
    return "\n".join(lines)


def write_json(path: Path, payload: dict[str, Any]) -> None:
    """Write ``payload`` as JSON, atomically (a crash leaves the previous file intact)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text(path, json.dumps(payload, indent=1) + "\n")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    names = args.workloads or list(WORKLOADS)
    threads = choose_threads(args.threads)
    set_blas_threads(threads)
    torch = None if args.no_torch else load_torch(threads)
    kept = keep_freed_memory() if args.keep_freed_memory else False
    settle = args.settle if args.settle is not None else (0.0 if args.quick else 0.25)
    options = Options(repeat=args.repeat or (1 if args.quick else 10), quick=args.quick,
                      threads=threads, torch=torch, settle=settle)
    machine = machine_info(threads, torch)
    print(f"{machine['cpu']}, {machine['cpus_available']} CPUs, {threads} threads, "
          f"numpy {machine['numpy']} ({machine['blas'].get('name')}), "
          f"torch {machine['torch'] or 'not used'}; repeat {options.repeat}"
          f"{', quick' if args.quick else ''}"
          f"{', freed memory kept' if kept else ''}", flush=True)
    if args.keep_freed_memory and not kept:
        print("warning: --keep-freed-memory: not glibc, nothing to tune", file=sys.stderr)
    load = machine["load_average"]
    if load is not None and load[0] > max(0.5, machine["cpus_available"] - threads):
        print(f"warning: load average {load[0]:.1f} on {machine['cpus_available']} CPUs: other "
              "processes compete for the cores, so timings are noisy (multi-threaded BLAS "
              "suffers most; try --threads 1)", file=sys.stderr, flush=True)
    results = []
    for name in names:
        print(f"running {name} ...", file=sys.stderr, flush=True)
        module = importlib.import_module(f"benchmarks.workloads.{name}")
        # Move everything loaded so far (PyTorch alone brings ~150,000 objects) out of the
        # collector's sight: else every full collection scans it, and the engines that make
        # Python objects per op (autograd_lite, the scalar one) would pay for torch's import.
        gc.collect()
        gc.freeze()
        results.append(module.run(options))
    gc.unfreeze()
    print(format_table(results))
    write_json(args.json, {
        "date": machine["date"], "machine": machine,
        "options": {"repeat": options.repeat, "quick": options.quick, "threads": threads,
                    "torch": torch is not None, "settle_s": options.settle,
                    "gc": "collected before each sample; objects from setup frozen",
                    "keep_freed_memory": kept},
        "workloads": {r.name: r.to_json() for r in results}})
    print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
