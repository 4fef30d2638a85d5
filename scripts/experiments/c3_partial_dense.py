"""C3 — CSPNet: a partial dense block's CIO is (c·m + (m²+m)·d)/2 against a dense block's
c·m + (m²+m)·d/2. Dense and partial dense blocks of m 3x3 layers of growth d on c channels,
the formula against the analysis' CIO and against simulated conv traffic."""
import json
import os

import matplotlib.pyplot as plt

from lib import identity_line, md_table, savefig, traffic

# (label, global buffer KiB, reuse, mapper objective); the first is the formula's setting.
MEMORIES = [("1 MiB traffic-optimal", 1024, "none", "traffic"), ("1 MiB", 1024, "none", "edp"),
            ("64 KiB", 64, "none", "edp"), ("1 MiB liveness", 1024, "liveness", "edp")]


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
                                         "points": [{"sram.global_kib": kib, "reuse": reuse, "objective": obj}
                                                    for _, kib, reuse, obj in MEMORIES]})
    res = {}
    for s, rep in pts:
        key = (s["sram.global_kib"], s["reuse"], s["objective"])
        res[(os.path.basename(s["net"])[:-5], key)] = (rep["totals"]["cio"], traffic(rep, conv_only=True))
    rows, xs, ys, formula_errors = [], [], [], []
    hw2 = 32 * 32
    for c, d, m in configs:
        f_dense = c * m + (m * m + m) * d / 2
        f_part = (c * m + (m * m + m) * d) / 2
        name = f"dense_c{c}_d{d}_m{m}"
        cio_d, cio_p = res[(name, MEMORIES[0][1:])][0], res[("p" + name, MEMORIES[0][1:])][0]
        ratios = {tag: res[("p" + name, (kib, reuse, obj))][1] / res[(name, (kib, reuse, obj))][1]
                  for tag, kib, reuse, obj in MEMORIES}
        rows.append([f"{c}", f"{d}", f"{m}", f"{f_dense * hw2 / cio_d:.3f}", f"{f_part * hw2 / cio_p:.3f}",
                     f"{f_part / f_dense:.3f}"] + [f"{ratios[tag]:.3f}" for tag, *_ in MEMORIES])
        formula_errors += [abs(f_dense * hw2 / cio_d - 1), abs(f_part * hw2 / cio_p - 1)]
        xs.append(f_part / f_dense)
        ys.append(ratios[MEMORIES[0][0]])
        ctx.summary.setdefault("c3", {})[name] = {"formula_ratio": f_part / f_dense, "cio_ratio": cio_p / cio_d,
                                                  "traffic_ratios": ratios}
    c3 = ctx.summary["c3"].values()
    ctx.put("c3.configs", len(configs), "{}")
    ctx.put("c3.formula_error_max", max(formula_errors), "{:.1e}")
    ctx.put("c3.formula_ratio.min", min(r["formula_ratio"] for r in c3), "{:.2f}")
    ctx.put("c3.formula_ratio.max", max(r["formula_ratio"] for r in c3), "{:.2f}")
    for tag, *_ in MEMORIES:
        key = tag.replace(" ", "_")
        ctx.put(f"c3.{key}.vs_formula_max",
                max(abs(r["traffic_ratios"][tag] / r["formula_ratio"] - 1) for r in c3), "{:.1%}")
        ctx.put(f"c3.{key}.min", min(r["traffic_ratios"][tag] for r in c3), "{:.2f}")
        ctx.put(f"c3.{key}.max", max(r["traffic_ratios"][tag] for r in c3), "{:.2f}")
    section = "## C3. The partial dense block formula\n\n"
    section += ("Formula CIO per pixel x 32x32 divided by the analysis' CIO (1.000 = the formula counts what the "
                "network computes), the formula's ratio partial/dense, and the simulated conv activation traffic "
                "ratio partial/dense on edge-32x32: with the mapper minimizing traffic (the formula's setting), "
                "and under the default EDP objective with three memory configurations.\n\n")
    section += md_table(["c", "d", "m", "dense formula/CIO", "partial formula/CIO", "formula ratio"] +
                        [f"traffic ratio, {tag}" for tag, *_ in MEMORIES], rows)
    ctx.tables.append(section)
    fig, ax = plt.subplots(figsize=(5, 4.5))
    ax.scatter(xs, ys, label="block configuration")
    identity_line(ax, xs, ys)
    ax.set_xlabel("formula CIO ratio (partial / dense)")
    ax.set_ylabel(f"simulated conv traffic ratio ({MEMORIES[0][0]})")
    ax.legend(fontsize=7)
    savefig(fig, "partial_dense.png")
    plt.close(fig)
