#!/usr/bin/python3
"""The experiments that test HarDNet's and CSPNet's claims on simulated hardware.

  scripts/experiments/run_all.sh [--jobs N]

Runs every simulation from scratch (through `npusim sweep`, in runs/experiments/; --resume
keeps the points a previous, interrupted run finished — only safe with the same build), then
writes every number and plot of docs/results/: tables.md, summary.json and the PNGs.
docs/RESULTS.md discusses them.
"""
import argparse
import json
import math
import os
import shutil
import statistics
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NPUSIM = os.path.join(ROOT, "build", "npusim")
WORK = os.path.join(ROOT, "runs", "experiments")
OUT = os.path.join(ROOT, "docs", "results")

ZOO = ["hardnet39ds", "hardnet68", "hardnet68ds", "hardnet85", "cspresnext50", "resnext50_darknet",
       "cspdarknet53", "darknet53", "peleenet", "csppeleenet", "resnet18", "resnet50", "resnet101",
       "resnext50_32x4d", "densenet121", "densenet201", "mobilenet_v2", "vgg16"]
KINDS = ["input", "weight", "output", "psum", "spill"]

tables = []   # markdown sections of tables.md
summary = {}  # machine-readable numbers


# ---------------------------------------------------------------- running and reading

def sweep(name, spec, jobs):
    """Runs a sweep spec; returns [(settings, report)] of its points, in point order."""
    os.makedirs(WORK, exist_ok=True)
    path = os.path.join(WORK, name + ".json")
    spec = dict(spec, name=name)
    with open(path, "w") as f:
        json.dump(spec, f, indent=1)
    out = os.path.join(WORK, name)
    p = subprocess.run([NPUSIM, "sweep", path, "--jobs", str(jobs), "--out", out, "--quiet"])
    if p.returncode != 0:
        sys.exit(f"run_all.py: sweep {name} failed (see {out}/results.jsonl)")
    points = []
    with open(os.path.join(out, "results.jsonl")) as f:
        lines = {}
        for line in f:
            r = json.loads(line)
            if r["status"] == "ok":
                lines[r["id"]] = r
    for r in sorted(lines.values(), key=lambda r: r["index"]):
        with open(os.path.join(out, "points", r["id"], "report.json")) as f:
            points.append((r["settings"], json.load(f)))
    print(f"  {name}: {len(points)} points", file=sys.stderr)
    return points


_info_cache = {}


def info(net):
    """`npusim info --json`: per-layer MACs, input and output elements, CIO."""
    if net not in _info_cache:
        p = subprocess.run([NPUSIM, "info", "--net", net, "--json"], capture_output=True, text=True, check=True)
        _info_cache[net] = json.loads(p.stdout)
    return _info_cache[net]


def traffic(report, conv_only=False, activations=True):
    """DRAM bytes of a run: activations only (inputs, outputs, partial sums, spills) or all."""
    total = 0
    for l in report["layers"]:
        if conv_only and l["type"] != "conv":
            continue
        for k in KINDS:
            if activations and k == "weight":
                continue
            total += l[f"dram_{k}_read_bytes"] + l[f"dram_{k}_write_bytes"]
    return total


# ---------------------------------------------------------------- statistics

def pearson(x, y):
    mx, my = statistics.fmean(x), statistics.fmean(y)
    sxy = sum((a - mx) * (b - my) for a, b in zip(x, y))
    sxx = sum((a - mx) ** 2 for a in x)
    syy = sum((b - my) ** 2 for b in y)
    return sxy / math.sqrt(sxx * syy) if sxx and syy else float("nan")


def ranks(v):
    order = sorted(range(len(v)), key=lambda i: v[i])
    r = [0.0] * len(v)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and v[order[j + 1]] == v[order[i]]:
            j += 1
        for k in range(i, j + 1):
            r[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return r


def spearman(x, y):
    return pearson(ranks(x), ranks(y))


def fit(x, y):
    """Least squares y = a x + b: (a, b, R^2)."""
    mx, my = statistics.fmean(x), statistics.fmean(y)
    sxx = sum((a - mx) ** 2 for a in x)
    a = sum((p - mx) * (q - my) for p, q in zip(x, y)) / sxx
    b = my - a * mx
    ss_res = sum((q - (a * p + b)) ** 2 for p, q in zip(x, y))
    ss_tot = sum((q - my) ** 2 for q in y)
    return a, b, 1 - ss_res / ss_tot


def md_table(header, rows):
    out = "| " + " | ".join(header) + " |\n|" + "---|" * len(header) + "\n"
    for r in rows:
        out += "| " + " | ".join(str(c) for c in r) + " |\n"
    return out


def pct(new, old):
    return f"{100.0 * (new - old) / old:+.1f}%"


# ---------------------------------------------------------------- 1. CIO vs DRAM traffic

def exp_cio(jobs):
    pts = sweep("cio", {"base": "edge-32x32", "networks": ZOO,
                        "axes": [{"field": "sram.global_kib", "values": [256, 1024, 4096]},
                                 {"field": "reuse", "values": ["none", "liveness"]}]}, jobs)
    section = "## 1. CIO against DRAM traffic (edge-32x32, 18 networks)\n\n"
    section += ("Traffic in MB (1e6 bytes, whole 64-byte DRAM atoms). `act` = activations only (inputs, outputs, "
                "partial sums, spills of every layer); `conv act` = the same for convolution layers only, the "
                "quantity CIO counts; `all` adds weights. CIO in MB of int8 elements.\n\n")
    rows, stats_rows, configs = [], [], {}
    for settings, rep in pts:
        key = (settings["sram.global_kib"], settings["reuse"])
        cio = rep["totals"]["cio_bytes"]
        rec = {"net": settings["net"], "cio": cio, "act": traffic(rep), "conv_act": traffic(rep, conv_only=True),
               "all": traffic(rep, activations=False), "cycles": rep["totals"]["cycles"]}
        configs.setdefault(key, []).append(rec)
    for key in sorted(configs):
        recs = configs[key]
        x = [r["cio"] for r in recs]
        row = [f"{key[0]} KiB", key[1]]
        for field in ["conv_act", "act", "all"]:
            y = [r[field] for r in recs]
            a, b, r2 = fit(x, y)
            row += [f"{pearson(x, y):.3f}", f"{spearman(x, y):.3f}", f"{a:.2f}"]
            summary.setdefault("cio", {})[f"{key[0]}KiB-{key[1]}-{field}"] = {
                "pearson": pearson(x, y), "spearman": spearman(x, y), "slope": a, "intercept_mb": b / 1e6, "r2": r2}
        stats_rows.append(row)
    section += md_table(["SRAM", "reuse", "r conv act", "rho conv act", "slope conv act", "r act", "rho act",
                         "slope act", "r all", "rho all", "slope all"], stats_rows)
    # Per network at the default 1 MiB: ratio to CIO and where the difference comes from.
    section += "\nPer network, SRAM 1024 KiB (ratios to CIO):\n\n"
    base = {r["net"]: r for r in configs[(1024, "none")]}
    live = {r["net"]: r for r in configs[(1024, "liveness")]}
    small = {r["net"]: r for r in configs[(256, "none")]}
    for net in ZOO:
        b, l, s = base[net], live[net], small[net]
        rows.append([net, f"{b['cio'] / 1e6:.2f}", f"{b['conv_act'] / 1e6:.2f}", f"{b['conv_act'] / b['cio']:.2f}",
                     f"{b['act'] / b['cio']:.2f}", f"{s['act'] / s['cio']:.2f}", f"{l['act'] / l['cio']:.2f}",
                     f"{b['all'] / 1e6:.2f}"])
    section += md_table(["network", "CIO MB", "conv act MB", "conv act / CIO", "act / CIO",
                         "act / CIO @256 KiB", "act / CIO liveness", "all MB"], rows)
    # Outliers of the none/1 MiB fit: largest |log(act/CIO)| from the median.
    ratios = {n: base[n]["act"] / base[n]["cio"] for n in ZOO}
    med = statistics.median(ratios.values())
    outliers = sorted(ZOO, key=lambda n: -abs(math.log(ratios[n] / med)))[:4]
    section += f"\nMedian act/CIO at 1024 KiB, reuse none: {med:.2f}. Furthest from it: " + ", ".join(
        f"{n} ({ratios[n]:.2f}; conv share of act {base[n]['conv_act'] / base[n]['act']:.2f})" for n in outliers) + ".\n"
    summary.setdefault("cio", {})["outliers"] = {n: ratios[n] for n in outliers}
    summary["cio"]["median_act_over_cio"] = med
    tables.append(section)

    fig, axes = plt.subplots(1, 3, figsize=(15, 4.6))
    for ax, kib in zip(axes, [256, 1024, 4096]):
        for reuse, mk in [("none", "o"), ("liveness", "x")]:
            recs = configs[(kib, reuse)]
            ax.scatter([r["cio"] / 1e6 for r in recs], [r["act"] / 1e6 for r in recs], marker=mk, label=f"reuse {reuse}")
        for r in configs[(kib, "none")]:
            ax.annotate(r["net"], (r["cio"] / 1e6, r["act"] / 1e6), fontsize=6)
        lim = max(r["act"] for r in configs[(kib, "none")]) / 1e6 * 1.05
        ax.plot([0, lim], [0, lim], "k:", lw=0.8, label="traffic = CIO")
        ax.set_title(f"global buffer {kib} KiB")
        ax.set_xlabel("CIO (MB, int8)")
        ax.set_ylabel("simulated activation DRAM traffic (MB)")
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(os.path.join(OUT, "cio_vs_traffic.png"), dpi=110)
    plt.close(fig)


# ---------------------------------------------------------------- 2. time vs traffic vs MACs

TIME_PRESETS = [  # (label, base preset, extra axes)
    ("edge-16x16", "edge-16x16", []),
    ("edge-32x32", "edge-32x32", []),
    ("edge-64x64 (1 LPDDR4 channel)", "edge-32x32",
     [{"field": ["pe.rows", "pe.cols", "vector.lanes"], "values": [[64, 64, 64]]}]),
    ("server-128x128", "server-128x128", []),
]


def exp_time(jobs):
    section = "## 2. Latency against DRAM traffic and against MACs (18 networks, reuse none)\n\n"
    rows = []
    fig, axes = plt.subplots(2, len(TIME_PRESETS), figsize=(5 * len(TIME_PRESETS), 8))
    for col, (label, base, axes_spec) in enumerate(TIME_PRESETS):
        spec = {"base": base, "networks": ZOO}
        if axes_spec:
            spec["axes"] = axes_spec
        pts = sweep("time-" + label.split(" ")[0], spec, jobs)
        t = [rep["totals"]["time_ns"] / 1e6 for _, rep in pts]
        b = [(rep["totals"]["dram_read_bytes"] + rep["totals"]["dram_write_bytes"]) / 1e6 for _, rep in pts]
        m = [rep["totals"]["macs"] / 1e9 for _, rep in pts]
        mem_share = statistics.fmean(
            sum(l["cycles"] for l in rep["layers"] if l["roofline_bound"] == "memory") / rep["totals"]["cycles"]
            for _, rep in pts)
        util = statistics.fmean(rep["totals"]["pe_utilization"] for _, rep in pts)
        fb, fm = fit(b, t), fit(m, t)
        rows.append([label, f"{mem_share:.2f}", f"{util:.2f}", f"{pearson(b, t):.3f}", f"{fb[2]:.3f}",
                     f"{spearman(b, t):.3f}", f"{pearson(m, t):.3f}", f"{fm[2]:.3f}", f"{spearman(m, t):.3f}"])
        summary.setdefault("time", {})[label] = {"memory_bound_cycle_share": mem_share, "mean_pe_utilization": util,
                                                 "r_traffic": pearson(b, t), "r2_traffic": fb[2],
                                                 "rho_traffic": spearman(b, t), "r_macs": pearson(m, t),
                                                 "r2_macs": fm[2], "rho_macs": spearman(m, t)}
        for row, (x, name) in enumerate([(b, "DRAM traffic (MB)"), (m, "GMACs")]):
            ax = axes[row][col]
            ax.scatter(x, t, s=14)
            for xi, ti, (s, _) in zip(x, t, pts):
                ax.annotate(s["net"], (xi, ti), fontsize=6)
            ax.set_xlabel(name)
            ax.set_ylabel("latency (ms)")
            ax.set_title(f"{label}: r = {pearson(x, t):.2f}", fontsize=9)
    fig.tight_layout()
    fig.savefig(os.path.join(OUT, "time_vs_traffic_macs.png"), dpi=110)
    plt.close(fig)
    section += ("`memory-bound share` = mean over networks of the share of cycles spent in layers whose roofline "
                "bound is memory; `PE util` = mean over networks. r = Pearson, R2 of a linear fit, rho = Spearman.\n\n")
    section += md_table(["preset", "memory-bound share", "PE util", "r traffic", "R2 traffic", "rho traffic",
                         "r MACs", "R2 MACs", "rho MACs"], rows)
    tables.append(section)


# ---------------------------------------------------------------- 3. HarDNet against its baselines

def exp_hardnet(jobs):
    nets = ["hardnet68", "resnet50", "densenet121", "densenet201", "hardnet85", "resnet101", "hardnet39ds",
            "hardnet68ds", "mobilenet_v2"]
    pairs = [("hardnet68", "resnet50"), ("hardnet68", "densenet121"), ("hardnet68", "densenet201"),
             ("hardnet85", "resnet101"), ("hardnet85", "densenet201"),
             ("hardnet39ds", "mobilenet_v2"), ("hardnet68ds", "mobilenet_v2")]
    section = "## 3. HarDNet against its baselines\n\n"
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.2))
    for ai, arch in enumerate(["edge-16x16", "edge-32x32", "server-128x128"]):
        pts = sweep(f"hardnet-{arch}", {"base": arch, "networks": nets,
                                        "axes": [{"field": "reuse", "values": ["none", "liveness"]}]}, jobs)
        res = {(s["net"], s["reuse"]): rep["totals"] for s, rep in pts}
        rows = []
        for net in nets:
            for reuse in ["none", "liveness"]:
                t = res[(net, reuse)]
                rows.append([net, reuse, f"{(t['dram_read_bytes'] + t['dram_write_bytes']) / 1e6:.1f}",
                             f"{t['macs'] / 1e9:.2f}", f"{t['time_ns'] / 1e6:.3f}", f"{t['fps']:.1f}",
                             f"{t['energy_per_inference_mj']:.3f}", f"{t['pe_utilization']:.2f}"])
        section += f"### {arch}\n\n" + md_table(["network", "reuse", "DRAM MB", "GMAC", "latency ms", "FPS", "mJ",
                                                "PE util"], rows)
        prow = []
        for a, b in pairs:
            for reuse in ["none", "liveness"]:
                ta, tb = res[(a, reuse)], res[(b, reuse)]
                da = ta["dram_read_bytes"] + ta["dram_write_bytes"]
                db = tb["dram_read_bytes"] + tb["dram_write_bytes"]
                prow.append([f"{a} vs {b}", reuse, pct(da, db), pct(ta["time_ns"], tb["time_ns"]),
                             pct(ta["energy_per_inference_mj"], tb["energy_per_inference_mj"])])
                summary.setdefault("hardnet", {})[f"{arch}-{a}-vs-{b}-{reuse}"] = {
                    "traffic": da / db - 1, "time": ta["time_ns"] / tb["time_ns"] - 1,
                    "energy": ta["energy_per_inference_mj"] / tb["energy_per_inference_mj"] - 1}
        section += "\n" + md_table(["pair", "reuse", "DRAM traffic", "latency", "energy"], prow) + "\n"
        ax = axes[ai]
        xs = range(len(nets))
        ax.bar([x - 0.2 for x in xs], [res[(n, "none")]["time_ns"] / 1e6 for n in nets], 0.4, label="latency ms")
        ax2 = ax.twinx()
        ax2.bar([x + 0.2 for x in xs],
                [(res[(n, "none")]["dram_read_bytes"] + res[(n, "none")]["dram_write_bytes"]) / 1e6 for n in nets],
                0.4, color="tab:orange", label="DRAM MB")
        ax.set_xticks(list(xs))
        ax.set_xticklabels(nets, rotation=45, ha="right", fontsize=7)
        ax.set_ylabel("latency (ms)")
        ax2.set_ylabel("DRAM traffic (MB)")
        ax.set_title(f"{arch}, reuse none")
    fig.tight_layout()
    fig.savefig(os.path.join(OUT, "hardnet_vs_baselines.png"), dpi=110)
    plt.close(fig)
    tables.append(section)


# ---------------------------------------------------------------- 4. computational bottleneck

def exp_bottleneck(jobs):
    pairs = [("peleenet", "csppeleenet"), ("resnext50_darknet", "cspresnext50"), ("darknet53", "cspdarknet53")]
    section = "## 4. Computational bottleneck: per-layer MACs, cycles and utilization\n\n"
    rows = []
    fig, axes = plt.subplots(len(pairs), 2, figsize=(14, 3.3 * len(pairs)))
    for arch in ["edge-32x32", "edge-16x16"]:
        pts = sweep(f"bottleneck-{arch}", {"base": arch, "networks": [n for p in pairs for n in p]}, jobs)
        reps = {s["net"]: rep for s, rep in pts}
        for pi, pair in enumerate(pairs):
            for net in pair:
                rep = reps[net]
                layers = [l for l in rep["layers"] if l["macs"] > 0]
                macs = [l["macs"] for l in layers]
                cyc = [l["cycles"] for l in rep["layers"]]
                big = max(layers, key=lambda l: l["macs"])
                slow = max(rep["layers"], key=lambda l: l["cycles"])
                cv = statistics.pstdev(macs) / statistics.fmean(macs)
                rows.append([arch, net, f"{max(macs) / 1e6:.1f} ({big['name']})",
                             f"{max(macs) / statistics.fmean(macs):.2f}", f"{cv:.2f}",
                             f"{max(cyc) / 1e3:.0f} ({slow['name']})", f"{max(cyc) / statistics.fmean(cyc):.2f}",
                             f"{rep['totals']['pe_utilization']:.3f}", f"{rep['totals']['time_ns'] / 1e6:.3f}",
                             f"{rep['totals']['cio'] / 1e6:.2f}",
                             f"{(rep['totals']['dram_read_bytes'] + rep['totals']['dram_write_bytes']) / 1e6:.1f}"])
                summary.setdefault("bottleneck", {})[f"{arch}-{net}"] = {
                    "max_layer_macs": max(macs), "max_over_mean_macs": max(macs) / statistics.fmean(macs),
                    "cv_macs": cv, "max_layer_cycles": max(cyc), "max_over_mean_cycles": max(cyc) / statistics.fmean(cyc),
                    "pe_utilization": rep["totals"]["pe_utilization"], "time_ns": rep["totals"]["time_ns"],
                    "cio": rep["totals"]["cio"],
                    "dram_bytes": rep["totals"]["dram_read_bytes"] + rep["totals"]["dram_write_bytes"],
                    "macs": rep["totals"]["macs"]}
                if arch == "edge-32x32":
                    axes[pi][0].plot([l["macs"] / 1e6 for l in rep["layers"]], label=net, lw=1)
                    axes[pi][1].plot([l["pe_utilization"] for l in rep["layers"]], label=net, lw=1)
            axes[pi][0].set_ylabel("MMACs per layer")
            axes[pi][1].set_ylabel("PE utilization per layer")
            for ax in axes[pi]:
                ax.set_xlabel("layer (execution order)")
                ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(os.path.join(OUT, "bottleneck_profiles.png"), dpi=110)
    plt.close(fig)
    section += md_table(["preset", "network", "largest layer MMACs", "max/mean MACs", "CV MACs",
                         "slowest layer kcycles", "max/mean cycles", "PE util", "latency ms", "CIO M", "DRAM MB"], rows)
    tables.append(section)


# ---------------------------------------------------------------- 5. partial dense block formula

def dense_net(c, d, m, partial, hw=32):
    """A dense block of m 3x3 layers of growth d on c channels; partial: on half the channels,
    the other half joining at the end (CSPNet's fusion last, without the transition)."""
    layers = [{"name": "input", "type": "input", "shape": [1, c, hw, hw]}]
    if partial:
        layers.append({"name": "part1", "type": "slice", "inputs": ["input"], "channels": [0, c // 2]})
        layers.append({"name": "part2", "type": "slice", "inputs": ["input"], "channels": [c // 2, c]})
        feats = ["part2"]
    else:
        feats = ["input"]
    for i in range(m):
        src = feats[0] if len(feats) == 1 else f"cat{i}"
        if len(feats) > 1:
            layers.append({"name": src, "type": "concat", "inputs": list(feats)})
        layers.append({"name": f"conv{i}", "type": "conv", "inputs": [src], "out_channels": d, "kernel": 3,
                       "pad": 1, "batch_norm": True, "activation": "relu"})
        feats.append(f"conv{i}")
    outs = (["part1"] if partial else []) + feats
    layers.append({"name": "out", "type": "concat", "inputs": outs})
    layers.append({"name": "gap", "type": "adaptive_avgpool", "inputs": ["out"]})
    return {"network": f"{'p' if partial else ''}dense_c{c}_d{d}_m{m}", "layers": layers}


def exp_partial_dense(jobs):
    netdir = os.path.join(WORK, "dense-nets")
    os.makedirs(netdir, exist_ok=True)
    configs = [(c, d, m) for c in (64, 256) for d in (16, 32) for m in (4, 8, 16)]
    files = []
    for c, d, m in configs:
        for partial in (False, True):
            net = dense_net(c, d, m, partial)
            path = os.path.join(netdir, net["network"] + ".json")
            with open(path, "w") as f:
                json.dump(net, f)
            files.append(path)
    pts = sweep("partial-dense", {"base": "edge-32x32", "networks": files,
                                  "points": [{"sram.global_kib": 1024, "reuse": "none"},
                                             {"sram.global_kib": 64, "reuse": "none"},
                                             {"sram.global_kib": 1024, "reuse": "liveness"}]}, jobs)
    res = {}
    for s, rep in pts:
        res[(os.path.basename(s["net"])[:-5], s["sram.global_kib"], s["reuse"])] = (rep["totals"]["cio"],
                                                                                  traffic(rep, conv_only=True))
    rows, xs, ys = [], [], []
    hw2 = 32 * 32
    for c, d, m in configs:
        f_dense = c * m + (m * m + m) * d / 2
        f_part = (c * m + (m * m + m) * d) / 2
        name = f"dense_c{c}_d{d}_m{m}"
        cio_d, t_d = res[(name, 1024, "none")]
        cio_p, t_p = res[("p" + name, 1024, "none")]
        row = [f"{c}", f"{d}", f"{m}", f"{f_dense * hw2 / cio_d:.3f}", f"{f_part * hw2 / cio_p:.3f}",
               f"{f_part / f_dense:.3f}", f"{t_p / t_d:.3f}"]
        for kib, reuse in [(64, "none"), (1024, "liveness")]:
            row.append(f"{res[('p' + name, kib, reuse)][1] / res[(name, kib, reuse)][1]:.3f}")
        rows.append(row)
        xs.append(f_part / f_dense)
        ys.append(t_p / t_d)
        summary.setdefault("partial_dense", {})[name] = {
            "formula_ratio": f_part / f_dense, "cio_ratio": cio_p / cio_d, "traffic_ratio_1MiB_none": t_p / t_d,
            "traffic_ratio_64KiB_none": res[("p" + name, 64, "none")][1] / res[(name, 64, "none")][1],
            "traffic_ratio_1MiB_liveness": res[("p" + name, 1024, "liveness")][1] / res[(name, 1024, "liveness")][1]}
    section = "## 5. The partial dense block formula\n\n"
    section += ("Formula CIO per pixel x 32x32 divided by the analysis' CIO (1.000 = the formula counts what the "
                "network computes), the formula's ratio partial/dense, and the simulated conv activation traffic "
                "ratio partial/dense for three memory configurations (edge-32x32).\n\n")
    section += md_table(["c", "d", "m", "dense formula/CIO", "partial formula/CIO", "formula ratio",
                         "traffic ratio 1 MiB none", "64 KiB none", "1 MiB liveness"], rows)
    tables.append(section)
    fig, ax = plt.subplots(figsize=(5, 4.5))
    ax.scatter(xs, ys)
    ax.plot([0.3, 0.7], [0.3, 0.7], "k:", lw=0.8)
    ax.set_xlabel("formula CIO ratio (partial / dense)")
    ax.set_ylabel("simulated conv traffic ratio (1 MiB, reuse none)")
    fig.tight_layout()
    fig.savefig(os.path.join(OUT, "partial_dense.png"), dpi=110)
    plt.close(fig)


def main():
    global NPUSIM
    ap = argparse.ArgumentParser()
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="simulations run at once (default: the CPU count)")
    ap.add_argument("--npusim", default=NPUSIM, help="the npusim binary (default build/npusim)")
    ap.add_argument("--resume", action="store_true", help="keep the finished points of runs/experiments/")
    args = ap.parse_args()
    NPUSIM = args.npusim
    if not args.resume and os.path.isdir(WORK):
        shutil.rmtree(WORK)
    os.makedirs(OUT, exist_ok=True)
    exp_cio(args.jobs)
    exp_time(args.jobs)
    exp_hardnet(args.jobs)
    exp_bottleneck(args.jobs)
    exp_partial_dense(args.jobs)
    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    with open(os.path.join(OUT, "tables.md"), "w") as f:
        f.write("# Experiment tables (generated by scripts/experiments/run_all.sh; do not edit)\n\n")
        f.write(f"Simulator at commit {commit or 'unknown'}; discussion in ../RESULTS.md.\n\n")
        f.write("\n".join(tables))
    with open(os.path.join(OUT, "summary.json"), "w") as f:
        json.dump(summary, f, indent=1, sort_keys=True)
    print(f"wrote {OUT}/tables.md, summary.json and the plots", file=sys.stderr)


if __name__ == "__main__":
    main()
