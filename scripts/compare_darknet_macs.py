#!/usr/bin/env python3
"""Compares npusim's import of darknet .cfg files with darknet's own count, conv by conv.

    scripts/compare_darknet_macs.py DARKNET CFG...     (NPUSIM=build/npusim by default)

DARKNET is a darknet binary (AlexeyAB/darknet built in a scratch folder: `make GPU=0
OPENCV=0`); it parses each cfg (`detector test` with a missing weights file: it prints every
layer, then stops) and its conv lines give filters, kernel, groups and shapes, hence exact
MACs. Prints one line per cfg: the conv counts and MAC totals of both, and the convs that
differ (by section index). Exit 1 if any cfg differs or fails to import.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

CONV = re.compile(r"\s*(\d+)\s+conv\s+(\d+)(?:/\s*(\d+))?\s+(\d+)\s*x\s*(\d+)/\s*(\d+)\s+(\d+)\s*x\s*(\d+)\s*x\s*(\d+)"
                  r"\s*->\s*(\d+)\s*x\s*(\d+)\s*x\s*(\d+)")


def darknet_convs(darknet, cfg, scratch):
    names = os.path.join(scratch, "names")
    data = os.path.join(scratch, "x.data")
    with open(names, "w") as f:
        f.write("a\n")
    with open(data, "w") as f:
        f.write(f"classes=80\nnames={names}\n")
    p = subprocess.run([darknet, "detector", "test", data, os.path.abspath(cfg), "/nonexistent.weights"],
                       capture_output=True, text=True, timeout=600, cwd=os.path.dirname(darknet) or ".")
    convs = {}
    for line in (p.stdout + p.stderr).splitlines():
        m = CONV.match(line)
        if m:
            i, _, g, k1, k2, _, _, _, c, ow, oh, oc = m.groups()
            convs[int(i)] = int(ow) * int(oh) * int(oc) * int(k1) * int(k2) * (int(c) // (int(g) if g else 1))
    return convs


def npusim_convs(npusim, cfg):
    p = subprocess.run([npusim, "info", "--net", cfg, "--json"], capture_output=True, text=True)
    if p.returncode != 0:
        return None, p.stderr.strip().splitlines()[-1]
    layers = json.loads(p.stdout)["layers"]
    return {int(l["name"].split("_")[0]): l["macs"] for l in layers
            if l["type"] == "conv" and l["name"].split("_")[0].isdigit()}, ""


def main():
    if len(sys.argv) < 3 or sys.argv[1] in ("-h", "--help"):
        print(__doc__)
        return 0 if len(sys.argv) > 1 else 2
    darknet, cfgs = sys.argv[1], sys.argv[2:]
    npusim = os.environ.get("NPUSIM", "build/npusim")
    bad = 0
    with tempfile.TemporaryDirectory() as scratch:
        for cfg in cfgs:
            ours, error = npusim_convs(npusim, cfg)
            if ours is None:
                print(f"{os.path.basename(cfg)}: npusim: {error}")
                bad += 1
                continue
            dk = darknet_convs(darknet, cfg, scratch)
            diff = [(i, dk.get(i), ours.get(i)) for i in sorted(set(dk) | set(ours)) if dk.get(i) != ours.get(i)]
            print(f"{os.path.basename(cfg)}: darknet {len(dk)} convs {sum(dk.values())} MACs, npusim {len(ours)} convs "
                  f"{sum(ours.values())}; {len(diff)} differ {diff[:3]}")
            bad += bool(diff)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
