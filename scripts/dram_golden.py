#!/usr/bin/env python3
"""Scheduling regression of the DRAM controller against tests/golden/dram-schedule.json.

  dram_golden.py check  [--npusim BIN]   replay every case and compare (exit 1 on a difference)
  dram_golden.py update [--npusim BIN]   replay, rewrite the golden, print the cases that moved

Each case is a synthetic replay (`npusim dram --pattern ...`) on one standard, page policy
and queue depth, chosen so that every part of the scheduler is exercised: row hits and
conflicts, ACT gates shared by bank groups and ranks, nFAW, the write-queue watermarks, the
row-hit cap, closed-page precharges and refresh (with two staggered ranks on DDR4). What is
pinned is what any change of a scheduling decision moves: the cycle count, the commands by
kind, the row outcomes, the read-latency mean and quantiles and the mean queue occupancy.
Every replay is also checked by the independent JEDEC timing checker (--check-timing). The
controller is deterministic, so the comparison is exact. A change that is meant to keep the
scheduler's choices must pass it unchanged; one that is meant to change them regenerates the
golden with `update` and says why in its commit.
"""
import argparse
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GOLDEN = os.path.join(ROOT, "tests", "golden", "dram-schedule.json")
STANDARDS = ["DDR4-2400", "LPDDR4-3200", "HBM2"]
PAGES = ["open", "closed"]
QUEUES = [8, 32]
PATTERNS = ["mix", "rand-read", "seq-write"]
REQUESTS = 20000
KEYS = ["cycles", "commands", "row_hits", "row_misses", "row_conflicts", "read_latency_cycles",
        "mean_queue_occupancy", "reads", "writes"]


def cases():
    return [(s, p, q, pat) for s in STANDARDS for p in PAGES for q in QUEUES for pat in PATTERNS]


def name_of(case):
    s, p, q, pat = case
    return f"{s}/{p}/q{q}/{pat}"


def replay(npusim, case):
    s, p, q, pat = case
    cmd = [npusim, "dram", "--standard", s, "--page", p, "--queue", str(q), "--pattern", pat,
           "--requests", str(REQUESTS), "--check-timing", "--json"]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"dram_golden.py: {' '.join(cmd)} failed ({r.returncode}): {r.stderr.strip()}")
    report = json.loads(r.stdout)
    if report["timing_check"]["violations"] != 0:
        sys.exit(f"dram_golden.py: {name_of(case)}: {report['timing_check']['violations']} JEDEC timing violations")
    return {k: report[k] for k in KEYS}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=["check", "update"], help="check: compare with the golden; update: rewrite it")
    ap.add_argument("--npusim", default=os.path.join(ROOT, "build", "npusim"), help="the npusim binary (default build/npusim)")
    args = ap.parse_args()
    new = {name_of(c): replay(args.npusim, c) for c in cases()}
    old = {}
    if os.path.exists(GOLDEN):
        with open(GOLDEN) as f:
            old = json.load(f)["cases"]
    elif args.mode == "check":
        print(f"FAIL: no golden {GOLDEN} (run scripts/dram_golden.py update)")
        return 1
    moved = [n for n in new if old.get(n) != new[n]]
    if args.mode == "check":
        for n in moved:
            print(f"FAIL {n}:")
            for k in KEYS:
                if old.get(n, {}).get(k) != new[n][k]:
                    print(f"  {k}: golden {old.get(n, {}).get(k)}  now {new[n][k]}")
        gone = [n for n in old if n not in new]
        for n in gone:
            print(f"FAIL {n}: in the golden but no longer a case")
        if not moved and not gone:
            print(f"ok   {len(new)} DRAM replays schedule exactly as the golden")
        return 1 if moved or gone else 0
    with open(GOLDEN, "w") as f:
        json.dump({"schema": "npusim-dram-schedule-golden/1", "requests": REQUESTS, "cases": new}, f, indent=1)
        f.write("\n")
    print(f"{len(moved)} of {len(new)} cases moved" + (": " + ", ".join(moved) if moved else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
