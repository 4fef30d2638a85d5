#!/usr/bin/python3
"""Plots of a sweep's results (npusim sweep ... --out DIR): the Pareto front of energy per
inference against latency, and the sensitivity of each metric to each varied field.

  scripts/sweep_plot.py DIR            writes DIR/pareto.png, DIR/sensitivity.png, prints the front
  scripts/sweep_plot.py DIR --net N    only the points of network N

Needs matplotlib (Debian python3-matplotlib, installed by scripts/setup.sh).
"""
import argparse
import csv
import os
import sys
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

METRICS = ["time_ns", "energy_per_inference_mj", "dram_bytes", "pe_utilization", "average_power_w"]
NOT_FIELDS = {"id", "status", "error", "cycles", "fps", "macs", "cio_bytes", "sram_kib", "pes"} | set(METRICS)


def load(path, net):
    with open(os.path.join(path, "results.csv")) as f:
        rows = [r for r in csv.DictReader(f) if r["status"] == "ok"]
    if net:
        rows = [r for r in rows if r.get("net") == net]
    if not rows:
        sys.exit(f"sweep_plot.py: no successful points in {path}/results.csv")
    return rows


def pareto(rows):
    """Points no other point beats on both latency and energy."""
    pts = sorted(rows, key=lambda r: (float(r["time_ns"]), float(r["energy_per_inference_mj"])))
    front, best = [], float("inf")
    for r in pts:
        e = float(r["energy_per_inference_mj"])
        if e < best:
            front.append(r)
            best = e
    return front


def fields_of(rows):
    """The varied fields; of fields varied together (pe.rows with pe.cols), the first."""
    fields, seen = [], set()
    for k in rows[0].keys():
        if k in NOT_FIELDS or len({r[k] for r in rows}) < 2:
            continue
        order = {}
        signature = tuple(order.setdefault(r[k], len(order)) for r in rows)
        if signature not in seen:
            seen.add(signature)
            fields.append(k)
    return fields


def label(r, fields):
    return ", ".join(f"{k}={r[k]}" for k in fields)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--net")
    args = ap.parse_args()
    rows = load(args.dir, args.net)
    fields = fields_of(rows)
    front = pareto(rows)

    fig, ax = plt.subplots(figsize=(7, 5))
    color_by = fields[0] if fields else None
    groups = defaultdict(list)
    for r in rows:
        groups[r[color_by] if color_by else "all"].append(r)
    for key, rs in sorted(groups.items(), key=lambda kv: kv[0]):
        ax.scatter([float(r["time_ns"]) / 1e6 for r in rs], [float(r["energy_per_inference_mj"]) for r in rs],
                   label=f"{color_by}={key}" if color_by else key, s=18)
    ax.plot([float(r["time_ns"]) / 1e6 for r in front], [float(r["energy_per_inference_mj"]) for r in front],
            "k--", lw=1, label="Pareto front")
    ax.set_xlabel("latency per batch (ms)")
    ax.set_ylabel("energy per inference (mJ)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_title(f"{len(rows)} points" + (f", {args.net}" if args.net else ""))
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(os.path.join(args.dir, "pareto.png"), dpi=120)

    if fields:
        fig, axes = plt.subplots(1, len(fields), figsize=(4 * len(fields), 3.6), squeeze=False)
        for ax, fld in zip(axes[0], fields):
            values = sorted({r[fld] for r in rows}, key=lambda v: (float(v) if v.replace(".", "", 1).isdigit() else v))
            for m in METRICS:
                means = []
                for v in values:
                    sel = [float(r[m]) for r in rows if r[fld] == v]
                    means.append(sum(sel) / len(sel))
                base = means[0] if means[0] else 1.0
                ax.plot(range(len(values)), [x / base for x in means], marker="o", label=m)
            ax.set_xticks(range(len(values)))
            ax.set_xticklabels(values, rotation=30, fontsize=7)
            ax.set_title(fld, fontsize=9)
            ax.set_ylabel("mean, relative to the first value")
        axes[0][0].legend(fontsize=6)
        fig.tight_layout()
        fig.savefig(os.path.join(args.dir, "sensitivity.png"), dpi=120)

    print(f"{len(front)} Pareto-optimal points of {len(rows)} (latency, energy per inference):")
    for r in front:
        print(f"  {float(r['time_ns']) / 1e6:9.3f} ms  {float(r['energy_per_inference_mj']):8.3f} mJ  {label(r, fields)}")
    print(f"wrote {args.dir}/pareto.png" + (f" and {args.dir}/sensitivity.png" if fields else ""))


if __name__ == "__main__":
    main()
