#!/usr/bin/env python3
"""Energy and performance regression against the goldens in tests/golden/.

  golden.py check  [--only NET@ARCH] [--rtol X]   rerun and compare (exit 1 on a difference)
  golden.py update [--only NET@ARCH]              rerun, rewrite the goldens, print what moved

Each golden is a subset of a report.json (schema npusim-golden/2): for one network on one
architecture preset, the totals (cycles, MACs, DRAM bytes read and written, energy and its
breakdown) and per layer the cycles, DRAM bytes read and written and energy. `check` reruns
the network and compares with `npusim compare GOLDEN REPORT` (the golden is the reference:
every value it holds is compared). The simulator is deterministic, so the default tolerance
is exact; --rtol sets a relative tolerance.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GOLDEN_DIR = os.path.join(ROOT, "tests", "golden")
NETWORKS = ["hardnet68", "resnet50", "densenet121", "cspresnext50", "mobilenet_v2"]
ARCHS = ["edge-32x32", "edge-16x16"]
TOTAL_KEYS = ["cycles", "macs", "dram_read_bytes", "dram_write_bytes", "energy_pj", "energy_breakdown_pj"]
LAYER_KEYS = ["name", "cycles", "dram_read_bytes", "dram_write_bytes", "energy_pj"]


def pairs(only):
    all_pairs = [f"{n}@{a}" for n in NETWORKS for a in ARCHS]
    if only:
        if only not in all_pairs:
            sys.exit(f"golden.py: --only '{only}': expected one of {', '.join(all_pairs)}")
        return [only]
    return all_pairs


def run(npusim, pair, out):
    net, arch = pair.split("@")
    p = subprocess.run([npusim, "run", "--net", net, "--arch", arch, "--quiet", "--out", out],
                       capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"golden.py: npusim run --net {net} --arch {arch} failed ({p.returncode}): {p.stderr.strip()}")
    with open(os.path.join(out, "report.json")) as f:
        return json.load(f)


def golden_of(pair, report):
    net, arch = pair.split("@")
    return {
        "schema": "npusim-golden/2",
        "network": net,
        "arch": arch,
        "energy_table": report["energy_table"],
        "totals": {k: report["totals"][k] for k in TOTAL_KEYS},
        "layers": [{k: l[k] for k in LAYER_KEYS} for l in report["layers"]],
    }


def path_of(pair):
    return os.path.join(GOLDEN_DIR, pair + ".json")


def moved(old, new):
    """Values that differ between two goldens (for the update summary)."""
    n = sum(old["totals"].get(k) != v for k, v in new["totals"].items())
    if [l["name"] for l in old["layers"]] != [l["name"] for l in new["layers"]]:
        return "layers changed"
    return n + sum(lo[k] != ln[k] for lo, ln in zip(old["layers"], new["layers"]) for k in LAYER_KEYS[1:])


def pct(old, new):
    return f"{100.0 * (new - old) / old:+.3f}%" if old else ("=" if new == old else "new")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=["check", "update"], help="check: compare with the goldens; update: rewrite them")
    ap.add_argument("--npusim", default=os.path.join(ROOT, "build", "npusim"), help="the npusim binary (default build/npusim)")
    ap.add_argument("--only", help="one golden, NET@ARCH (e.g. hardnet68@edge-32x32)")
    ap.add_argument("--rtol", type=float, default=0.0, help="relative tolerance of check (default 0: exact)")
    args = ap.parse_args()
    failed = 0
    rows = []
    for pair in pairs(args.only):
        with tempfile.TemporaryDirectory() as out:
            report = run(args.npusim, pair, out)
            if args.mode == "check":
                if not os.path.exists(path_of(pair)):
                    print(f"FAIL {pair}: no golden {path_of(pair)} (run scripts/update-goldens)")
                    failed += 1
                    continue
                p = subprocess.run([args.npusim, "compare", path_of(pair), out, "--tolerance", str(args.rtol)],
                                   capture_output=True, text=True)
                if p.returncode == 0:
                    print(f"ok   {pair}: {len(report['layers'])} layers match")
                else:
                    failed += 1
                    print(f"FAIL {pair} (npusim compare exit {p.returncode}):\n{p.stdout}{p.stderr}")
                continue
        new = golden_of(pair, report)
        old = None
        if os.path.exists(path_of(pair)):
            with open(path_of(pair)) as f:
                old = json.load(f)
            if old.get("schema") != "npusim-golden/2":  # the first format: lists per layer
                old["layers"] = [dict(zip(LAYER_KEYS, l)) for l in old["layers"]]
        with open(path_of(pair), "w") as f:
            json.dump(new, f, indent=1)
            f.write("\n")
        o = old["totals"] if old else {k: 0 for k in TOTAL_KEYS}
        n = new["totals"]
        rows.append((pair, pct(o["cycles"], n["cycles"]),
                     pct(o["dram_read_bytes"] + o["dram_write_bytes"], n["dram_read_bytes"] + n["dram_write_bytes"]),
                     pct(o["energy_pj"], n["energy_pj"]), "new" if old is None else moved(old, new)))
    if args.mode == "update":
        print(f"{'golden':<28} {'cycles':>10} {'DRAM bytes':>11} {'energy':>10} {'values moved':>13}")
        for r in rows:
            print(f"{r[0]:<28} {r[1]:>10} {r[2]:>11} {r[3]:>10} {r[4]:>13}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
