"""C1 — CSPNet: splitting the base layer's channels spreads computation evenly and removes
computational bottlenecks. Where a bottleneck costs throughput directly is a layer-pipelined
dataflow NPU (the slowest stage sets the frame rate), so each official CSP/baseline pair runs
on both pipelined presets at equal resources, and on the sequential edge-32x32 (the PEs and
SRAM of dataflow-16x8x8 as one array) for contrast."""
import statistics

import matplotlib.pyplot as plt

from lib import change, mac_layer_utilization, md_table, pct, savefig

PAIRS = [("resnext50_darknet", "cspresnext50"), ("darknet53", "cspdarknet53"), ("resnet50_darknet", "cspresnet50"),
         ("mobilenet_v2_darknet", "csmobilenet_v2"), ("peleenet", "csppeleenet")]
PIPELINED = ["dataflow-16x8x8", "dataflow-hailo8"]
SEQUENTIAL = "edge-32x32"
FRAMES = 8


def _layers(names, n=3):
    return ", ".join(names[:n]) + (f" +{len(names) - n}" if len(names) > n else "")


def _pipelined(ctx, arch):
    rows, res = [], {}
    pts = ctx.sweep(f"c1-{arch}", {"base": arch, "networks": [n for p in PAIRS for n in p],
                                   "run": {"frames": FRAMES}})
    for s, rep in pts:
        p, t = rep["pipeline"], rep["totals"]
        bott = p["bottleneck"]
        stages = [st for st in p["stages"] if st["context"] == bott["context"]]
        slow = max(stages, key=lambda st: st["cycles_per_frame"])
        utils = [st["pe_utilization"] for st in stages]
        r = {"fps": t["fps"], "balance": p["balance"], "contexts": p["contexts"], "stages": len(stages),
             "bottleneck_stage": bott["stage"], "bottleneck_layers": bott["layers"], "bottleneck_share": bott["share"],
             "bottleneck_cycles": slow["cycles_per_frame"], "bottleneck_cores": slow["cores"],
             "stage_util_mean": statistics.fmean(utils), "stage_util_min": min(utils), "stage_util_max": max(utils),
             "pe_utilization": t["pe_utilization"], "latency_ms": t["latency_ns"] / 1e6,
             "energy_per_frame_mj": p["energy_per_frame_pj"] / 1e9, "stage_cycles": [st["cycles_per_frame"]
                                                                                     for st in stages]}
        res[s["net"]] = r
        rows.append([s["net"], f"{r['fps']:.1f}", f"{r['balance']:.2f}", str(r["contexts"]), str(r["stages"]),
                     f"{r['bottleneck_stage']} ({_layers(r['bottleneck_layers'])}; {r['bottleneck_cores']} cores)",
                     f"{r['bottleneck_cycles'] / 1e3:.0f}", f"{r['bottleneck_share']:.3f}",
                     f"{r['stage_util_mean']:.2f} / {r['stage_util_min']:.2f} / {r['stage_util_max']:.2f}",
                     f"{r['pe_utilization']:.3f}", f"{r['latency_ms']:.2f}", f"{r['energy_per_frame_mj']:.3f}"])
    table = md_table(["network", "fps", "balance", "contexts", "stages", "bottleneck stage (layers; cores)",
                      "its kcycles/frame", "its share", "stage PE util mean/min/max", "PE util", "latency ms",
                      "mJ/frame"], rows)
    return res, table


def _sequential(ctx):
    rows, res = [], {}
    pts = ctx.sweep(f"c1-{SEQUENTIAL}", {"base": SEQUENTIAL, "networks": [n for p in PAIRS for n in p]})
    for s, rep in pts:
        t = rep["totals"]
        util_mac, vector_share = mac_layer_utilization(rep)
        cyc = [l["cycles"] for l in rep["layers"]]
        slow = max(rep["layers"], key=lambda l: l["cycles"])
        r = {"fps": t["fps"], "pe_utilization": t["pe_utilization"], "util_mac_layers": util_mac,
             "non_mac_share": vector_share, "max_over_mean_cycles": max(cyc) / statistics.fmean(cyc),
             "slowest_layer": slow["name"], "slowest_share": slow["cycles"] / t["cycles"],
             "layer_cycles": cyc, "macs": t["macs"]}
        info = ctx.info(s["net"])["bottleneck"]
        r["max_over_mean_macs"], r["cv_macs"] = info["max_over_mean"], info["coefficient_of_variation"]
        res[s["net"]] = r
        rows.append([s["net"], f"{r['fps']:.1f}", f"{r['pe_utilization']:.3f}", f"{util_mac:.3f}",
                     f"{vector_share:.3f}", f"{r['max_over_mean_macs']:.2f}", f"{r['cv_macs']:.2f}",
                     f"{r['max_over_mean_cycles']:.2f}", f"{slow['name']} ({r['slowest_share']:.1%})"])
    table = md_table(["network", "fps", "PE util", "PE util over MAC layers", "share of cycles in non-MAC layers",
                      "max/mean layer MACs", "CV layer MACs", "max/mean layer cycles", "slowest layer (share)"], rows)
    return res, table


def run(ctx):
    section = ("## C1. The computational bottleneck: CSP pairs on pipelined and sequential NPUs\n\n"
               f"Pipelined presets stream {FRAMES} frames; `balance` = mean stage cycles / slowest stage cycles in the "
               "context that takes longest, `its share` = the slowest stage's cycles over the sum of its context's "
               "stages; a network that needs several contexts runs them one after another, each loading its "
               "weights once per batch. The sequential preset has the same PEs and SRAM as dataflow-16x8x8.\n\n")
    ctx.put("c1.frames", FRAMES, "{}")
    seq, seq_table = _sequential(ctx)
    section += f"### {SEQUENTIAL} (sequential)\n\n" + seq_table + "\n"
    piped = {}
    for arch in PIPELINED:
        piped[arch], table = _pipelined(ctx, arch)
        section += f"### {arch} (pipelined)\n\n" + table + "\n"
    rows = []
    for base, csp in PAIRS:
        row = [f"{csp} vs {base}", pct(seq[csp]["fps"], seq[base]["fps"]),
               pct(seq[csp]["util_mac_layers"], seq[base]["util_mac_layers"])]
        ctx.put(f"c1.{SEQUENTIAL}.{csp}.fps_change", change(seq[csp]["fps"], seq[base]["fps"]), "{:+.0%}")
        ctx.put(f"c1.{SEQUENTIAL}.{csp}.util_mac", seq[csp]["util_mac_layers"], "{:.0%}")
        ctx.put(f"c1.{SEQUENTIAL}.{base}.util_mac", seq[base]["util_mac_layers"], "{:.0%}")
        ctx.put(f"c1.{SEQUENTIAL}.{csp}.non_mac_share", seq[csp]["non_mac_share"], "{:.0%}")
        ctx.put(f"c1.{SEQUENTIAL}.{base}.non_mac_share", seq[base]["non_mac_share"], "{:.0%}")
        ctx.put(f"c1.macs.{csp}.max_over_mean", seq[csp]["max_over_mean_macs"])
        ctx.put(f"c1.macs.{base}.max_over_mean", seq[base]["max_over_mean_macs"])
        for arch in PIPELINED:
            p = piped[arch]
            row += [pct(p[csp]["fps"], p[base]["fps"]), f"{p[base]['balance']:.2f} -> {p[csp]['balance']:.2f}",
                    f"{p[base]['bottleneck_share']:.3f} -> {p[csp]['bottleneck_share']:.3f}"]
            ctx.put(f"c1.{arch}.{csp}.fps_change", change(p[csp]["fps"], p[base]["fps"]), "{:+.0%}")
            for net in (base, csp):
                ctx.put(f"c1.{arch}.{net}.balance", p[net]["balance"])
                ctx.put(f"c1.{arch}.{net}.contexts", p[net]["contexts"], "{}")
                ctx.put(f"c1.{arch}.{net}.fps", p[net]["fps"], "{:.0f}")
                ctx.put(f"c1.{arch}.{net}.bottleneck", _layers(p[net]["bottleneck_layers"]), "{}")
                ctx.put(f"c1.{arch}.{net}.stage_util_mean", p[net]["stage_util_mean"], "{:.0%}")
        rows.append(row)
    section += "### CSP against its baseline\n\n" + md_table(
        ["pair", f"{SEQUENTIAL} fps", f"{SEQUENTIAL} util over MAC layers"] +
        [h for a in PIPELINED for h in (f"{a} fps", f"{a} balance", f"{a} bottleneck share")], rows)
    ctx.summary["c1"] = {"sequential": seq, **piped}
    ctx.tables.append(section)
    _plot(seq, piped["dataflow-16x8x8"])


def _plot(seq, piped):
    fig, axes = plt.subplots(len(PAIRS), 2, figsize=(14, 3.0 * len(PAIRS)))
    for row, pair in enumerate(PAIRS):
        for net in pair:
            axes[row][0].plot([c / 1e3 for c in seq[net]["layer_cycles"]], label=net, lw=1)
            axes[row][1].step(range(len(piped[net]["stage_cycles"])), [c / 1e3 for c in piped[net]["stage_cycles"]],
                              where="mid", label=f"{net} (balance {piped[net]['balance']:.2f})")
        axes[row][0].set_xlabel(f"layer (execution order), {SEQUENTIAL}")
        axes[row][0].set_ylabel("kcycles per layer")
        axes[row][1].set_xlabel("pipeline stage, dataflow-16x8x8 (slowest context)")
        axes[row][1].set_ylabel("kcycles per frame")
        for ax in axes[row]:
            ax.legend(fontsize=7)
    savefig(fig, "bottleneck_profiles.png")
    plt.close(fig)
