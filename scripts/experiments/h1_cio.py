"""H1 — HarDNet: CIO (conv inputs + outputs) tracks DRAM traffic. Where it holds by
construction (reuse none, buffers that hold a layer's tiles) and where it is a real test:
small buffers, liveness reuse, and the layer-pipelined dataflow NPU."""
import math
import statistics

import matplotlib.pyplot as plt

from lib import fit, identity_line, md_table, pearson, savefig, spearman, traffic

# The zoo's CNNs: HarDNet and CSPNet with every baseline (zoo.md).
NETWORKS = ["hardnet39ds", "hardnet68", "hardnet68ds", "hardnet85", "cspresnext50", "resnext50_darknet",
            "cspdarknet53", "darknet53", "cspresnet50", "resnet50_darknet", "csmobilenet_v2",
            "mobilenet_v2_darknet", "peleenet", "csppeleenet", "resnet18", "resnet50", "resnet101",
            "resnext50_32x4d", "densenet121", "densenet201", "mobilenet_v2", "ghostnet", "vgg16"]
SRAM_KIB = [256, 1024, 4096]
PIPELINED = "dataflow-16x8x8"
# VGG-16's first classifier layer cannot be placed on a 64 KiB core: one output channel's
# weights and its 25,088-element input exceed it, and cores never split input channels.
PIPELINED_NETWORKS = [n for n in NETWORKS if n != "vgg16"]


def run(ctx):
    pts = ctx.sweep("h1-cio", {"base": "edge-32x32", "networks": NETWORKS,
                               "axes": [{"field": "sram.global_kib", "values": SRAM_KIB},
                                        {"field": "reuse", "values": ["none", "liveness"]}]})
    configs = {}
    for settings, rep in pts:
        configs.setdefault((settings["sram.global_kib"], settings["reuse"]), {})[settings["net"]] = {
            "cio": rep["totals"]["cio_bytes"], "act": traffic(rep), "conv_act": traffic(rep, conv_only=True),
            "all": traffic(rep, activations=False)}
    optimal = {}  # the mapper minimizing traffic, the execution CIO models
    for settings, rep in ctx.sweep("h1-cio-traffic-objective", {"base": "edge-32x32", "networks": NETWORKS,
                                                                "run": {"objective": "traffic"}}):
        optimal[settings["net"]] = {"cio": rep["totals"]["cio_bytes"], "conv_act": traffic(rep, conv_only=True)}
    piped = {}
    for settings, rep in ctx.sweep("h1-cio-pipelined", {"base": PIPELINED, "networks": PIPELINED_NETWORKS,
                                                        "run": {"frames": 2}}):
        p = rep["pipeline"]
        piped[settings["net"]] = {"cio": ctx.info(settings["net"])["cio"], "act": p["offchip_bytes_per_frame"],
                                  "contexts": p["contexts"]}

    section = f"## H1. CIO against DRAM traffic (edge-32x32 and {PIPELINED}, {len(NETWORKS)} networks)\n\n"
    section += ("Traffic in MB (1e6 bytes, whole 64-byte DRAM bursts). `conv act` = activation traffic (inputs, "
                "outputs, partial sums, spills) of the convolution layers, the quantity CIO counts; `act` = the same "
                "for every layer; `all` adds weights. CIO in MB of int8 elements. r = Pearson, rho = Spearman, "
                "slope and R2 of a least-squares line.\n\n")
    rows = []
    for key in sorted(configs):
        recs = configs[key].values()
        x = [r["cio"] for r in recs]
        row = [f"{key[0]} KiB", key[1]]
        for field in ["conv_act", "act", "all"]:
            y = [r[field] for r in recs]
            a, b, r2 = fit(x, y)
            row += [f"{pearson(x, y):.3f}", f"{spearman(x, y):.3f}", f"{a:.2f}", f"{r2:.3f}"]
            ctx.summary.setdefault("h1", {})[f"{key[0]}KiB-{key[1]}-{field}"] = {
                "pearson": pearson(x, y), "spearman": spearman(x, y), "slope": a, "intercept_mb": b / 1e6, "r2": r2}
            tag = f"h1.{key[0]}.{key[1]}.{field}"
            ctx.put(tag + ".r", pearson(x, y), "{:.3f}")
            ctx.put(tag + ".rho", spearman(x, y), "{:.3f}")
            ctx.put(tag + ".slope", a)
            ctx.put(tag + ".r2", r2, "{:.3f}")
        rows.append(row)
    x = [optimal[n]["cio"] for n in NETWORKS]
    y = [optimal[n]["conv_act"] for n in NETWORKS]
    a, _, r2 = fit(x, y)
    rows.append(["1024 KiB, traffic objective", "none", f"{pearson(x, y):.3f}", f"{spearman(x, y):.3f}", f"{a:.2f}",
                 f"{r2:.3f}"] + [""] * 8)
    ctx.put("h1.optimal.conv_act.r", pearson(x, y), "{:.3f}")
    ctx.put("h1.optimal.conv_act.slope", a)
    opt_ratio = {n: optimal[n]["conv_act"] / optimal[n]["cio"] for n in NETWORKS}
    ctx.put("h1.optimal.conv_ratio.min", min(opt_ratio.values()))
    ctx.put("h1.optimal.conv_ratio.median", statistics.median(opt_ratio.values()))
    ctx.put("h1.optimal.conv_ratio.max", max(opt_ratio.values()))
    ctx.put("h1.optimal.conv_ratio.max_net", max(opt_ratio, key=opt_ratio.get), "{}")
    ctx.put("h1.networks", len(NETWORKS), "{}")
    ctx.put("h1.pipelined_networks", len(PIPELINED_NETWORKS), "{}")
    x = [piped[n]["cio"] for n in PIPELINED_NETWORKS]
    y = [piped[n]["act"] for n in PIPELINED_NETWORKS]
    a, _, r2 = fit(x, y)
    rows.append([f"{PIPELINED} (16 x 64 KiB)", "pipelined", "", "", "", "", f"{pearson(x, y):.3f}",
                 f"{spearman(x, y):.3f}", f"{a:.2f}", f"{r2:.3f}", "", "", "", ""])
    ctx.put("h1.pipelined.r", pearson(x, y), "{:.3f}")
    ctx.put("h1.pipelined.rho", spearman(x, y), "{:.3f}")
    ctx.put("h1.pipelined.slope", a)
    ctx.put("h1.pipelined.r2", r2, "{:.3f}")
    section += md_table(["SRAM", "reuse", "r conv act", "rho conv act", "slope conv act", "R2 conv act", "r act",
                         "rho act", "slope act", "R2 act", "r all", "rho all", "slope all", "R2 all"], rows)

    base, live, small, big = (configs[(1024, "none")], configs[(1024, "liveness")], configs[(256, "none")],
                              configs[(4096, "none")])
    per_net = []
    for n in NETWORKS:
        b = base[n]
        per_net.append([n, f"{b['cio'] / 1e6:.2f}", f"{optimal[n]['conv_act'] / b['cio']:.2f}",
                        f"{b['conv_act'] / b['cio']:.2f}",
                        f"{small[n]['conv_act'] / b['cio']:.2f}", f"{live[n]['conv_act'] / b['cio']:.2f}",
                        f"{b['act'] / b['cio']:.2f}", f"{live[n]['act'] / b['cio']:.2f}",
                        f"{piped[n]['act'] / b['cio']:.2f}" if n in piped else "-",
                        str(piped[n]["contexts"]) if n in piped else "-", f"{b['all'] / 1e6:.1f}"])
    section += "\nPer network (ratios to CIO; SRAM 1024 KiB unless said):\n\n" + md_table(
        ["network", "CIO MB", "conv act / CIO, traffic objective", "conv act / CIO", "conv act @256 KiB", "conv act liveness", "act / CIO",
         "act liveness", f"{PIPELINED} off-chip act / CIO", "contexts", "all MB"], per_net)

    conv_ratio = [base[n]["conv_act"] / base[n]["cio"] for n in NETWORKS]
    ctx.put("h1.conv_ratio_1MiB.min", min(conv_ratio))
    ctx.put("h1.conv_ratio_1MiB.median", statistics.median(conv_ratio))
    ctx.put("h1.conv_ratio_1MiB.max", max(conv_ratio))
    ctx.put("h1.conv_ratio_1MiB.max_net", NETWORKS[conv_ratio.index(max(conv_ratio))], "{}")
    big_ratio = [big[n]["conv_act"] / big[n]["cio"] for n in NETWORKS]
    ctx.put("h1.conv_ratio_4MiB.max", max(big_ratio))
    small_ratio = [small[n]["conv_act"] / small[n]["cio"] for n in NETWORKS]
    ctx.put("h1.conv_ratio_256KiB.max", max(small_ratio))
    ctx.put("h1.conv_ratio_256KiB.max_net", NETWORKS[small_ratio.index(max(small_ratio))], "{}")
    live_ratio = [live[n]["conv_act"] / live[n]["cio"] for n in NETWORKS]
    ctx.put("h1.conv_ratio_liveness.min", min(live_ratio))
    ctx.put("h1.conv_ratio_liveness.max", max(live_ratio))
    piped_ratio = {n: piped[n]["act"] / piped[n]["cio"] for n in PIPELINED_NETWORKS}
    one_ctx = [n for n in PIPELINED_NETWORKS if piped[n]["contexts"] == 1]
    ctx.put("h1.pipelined.one_context", len(one_ctx), "{}")
    ctx.put("h1.pipelined.one_context_max_ratio", max(piped_ratio[n] for n in one_ctx) if one_ctx else 0.0, "{:.3f}")
    many = [n for n in PIPELINED_NETWORKS if piped[n]["contexts"] > 1]
    ctx.put("h1.pipelined.many_context_median_ratio",
            statistics.median(piped_ratio[n] for n in many) if many else 0.0)
    ratios = {n: base[n]["act"] / base[n]["cio"] for n in NETWORKS}
    med = statistics.median(ratios.values())
    outliers = sorted(NETWORKS, key=lambda n: -abs(math.log(ratios[n] / med)))[:4]
    ctx.put("h1.act_ratio.median", med)
    ctx.put("h1.act_ratio.outliers", ", ".join(f"{n} ({ratios[n]:.2f} x; convolutions "
                                                f"{base[n]['conv_act'] / base[n]['act']:.0%} of it)"
                                                for n in outliers), "{}")
    weight_share = {n: 1 - base[n]["act"] / base[n]["all"] for n in NETWORKS}
    ctx.put("h1.weight_share.min", min(weight_share.values()), "{:.0%}")
    ctx.put("h1.weight_share.min_net", min(weight_share, key=weight_share.get), "{}")
    ctx.put("h1.weight_share.max", max(weight_share.values()), "{:.0%}")
    ctx.put("h1.weight_share.max_net", max(weight_share, key=weight_share.get), "{}")
    ctx.tables.append(section)
    _plot(configs, piped)


def _plot(configs, piped):
    panels = [("conv act", (1024, "none"), "conv_act", "reuse none, 1 MiB"),
              ("conv act", (256, "none"), "conv_act", "reuse none, 256 KiB"),
              ("conv act", (1024, "liveness"), "conv_act", "reuse liveness, 1 MiB"),
              ("act", (1024, "none"), "act", "every layer, reuse none, 1 MiB"),
              ("off-chip act", None, "act", f"{PIPELINED}, pipelined")]
    fig, axes = plt.subplots(1, len(panels), figsize=(4.6 * len(panels), 4.6))
    for ax, (what, key, field, title) in zip(axes, panels):
        recs = piped if key is None else configs[key]
        xs = [r["cio"] / 1e6 for r in recs.values()]
        ys = [r[field] / 1e6 for r in recs.values()]
        ax.scatter(xs, ys, s=14, label="network")
        for n, x, y in zip(recs, xs, ys):
            ax.annotate(n, (x, y), fontsize=5)
        identity_line(ax, xs, ys, "traffic = CIO")
        ax.set_title(f"{title}: r = {pearson(xs, ys):.3f}", fontsize=9)
        ax.set_xlabel("CIO (MB, int8)")
        ax.set_ylabel(f"simulated {what} DRAM traffic (MB)")
        ax.legend(fontsize=7, loc="upper left")
    savefig(fig, "cio_vs_traffic.png")
    plt.close(fig)
