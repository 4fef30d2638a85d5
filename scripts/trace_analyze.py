#!/usr/bin/python3
"""Readers and summaries of npusim's traces (npusim run --trace ..., docs/traces.md).

  trace_analyze.py dram-cmd FILE [--tck-ns T] [--burst-bytes B] [--bin-us U] [--png OUT]
      per-bank row-hit rates and bandwidth over time from a command trace (CSV or binary,
      plain or .gz); tCK and burst bytes come from the trace-info.json npusim writes beside
      the trace (the flags override it; without either, the script refuses rather than guess)
  trace_analyze.py dram-req FILE [--tck-ns T] [--burst-bytes B] [--bin-us U] [--png OUT]
      requested bandwidth over time and the read/write mix from a DRAMsim3-format request trace
  trace_analyze.py timeline FILE [--bin-us U] [--top N] [--png OUT] [--check]
      PE utilization and DRAM bandwidth over time, the longest intervals the PE array and
      vector unit sat idle (and in which layer); --check verifies the span nesting (every
      tile span inside its layer's span, every DMA span inside its tile's load or store span)
      and exits 1 if it does not hold (with --png, the plot is written as well)
"""
import argparse
import gzip
import json
import os
import struct
import sys
from collections import defaultdict

CMDS = ["ACT", "PRE", "RD", "WR", "REF"]


def opener(path):
    with open(path, "rb") as f:
        magic = f.read(2)
    return gzip.open(path, "rb") if magic == b"\x1f\x8b" else open(path, "rb")


def read_commands(path):
    """Yields (cycle, channel, rank, bank_group, bank, row, column, command)."""
    with opener(path) as f:
        head = f.read(8)
        if head == b"NPUDCMD1":
            while True:
                rec = f.read(24)
                if not rec:
                    return
                if len(rec) != 24:
                    sys.exit(f"{path}: truncated record")
                cycle, row, col, cmd, ch, rank, bg, bank, _ = struct.unpack("<QIIBBBBHH", rec)
                yield cycle, ch, rank, bg, bank, row, col, CMDS[cmd]
        else:
            rest = head + f.read()
            lines = rest.decode().splitlines()
            if not lines or not lines[0].startswith("cycle,"):
                sys.exit(f"{path}: not a command trace (no CSV header, no binary magic)")
            for line in lines[1:]:
                c = line.split(",")
                yield int(c[0]), int(c[1]), int(c[2]), int(c[3]), int(c[4]), int(c[5]), int(c[6]), c[7]


def plot(png, series, title):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(len(series), 1, figsize=(10, 2.8 * len(series)), squeeze=False)
    for ax, (xs, ys, label, kind) in zip(axes[:, 0], series):
        if kind == "bar":
            ax.bar(range(len(ys)), ys)
            ax.set_xticks(range(len(xs)))
            ax.set_xticklabels(xs, rotation=90, fontsize=6)
        else:
            ax.step(xs, ys, where="post")
            ax.set_xlabel("time (us)")
        ax.set_ylabel(label)
    axes[0][0].set_title(title)
    fig.tight_layout()
    fig.savefig(png, dpi=110)
    print(f"wrote {png}")


def cmd_dram_cmd(a):
    per_bank = defaultdict(lambda: [0, 0])  # ACT, RD+WR
    bins = defaultdict(int)
    counts = defaultdict(int)
    bin_cycles = a.bin_us * 1000 / a.tck_ns
    for cycle, ch, rank, bg, bank, row, col, cmd in read_commands(a.file):
        counts[cmd] += 1
        key = f"ch{ch}.r{rank}.bg{bg}.b{bank}"
        if cmd == "ACT":
            per_bank[key][0] += 1
        elif cmd in ("RD", "WR"):
            per_bank[key][1] += 1
            bins[int(cycle // bin_cycles)] += a.burst_bytes
    print("commands: " + ", ".join(f"{c} {counts[c]}" for c in CMDS))
    print(f"{'bank':<18} {'accesses':>9} {'activates':>9} {'row-hit rate':>12}")
    rates = []
    for key in sorted(per_bank):
        acts, acc = per_bank[key]
        rate = 1 - acts / acc if acc else 0.0
        rates.append((key, rate))
        print(f"{key:<18} {acc:>9} {acts:>9} {rate:>12.3f}")
    total_acc = sum(v[1] for v in per_bank.values())
    total_act = sum(v[0] for v in per_bank.values())
    print(f"overall row-hit rate {1 - total_act / total_acc if total_acc else 0:.3f} "
          "(accesses that needed no activate; counts every ACT against the accesses of its bank)")
    if a.png:
        xs = [b * a.bin_us for b in range(max(bins) + 1)] if bins else [0]
        gbps = [bins.get(b, 0) / (a.bin_us * 1000) for b in range(len(xs))]
        plot(a.png, [(xs, gbps, "GB/s", "step"), ([k for k, _ in rates], [r for _, r in rates], "row-hit rate", "bar")],
             a.file)


def cmd_dram_req(a):
    bins = defaultdict(int)
    reads = writes = 0
    bin_cycles = a.bin_us * 1000 / a.tck_ns
    with opener(a.file) as f:
        for n, line in enumerate(f.read().decode().splitlines(), 1):
            p = line.split()
            if not p or p[0].startswith("#"):
                continue
            if len(p) != 3:
                sys.exit(f"{a.file}:{n}: expected '<hex addr> READ|WRITE <cycle>'")
            reads += p[1] == "READ"
            writes += p[1] == "WRITE"
            bins[int(int(p[2]) // bin_cycles)] += a.burst_bytes
    total = (reads + writes) * a.burst_bytes
    print(f"{reads} reads, {writes} writes, {total} bytes requested")
    if bins:
        peak = max(bins.values()) / (a.bin_us * 1000)
        print(f"peak requested bandwidth {peak:.2f} GB/s over {a.bin_us} us bins")
    if a.png and bins:
        xs = [b * a.bin_us for b in range(max(bins) + 1)]
        plot(a.png, [(xs, [bins.get(b, 0) / (a.bin_us * 1000) for b in range(len(xs))], "requested GB/s", "step")],
             a.file)


def load_timeline(path):
    with opener(path) as f:
        return json.load(f)["traceEvents"]


def check_nesting(events):
    events = list(events)
    layers, tiles, dmas = {}, defaultdict(dict), []
    for e in events:
        if e.get("ph") != "X" or e.get("pid") != 1:
            continue
        b, d = float(e["ts"]), float(e["dur"])
        span = (b, b + d)
        args = e.get("args", {})
        if e["tid"] == 1:
            layers[args["layer"]] = span
        elif e["tid"] in (2, 3, 4, 5):
            tiles[(args["layer"], args["tile"])][e["name"]] = span
        elif e["tid"] // 100 in (6, 7):  # DMA lanes: 600 + lane (read), 700 + lane (write)
            dmas.append((args["layer"], args["tile"], e["tid"] // 100, span))
    eps = 1e-6
    bad = []
    inside = lambda s, p: s[0] >= p[0] - eps and s[1] <= p[1] + eps
    # Spans of one track are disjoint or nested, never partly overlapping (Perfetto's rule).
    by_track = defaultdict(list)
    for e in events:
        if e.get("ph") == "X":
            by_track[(e.get("pid"), e.get("tid"))].append((float(e["ts"]), float(e["ts"]) + float(e["dur"])))
    for track, spans in by_track.items():
        spans.sort(key=lambda x: (x[0], -x[1]))
        stack = []
        for s0, s1 in spans:
            while stack and stack[-1] <= s0 + eps:
                stack.pop()
            if stack and s1 > stack[-1] + eps:
                bad.append(f"track {track}: a span [{s0}, {s1}] partly overlaps one ending at {stack[-1]}")
                break
            stack.append(s1)
    for (layer, tile), phases in tiles.items():
        for name, s in phases.items():
            if layer not in layers or not inside(s, layers[layer]):
                bad.append(f"tile {tile} {name} of layer {layer} is outside its layer")
    for layer, tile, tid, s in dmas:
        parent = tiles.get((layer, tile), {}).get("load" if tid == 6 else "store")
        if parent is None or not inside(s, parent):
            bad.append(f"a DMA span of layer {layer} tile {tile} is outside its tile's {'load' if tid == 6 else 'store'}")
    return len(layers), sum(len(p) for p in tiles.values()), len(dmas), bad


def cmd_timeline(a):
    events = load_timeline(a.file)
    if a.check:
        nl, nt, nd, bad = check_nesting(events)
        print(f"{nl} layer spans, {nt} tile spans, {nd} DMA spans; {len(bad)} nesting violations")
        for b in bad[:20]:
            print("  " + b)
        if bad or nl == 0 or not a.png:
            sys.exit(1 if bad or nl == 0 else 0)
    layers = sorted((float(e["ts"]), float(e["ts"]) + float(e["dur"]), e["name"]) for e in events
                    if e.get("ph") == "X" and e.get("tid") == 1 and e.get("pid") == 1)
    compute = sorted((float(e["ts"]), float(e["ts"]) + float(e["dur"])) for e in events
                     if e.get("ph") == "X" and e.get("pid") == 1 and e.get("tid") in (3, 4))
    util = [(float(e["ts"]), e["args"]["value"]) for e in events if e.get("ph") == "C" and e["name"] == "pe_utilization"]
    bw = [(float(e["ts"]), e["args"]["value"]) for e in events if e.get("ph") == "C" and e["name"] == "dram_gbps"]
    gaps = []
    for (b0, e0), (b1, e1) in zip(compute, compute[1:]):
        if b1 > e0:
            gaps.append((b1 - e0, e0, b1))
    gaps.sort(reverse=True)

    def layer_at(t):
        for b, e, name in layers:
            if b <= t < e:
                return name
        return "-"
    end = layers[-1][1] if layers else 0
    busy = sum(e - b for b, e in compute)
    print(f"{len(layers)} layers, {len(compute)} compute steps over {end:.3f} us; compute busy {busy / end:.1%}"
          if end else "no layers in the timeline")
    print(f"longest idle intervals of the PE array / vector unit (top {a.top}):")
    for g, b, e in gaps[:a.top]:
        print(f"  {g:10.3f} us  from {b:.3f} to {e:.3f} us  in {layer_at(b)}")
    if a.png and util:
        util.sort()
        # Time-weighted mean utilization per bin (the counter steps at every compute step).
        nbins = int(end // a.bin_us) + 1
        acc = [0.0] * nbins
        for (t0, v), (t1, _) in zip(util, util[1:] + [(end, 0)]):
            t = t0
            while t < t1:
                b = int(t // a.bin_us)
                nxt = min(t1, (b + 1) * a.bin_us)
                if b < nbins:
                    acc[b] += v * (nxt - t)
                t = nxt
        xs = [b * a.bin_us for b in range(nbins)]
        plot(a.png, [(xs, [x / a.bin_us for x in acc], f"PE utilization ({a.bin_us} us mean)", "step"),
                     ([t for t, _ in bw] or [0], [v for _, v in bw] or [0], "DRAM GB/s", "step")], a.file)


def dram_parameters(a):
    """tCK and burst bytes: the flags, else trace-info.json beside the trace."""
    info_path = os.path.join(os.path.dirname(os.path.abspath(a.file)), "trace-info.json")
    info = {}
    if os.path.exists(info_path):
        with open(info_path) as f:
            info = json.load(f)
    if a.tck_ns is None:
        a.tck_ns = info.get("tck_ns")
    if a.burst_bytes is None:
        a.burst_bytes = info.get("burst_bytes")
    if a.tck_ns is None or a.burst_bytes is None:
        sys.exit(f"trace_analyze.py: {a.file}: no trace-info.json beside it; give --tck-ns and --burst-bytes "
                 "(the DRAM the trace came from)")
    if info:
        print(f"DRAM {info.get('standard', '?')}: tCK {a.tck_ns:.4f} ns, {a.burst_bytes}-byte bursts "
              f"(from {info_path})", file=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="kind", required=True)
    for name in ("dram-cmd", "dram-req"):
        p = sub.add_parser(name, help=f"summarise a {name} trace (.csv, .bin or .trace, optionally .gz)")
        p.add_argument("file", help="the trace file (trace-info.json beside it gives tCK and burst size)")
        p.add_argument("--tck-ns", type=float, help="DRAM clock period (default: trace-info.json)")
        p.add_argument("--burst-bytes", type=int, help="bytes per burst (default: trace-info.json)")
        p.add_argument("--bin-us", type=float, default=10.0, help="bandwidth bin width in microseconds (default 10)")
        p.add_argument("--png", help="also plot bandwidth over time (and row-hit rates) to this PNG")
    p = sub.add_parser("timeline", help="summarise a Perfetto timeline.json(.gz)")
    p.add_argument("file", help="the timeline.json or timeline.json.gz of a run")
    p.add_argument("--bin-us", type=float, default=10.0, help="utilisation bin width in microseconds (default 10)")
    p.add_argument("--top", type=int, default=10, help="how many of the longest idle intervals to list (default 10)")
    p.add_argument("--png", help="also plot PE utilisation and DRAM bandwidth over time to this PNG")
    p.add_argument("--check", action="store_true", help="verify span nesting and that no slices overlap on a track (exit 1 if not)")
    a = ap.parse_args()
    if a.kind in ("dram-cmd", "dram-req"):
        dram_parameters(a)
    {"dram-cmd": cmd_dram_cmd, "dram-req": cmd_dram_req, "timeline": cmd_timeline}[a.kind](a)


if __name__ == "__main__":
    main()
