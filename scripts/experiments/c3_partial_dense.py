"""C3 — CSPNet: a partial dense block's CIO is (c·m + (m²+m)·d)/2 against a dense block's
c·m + (m²+m)·d/2. Dense and partial dense blocks of m 3x3 layers of growth d on c channels,
the formula against the analysis' CIO and against simulated conv traffic."""
import json
import os

import matplotlib.pyplot as plt

from lib import identity_line, md_table, savefig, traffic


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


def run(ctx):
    netdir = os.path.join(ctx.work, "dense-nets")
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
    pts = ctx.sweep("c3-partial-dense", {"base": "edge-32x32", "networks": files,
                                  "points": [{"sram.global_kib": 1024, "reuse": "none"},
                                             {"sram.global_kib": 64, "reuse": "none"},
                                             {"sram.global_kib": 1024, "reuse": "liveness"}]})
    res = {}
    for s, rep in pts:
        res[(os.path.basename(s["net"])[:-5], s["sram.global_kib"], s["reuse"])] = (rep["totals"]["cio"],
                                                                                  traffic(rep, conv_only=True))
    rows, xs, ys, formula_errors = [], [], [], []
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
        formula_errors += [abs(f_dense * hw2 / cio_d - 1), abs(f_part * hw2 / cio_p - 1)]
        xs.append(f_part / f_dense)
        ys.append(t_p / t_d)
        ctx.summary.setdefault("c3", {})[name] = {
            "formula_ratio": f_part / f_dense, "cio_ratio": cio_p / cio_d, "traffic_ratio_1MiB_none": t_p / t_d,
            "traffic_ratio_64KiB_none": res[("p" + name, 64, "none")][1] / res[(name, 64, "none")][1],
            "traffic_ratio_1MiB_liveness": res[("p" + name, 1024, "liveness")][1] / res[(name, 1024, "liveness")][1]}
    c3 = ctx.summary["c3"].values()
    ctx.put("c3.configs", len(configs), "{}")
    ctx.put("c3.formula_error_max", max(formula_errors), "{:.1e}")
    ctx.put("c3.traffic_vs_formula_max", max(abs(r["traffic_ratio_1MiB_none"] / r["formula_ratio"] - 1) for r in c3),
            "{:.1%}")
    for key, tag in [("traffic_ratio_64KiB_none", "64KiB"), ("traffic_ratio_1MiB_liveness", "liveness")]:
        ctx.put(f"c3.{tag}.min", min(r[key] for r in c3), "{:.2f}")
        ctx.put(f"c3.{tag}.max", max(r[key] for r in c3), "{:.2f}")
    ctx.put("c3.formula_ratio.min", min(r["formula_ratio"] for r in c3), "{:.2f}")
    ctx.put("c3.formula_ratio.max", max(r["formula_ratio"] for r in c3), "{:.2f}")
    section = "## C3. The partial dense block formula\n\n"
    section += ("Formula CIO per pixel x 32x32 divided by the analysis' CIO (1.000 = the formula counts what the "
                "network computes), the formula's ratio partial/dense, and the simulated conv activation traffic "
                "ratio partial/dense for three memory configurations (edge-32x32).\n\n")
    section += md_table(["c", "d", "m", "dense formula/CIO", "partial formula/CIO", "formula ratio",
                         "traffic ratio 1 MiB none", "64 KiB none", "1 MiB liveness"], rows)
    ctx.tables.append(section)
    fig, ax = plt.subplots(figsize=(5, 4.5))
    ax.scatter(xs, ys, label="block configuration")
    identity_line(ax, xs, ys)
    ax.set_xlabel("formula CIO ratio (partial / dense)")
    ax.set_ylabel("simulated conv traffic ratio (1 MiB, reuse none)")
    ax.legend(fontsize=7)
    savefig(fig, "partial_dense.png")
    plt.close(fig)
