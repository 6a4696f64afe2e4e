"""Timing and table helpers shared by the benchmark scripts (not part of the tfx package).

Scripts import this as ``from _timing import ...``: running ``python benchmarks/x.py`` puts
``benchmarks/`` first on ``sys.path``.
"""
import argparse
import importlib
import importlib.util
import json
import math
import os
import statistics
import subprocess
import sys
import timeit

# TensorFlow prints start-up banners on stderr; the tables should stand alone.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

__all__ = ["parse_args", "optional_import", "run_worker", "median_us", "fmt_us", "fmt_ratio",
           "goal_met", "na", "print_table"]

MISSING = "—"


def parse_args(description, argv=None, workers=False):
    """``--quick`` for every script; ``--threads`` and the internal ``--worker`` for scripts
    that run each framework in its own process (see ``run_worker``)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true",
                        help="tiny loops and one repeat where possible: checks the script runs, "
                             "numbers are noisy")
    if workers:
        parser.add_argument("--threads", type=int, default=1,
                            help="threads each framework's process may use (default 1)")
        parser.add_argument("--worker", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


# Read at start-up by OpenMP, MKL, OpenBLAS, Numba and TensorFlow (PyTorch follows OpenMP's).
THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                    "NUMBA_NUM_THREADS", "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS")


WORKER_TIMEOUT = 600


def run_worker(script, name, args, threads=None, env=None):
    """Run ``script --worker name`` in a fresh interpreter and return the JSON it prints last.

    One process per framework: TensorFlow's thread pools keep spinning after its work is done
    and slowed PyTorch's training loop 3x when both ran in one process. Each process gets
    ``threads`` threads (default ``args.threads``): on tiny batches, extra threads only add
    noise (PyTorch with 2 threads on 2 cores ranged from 0.3 to 7 ms per step between runs).
    The process is also pinned to that many CPUs, because not every library reads the thread
    variables: XLA's CPU client (jax) ran its matmuls on both cores of a 2-core machine with
    all of them set to 1 (CPU time / wall time 1.8). ``env`` adds variables.
    A crashed or hung worker gives ``na(<why>)``.
    """
    threads = args.threads if threads is None else threads
    cmd = [sys.executable, script, "--worker", name] + (["--quick"] if args.quick else [])
    env = dict(os.environ, **{v: str(threads) for v in THREAD_VARIABLES}, **(env or {}))
    cpus = sorted(os.sched_getaffinity(0))[:threads] if hasattr(os, "sched_getaffinity") else None
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=WORKER_TIMEOUT,
                              preexec_fn=(lambda: os.sched_setaffinity(0, cpus)) if cpus else None)
    except subprocess.TimeoutExpired:
        return na(f"still running after {WORKER_TIMEOUT} s")
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        return na((proc.stderr.strip().splitlines() or ["worker died"])[-1][:90])
    return json.loads(lines[-1])


def optional_import(name):
    """``(module, None)``, or ``(None, reason)`` when ``name`` is missing or fails to import."""
    if importlib.util.find_spec(name.split(".")[0]) is None:
        return None, "not installed"
    try:
        return importlib.import_module(name), None
    except Exception as exc:  # a broken install should skip one column, not end the run
        return None, f"import failed: {type(exc).__name__}"


def _calibrate(timer, min_time):
    """Loop count whose run takes about ``min_time`` seconds (also serves as the warm-up)."""
    number = 1
    while (elapsed := timer.timeit(number)) < min_time / 10:
        number *= 10
    return max(1, int(number * min_time / elapsed))


def median_us(stmt, namespace=None, repeat=3, min_time=0.2, number=None):
    """Median over ``repeat`` timeit loops of microseconds per execution of ``stmt``.

    ``stmt`` is a string (run in ``namespace``, so no call overhead is added) or a callable.
    """
    timer = timeit.Timer(stmt, globals=namespace)
    if number is None:
        number = _calibrate(timer, min_time)
    return statistics.median(timer.repeat(repeat=repeat, number=number)) / number * 1e6


def fmt_us(us):
    if us is None or isinstance(us, str):
        return us or MISSING
    return f"{us:.3g}" if us < 100 else f"{us:,.0f}"


def fmt_ratio(num, den):
    if not isinstance(num, (int, float)) or not isinstance(den, (int, float)) or den == 0:
        return MISSING
    return f"{num / den:.2f}x"


def goal_met(value, limit):
    """'yes' / 'NO' for ``value <= limit``; '—' when there is no number to judge."""
    if not isinstance(value, (int, float)) or math.isnan(value):
        return MISSING
    return "yes" if value <= limit else "NO"


def na(reason):
    return f"n/a ({reason})"


def print_table(title, headers, rows, notes=()):
    """Print ``rows`` (lists of strings, first cell the row name) under ``headers``."""
    rows = [[MISSING if c is None else str(c) for c in row] for row in rows]
    try:
        from rich.console import Console
        from rich.table import Table
        from rich.text import Text
    except ImportError:
        _print_plain(title, headers, rows)
    else:
        # Not a terminal (pipes, tests): a wide console so row names never wrap.
        console = Console(width=None if sys.stdout.isatty() else 240)
        table = Table(title=title, title_justify="left")
        for i, header in enumerate(headers):
            table.add_column(header, justify="left" if i == 0 else "right", no_wrap=i == 0)
        for row in rows:
            table.add_row(*map(Text, row))  # Text: brackets in reasons are not markup
        console.print(table)
    for note in notes:
        print(note)
    print()
    sys.stdout.flush()


def _print_plain(title, headers, rows):
    widths = [max(len(str(r[i])) for r in [headers] + rows) for i in range(len(headers))]

    def line(cells):
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                         for i, (c, w) in enumerate(zip(cells, widths)))

    print(title)
    print(line(headers))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print(line(row))
