#!/usr/bin/python3
"""Plots of a sweep's results (npusim sweep ... --out DIR): the Pareto front of energy per
inference against latency, and the sensitivity of each metric to each varied field.

  scripts/sweep_plot.py DIR            writes DIR/pareto.png (a panel and a front per network),
                                       DIR/sensitivity.png (fields varied together as one panel),
                                       prints each network's front
  scripts/sweep_plot.py DIR --net N    only network N: DIR/pareto-N.png, DIR/sensitivity-N.png

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
NOT_FIELDS = {"id", "status", "error", "cycles", "fps", "macs", "cio_bytes", "sram_kib", "pes", "latency_ns", "balance",
              "contexts"} | set(METRICS)


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
    """The varied fields, fields varied together (pe.rows with pe.cols) as one group."""
    groups, by_signature = [], {}
    for k in rows[0].keys():
        if k in NOT_FIELDS or k == "net" or len({r[k] for r in rows}) < 2:
            continue
        order = {}
        signature = tuple(order.setdefault(r[k], len(order)) for r in rows)
        if signature in by_signature:
            by_signature[signature].append(k)
        else:
            by_signature[signature] = [k]
            groups.append(by_signature[signature])
    return groups


def value(r, group):
    return "/".join(r[k] for k in group)


def name(group):
    return " + ".join(group)


def label(r, groups):
    return ", ".join(f"{name(g)}={value(r, g)}" for g in groups)


def sort_key(v):
    first = v.split("/")[0]
    try:
        return (0, float(first), v)
    except ValueError:
        return (1, 0.0, v)


def readable_axes(ax, xs, ys):
    """Log scale only where a range spans more than a decade; plain numbers on the ticks."""
    from matplotlib.ticker import ScalarFormatter
    for values, axis, set_scale in ((xs, ax.xaxis, ax.set_xscale), (ys, ax.yaxis, ax.set_yscale)):
        lo, hi = min(values), max(values)
        if lo > 0 and hi / lo > 10:
            set_scale("log")
        fmt = ScalarFormatter()
        fmt.set_scientific(False)
        fmt.set_useOffset(False)
        axis.set_major_formatter(fmt)
        axis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    ax.tick_params(labelsize=7)


def main():
    ap = argparse.ArgumentParser(description="Pareto front per network and sensitivities of a sweep's results.")
    ap.add_argument("dir", help="the sweep's --out folder (with results.csv)")
    ap.add_argument("--net", help="only this network's points (writes pareto-NET.png, sensitivity-NET.png)")
    args = ap.parse_args()
    rows = load(args.dir, args.net)
    groups = fields_of(rows)
    nets = sorted({r.get("net", "") for r in rows})
    suffix = f"-{args.net}" if args.net else ""

    # One panel per network: a Pareto front only compares points of one network.
    cols = min(3, len(nets))
    fig, axes = plt.subplots((len(nets) + cols - 1) // cols, cols, figsize=(5.5 * cols, 4.2 * ((len(nets) + cols - 1) // cols)),
                             squeeze=False)
    color_by = groups[0] if groups else None
    fronts = {}
    for ax, net in zip(axes.flat, nets):
        rs_net = [r for r in rows if r.get("net", "") == net]
        fronts[net] = pareto(rs_net)
        by = defaultdict(list)
        for r in rs_net:
            by[value(r, color_by) if color_by else "all"].append(r)
        for key, rs in sorted(by.items(), key=lambda kv: sort_key(kv[0])):
            ax.scatter([float(r["time_ns"]) / 1e6 for r in rs], [float(r["energy_per_inference_mj"]) for r in rs],
                       label=f"{name(color_by)}={key}" if color_by else key, s=18)
        f = fronts[net]
        ax.plot([float(r["time_ns"]) / 1e6 for r in f], [float(r["energy_per_inference_mj"]) for r in f],
                "k--", lw=1, label="Pareto front")
        ax.set_xlabel("latency per batch (ms)")
        ax.set_ylabel("energy per inference (mJ)")
        readable_axes(ax, [float(r["time_ns"]) / 1e6 for r in rs_net], [float(r["energy_per_inference_mj"]) for r in rs_net])
        ax.set_title(f"{os.path.basename(net) or 'network'}: {len(rs_net)} points", fontsize=9)
        ax.legend(fontsize=6)
    for ax in list(axes.flat)[len(nets):]:
        ax.axis("off")
    fig.tight_layout()
    fig.savefig(os.path.join(args.dir, f"pareto{suffix}.png"), dpi=120)

    if groups:
        # Each metric relative to its network's mean, averaged over the points with a value.
        means = {(net, m): sum(float(r[m]) for r in rows if r.get("net", "") == net) /
                 max(1, sum(1 for r in rows if r.get("net", "") == net)) for net in nets for m in METRICS}
        fig, axes = plt.subplots(1, len(groups), figsize=(4.5 * len(groups), 3.8), squeeze=False)
        for ax, g in zip(axes[0], groups):
            values = sorted({value(r, g) for r in rows}, key=sort_key)
            for m in METRICS:
                ys = []
                for v in values:
                    sel = [float(r[m]) / (means[(r.get("net", ""), m)] or 1.0) for r in rows if value(r, g) == v]
                    ys.append(sum(sel) / len(sel))
                ax.plot(range(len(values)), ys, marker="o", label=m)
            ax.set_xticks(range(len(values)))
            ax.set_xticklabels(values, rotation=30, ha="right", fontsize=7)
            ax.set_title(name(g), fontsize=9)
            ax.set_ylabel("mean / network mean")
        axes[0][0].legend(fontsize=6)
        fig.tight_layout()
        fig.savefig(os.path.join(args.dir, f"sensitivity{suffix}.png"), dpi=120)

    for net in nets:
        front = fronts[net]
        print(f"{net}: {len(front)} Pareto-optimal points (latency, energy per inference):")
        for r in front:
            print(f"  {float(r['time_ns']) / 1e6:9.3f} ms  {float(r['energy_per_inference_mj']):8.3f} mJ  {label(r, groups)}")
    print(f"wrote {args.dir}/pareto{suffix}.png" + (f" and {args.dir}/sensitivity{suffix}.png" if groups else ""))


if __name__ == "__main__":
    main()
