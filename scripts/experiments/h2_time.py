"""H2 — HarDNet: on memory-bound hardware latency follows DRAM traffic more than MACs.
Across networks traffic and MACs are themselves correlated, so the test separates them:
partial correlations (each with the other held fixed), layers as samples as well as
networks, and the network-level figures without the VGG-16 outlier."""
import math
import statistics

import matplotlib.pyplot as plt

from h1_cio import NETWORKS
from lib import dram_bytes, fit, layer_traffic, md_table, partial, pearson, savefig, spearman

PRESETS = [  # (label, base preset, extra axes)
    ("edge-16x16", "edge-16x16", []),
    ("edge-32x32", "edge-32x32", []),
    ("edge-64x64", "edge-32x32", [{"field": ["pe.rows", "pe.cols", "vector.lanes"], "values": [[64, 64, 64]]}]),
    ("server-128x128", "server-128x128", []),
]


def _logs(v):
    return [math.log(x) for x in v]


def run(ctx):
    section = (f"## H2. Latency against DRAM traffic and against MACs ({len(NETWORKS)} networks, reuse none)\n\n"
               "`edge-64x64` is edge-32x32 with a 64x64 array on its one LPDDR4 channel (the memory-bound case). "
               "`memory-bound share` = mean over networks of the share of cycles in layers whose roofline bound is "
               "memory. Network level: r (Pearson) of latency with traffic and with MACs, with and without VGG-16, "
               "and the partial correlations `r traffic|MACs` (latency and traffic, MACs held fixed) and "
               "`r MACs|traffic`. Layer level: every layer with MACs of every network is a sample; correlations of "
               "log cycles with log traffic and log MACs, partial on the logs and on ranks (Spearman).\n\n")
    net_rows, layer_rows = [], []
    fig, axes = plt.subplots(2, len(PRESETS), figsize=(5 * len(PRESETS), 8))
    for col, (label, base, axes_spec) in enumerate(PRESETS):
        spec = {"base": base, "networks": NETWORKS}
        if axes_spec:
            spec["axes"] = axes_spec
        pts = ctx.sweep("h2-" + label, spec)
        nets = [s["net"] for s, _ in pts]
        t = [rep["totals"]["time_ns"] / 1e6 for _, rep in pts]
        b = [dram_bytes(rep) / 1e6 for _, rep in pts]
        m = [rep["totals"]["macs"] / 1e9 for _, rep in pts]
        keep = [i for i, n in enumerate(nets) if n != "vgg16"]
        tk, bk, mk = ([v[i] for i in keep] for v in (t, b, m))
        mem_share = statistics.fmean(
            sum(l["cycles"] for l in rep["layers"] if l["roofline_bound"] == "memory") / rep["totals"]["cycles"]
            for _, rep in pts)
        util = statistics.fmean(rep["totals"]["pe_utilization"] for _, rep in pts)
        net = {"r_traffic": pearson(b, t), "r_macs": pearson(m, t), "r_traffic_no_vgg": pearson(bk, tk),
               "r_macs_no_vgg": pearson(mk, tk), "partial_traffic": partial(t, b, m), "partial_macs": partial(t, m, b),
               "partial_traffic_no_vgg": partial(tk, bk, mk), "partial_macs_no_vgg": partial(tk, mk, bk),
               "r2_traffic": fit(b, t)[2], "r2_macs": fit(m, t)[2], "rho_traffic": spearman(b, t),
               "rho_macs": spearman(m, t), "r_traffic_macs": pearson(b, m), "memory_bound_cycle_share": mem_share,
               "mean_pe_utilization": util}
        net_rows.append([label, f"{mem_share:.2f}", f"{util:.2f}", f"{net['r_traffic_macs']:.2f}"] +
                        [f"{net[k]:.3f}" for k in ("r_traffic", "r_macs", "partial_traffic", "partial_macs",
                                                   "r_traffic_no_vgg", "r_macs_no_vgg", "partial_traffic_no_vgg",
                                                   "partial_macs_no_vgg")])
        layers = [l for _, rep in pts for l in rep["layers"] if l["macs"] > 0 and layer_traffic(l) > 0]
        lc = _logs([l["cycles"] for l in layers])
        lb = _logs([layer_traffic(l) for l in layers])
        lm = _logs([l["macs"] for l in layers])
        lay = {"n": len(layers), "r_traffic": pearson(lb, lc), "r_macs": pearson(lm, lc),
               "partial_traffic": partial(lc, lb, lm), "partial_macs": partial(lc, lm, lb),
               "rank_partial_traffic": partial(lc, lb, lm, rank=True),
               "rank_partial_macs": partial(lc, lm, lb, rank=True), "r_traffic_macs": pearson(lb, lm)}
        layer_rows.append([label, str(lay["n"]), f"{lay['r_traffic_macs']:.2f}"] +
                          [f"{lay[k]:.3f}" for k in ("r_traffic", "r_macs", "partial_traffic", "partial_macs",
                                                     "rank_partial_traffic", "rank_partial_macs")])
        ctx.summary.setdefault("h2", {})[label] = {"networks": net, "layers": lay}
        for k, v in net.items():
            ctx.put(f"h2.{label}.net.{k}", v, "{:.3f}" if k.startswith(("r", "p")) else "{:.2f}")
        for k, v in lay.items():
            ctx.put(f"h2.{label}.layer.{k}", v, "{}" if k == "n" else "{:.3f}")
        for row, (x, name) in enumerate([(b, "DRAM traffic (MB)"), (m, "GMACs")]):
            ax = axes[row][col]
            ax.scatter(x, t, s=14, label="network")
            for xi, ti, n in zip(x, t, nets):
                ax.annotate(n, (xi, ti), fontsize=5)
            ax.set_xlabel(name)
            ax.set_ylabel("latency (ms)")
            ax.set_title(f"{label}: r = {pearson(x, t):.2f}, partial r = "
                         f"{net['partial_traffic'] if row == 0 else net['partial_macs']:.2f}", fontsize=9)
            ax.legend(fontsize=7, loc="upper left")
    savefig(fig, "time_vs_traffic_macs.png")
    plt.close(fig)
    section += "Networks as samples:\n\n" + md_table(
        ["preset", "memory-bound share", "PE util", "r traffic~MACs", "r traffic", "r MACs", "r traffic|MACs",
         "r MACs|traffic", "r traffic, no VGG", "r MACs, no VGG", "r traffic|MACs, no VGG",
         "partial r MACs, no VGG"], net_rows)
    section += "\nLayers as samples (log cycles):\n\n" + md_table(
        ["preset", "layers", "r log traffic~log MACs", "r log traffic", "r log MACs", "partial traffic (MACs fixed)",
         "partial MACs (traffic fixed)", "rank partial traffic", "rank partial MACs"], layer_rows)
    ctx.tables.append(section)
