"""Start-up cost: ``import <library>`` wall time and resident-memory growth.

Each measurement runs in a fresh Python subprocess (nothing cached in memory, no module already
imported), which times the import alone and reads its own RSS before and after. A cell is the
median of 3 such subprocesses. Libraries that are not installed are skipped.
Run: ``python benchmarks/startup.py [--quick]``.
"""
import importlib.util
import json
import statistics
import subprocess
import sys

from _timing import goal_met, na, parse_args, print_table

LIBRARIES = ("tfx", "numpy", "numba", "torch", "tensorflow", "jax")
GOAL_SECONDS = 0.15
GOAL_MIB = 40.0

# Runs in the child: everything it needs is imported before the first reading.
CHILD = r"""
import json, sys, time

def rss_bytes():
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    import resource  # no /proc (macOS): peak RSS, in bytes there
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

before = rss_bytes()
start = time.perf_counter()
{stmt}
seconds = time.perf_counter() - start
print(json.dumps({{"seconds": seconds, "rss": rss_bytes() - before}}))
"""


# `import tfx` loads its namespace on first use; the row counts that first use too, so the
# figure is what a program pays before its first tensor.
STATEMENTS = {"tfx": "import tfx; tfx.constant(1.0)"}


def measure(name, repeat):
    """Median import seconds and RSS growth (MiB) over ``repeat`` fresh subprocesses."""
    seconds, mib = [], []
    stmt = STATEMENTS.get(name, f"import {name}")
    for _ in range(repeat):
        proc = subprocess.run([sys.executable, "-c", CHILD.format(stmt=stmt)],
                              capture_output=True, text=True, timeout=300)
        if proc.returncode != 0:
            last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
            raise RuntimeError(last)
        result = json.loads(proc.stdout.strip().splitlines()[-1])
        seconds.append(result["seconds"])
        mib.append(result["rss"] / 2**20)
    return statistics.median(seconds), statistics.median(mib)


def main(argv=None):
    args = parse_args(__doc__.splitlines()[0], argv)
    repeat = 1 if args.quick else 3
    rows, notes = [], []
    for name in LIBRARIES:
        if importlib.util.find_spec(name) is None:
            notes.append(f"skipped: {name} (not installed)")
            continue
        try:
            seconds, mib = measure(name, repeat)
        except (RuntimeError, subprocess.TimeoutExpired) as exc:
            rows.append([f"import {name}", na(str(exc)), "—", "", ""])
            continue
        if name == "tfx":
            goal = f"< {GOAL_SECONDS} s, < {GOAL_MIB:.0f} MiB"
            met = ("yes" if goal_met(seconds, GOAL_SECONDS) == "yes"
                   and goal_met(mib, GOAL_MIB) == "yes" else "NO")
        else:
            goal = met = ""
        label = "import tfx + first tensor" if name == "tfx" else f"import {name}"
        rows.append([label, f"{seconds:.3f}", f"{mib:.1f}", goal, met])
    runs = "one fresh subprocess each (--quick)" if repeat == 1 else \
        f"median of {repeat} fresh subprocesses each"
    notes.insert(0, f"{runs}; RSS growth = resident memory after the import minus before")
    print_table("Start-up", ["library", "import s", "RSS growth MiB", "goal", "met"], rows, notes)


if __name__ == "__main__":
    main()
