#!/usr/bin/env python3
"""Energy and performance regression against the goldens in tests/golden/.

  golden.py check  [--only NET@ARCH] [--rtol X]   rerun and compare (exit 1 on a difference)
  golden.py update [--only NET@ARCH]              rerun, rewrite the goldens, print what moved

Each golden holds, for one network on one architecture preset, the totals and the per-layer
cycles, DRAM bytes read and written, and energy of `npusim run --json`. The simulator is
deterministic, so the default tolerance is exact; --rtol sets a relative tolerance for the
energy figures only (integers are always compared exactly).
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
TOTAL_KEYS = ["cycles", "macs", "dram_read_bytes", "dram_write_bytes", "energy_pj"]
LAYER_KEYS = ["cycles", "dram_read_bytes", "dram_write_bytes", "energy_pj"]


def pairs(only):
    all_pairs = [f"{n}@{a}" for n in NETWORKS for a in ARCHS]
    if only:
        if only not in all_pairs:
            sys.exit(f"golden.py: --only '{only}': expected one of {', '.join(all_pairs)}")
        return [only]
    return all_pairs


def measure(npusim, pair):
    net, arch = pair.split("@")
    with tempfile.TemporaryDirectory() as out:
        p = subprocess.run([npusim, "run", "--net", net, "--arch", arch, "--json", "--quiet", "--out", out],
                           capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"golden.py: npusim run --net {net} --arch {arch} failed ({p.returncode}): {p.stderr.strip()}")
    r = json.loads(p.stdout)
    return {
        "network": net,
        "arch": arch,
        "energy_table": r["energy_table"],
        "totals": {k: r["totals"][k] for k in TOTAL_KEYS},
        "energy_breakdown_pj": r["totals"]["energy_breakdown_pj"],
        "layers": [[l["name"]] + [l[k] for k in LAYER_KEYS] for l in r["layers"]],
    }


def path_of(pair):
    return os.path.join(GOLDEN_DIR, pair + ".json")


def same(a, b, rtol):
    if isinstance(a, float) or isinstance(b, float):
        return abs(a - b) <= rtol * max(abs(a), abs(b)) if rtol > 0 else a == b
    return a == b


def differences(old, new, rtol):
    diffs = []
    for k in TOTAL_KEYS:
        if not same(old["totals"][k], new["totals"][k], rtol):
            diffs.append(f"totals.{k}: {old['totals'][k]} -> {new['totals'][k]}")
    if [l[0] for l in old["layers"]] != [l[0] for l in new["layers"]]:
        diffs.append("the layers differ (names or count)")
        return diffs
    for lo, ln in zip(old["layers"], new["layers"]):
        for i, k in enumerate(LAYER_KEYS, start=1):
            if not same(lo[i], ln[i], rtol):
                diffs.append(f"layer {lo[0]}.{k}: {lo[i]} -> {ln[i]}")
    return diffs


def pct(old, new):
    return f"{100.0 * (new - old) / old:+.3f}%" if old else ("=" if new == old else "new")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["check", "update"])
    ap.add_argument("--npusim", default=os.path.join(ROOT, "build", "npusim"))
    ap.add_argument("--only")
    ap.add_argument("--rtol", type=float, default=0.0)
    args = ap.parse_args()
    failed = 0
    rows = []
    for pair in pairs(args.only):
        new = measure(args.npusim, pair)
        old = None
        if os.path.exists(path_of(pair)):
            with open(path_of(pair)) as f:
                old = json.load(f)
        if args.mode == "check":
            if old is None:
                print(f"FAIL {pair}: no golden {path_of(pair)} (run scripts/update-goldens)")
                failed += 1
                continue
            d = differences(old, new, args.rtol)
            if d:
                failed += 1
                print(f"FAIL {pair}: {len(d)} difference(s)")
                for line in d[:20]:
                    print("  " + line)
            else:
                print(f"ok   {pair}: {len(new['layers'])} layers match")
        else:
            with open(path_of(pair), "w") as f:
                json.dump(new, f, indent=1)
                f.write("\n")
            moved = "new" if old is None else len(differences(old, new, 0.0))
            o = old["totals"] if old else {k: 0 for k in TOTAL_KEYS}
            n = new["totals"]
            rows.append((pair, pct(o["cycles"], n["cycles"]),
                         pct(o["dram_read_bytes"] + o["dram_write_bytes"], n["dram_read_bytes"] + n["dram_write_bytes"]),
                         pct(o["energy_pj"], n["energy_pj"]), moved))
    if args.mode == "update":
        print(f"{'golden':<28} {'cycles':>10} {'DRAM bytes':>11} {'energy':>10} {'values moved':>13}")
        for r in rows:
            print(f"{r[0]:<28} {r[1]:>10} {r[2]:>11} {r[3]:>10} {r[4]:>13}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
