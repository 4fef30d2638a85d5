"""H3 — HarDNet against its baselines: DRAM traffic (activations and weights apart), latency
and energy at 224x224 on three presets, and at the resolutions HarDNet's GPU times were
measured at: 1024x1024 (server-128x128, the GPU-sized NPU) and 320x320 (edge-32x32, the
Jetson Nano's place), at batch 1 and 8."""
import matplotlib.pyplot as plt

from lib import by_kind, change, dram_bytes, md_table, pct, savefig

NETS = ["hardnet68", "resnet50", "densenet121", "densenet201", "hardnet85", "resnet101", "hardnet39ds",
        "hardnet68ds", "mobilenet_v2"]
PAIRS = [("hardnet68", "resnet50"), ("hardnet68", "densenet121"), ("hardnet68", "densenet201"),
         ("hardnet85", "resnet101"), ("hardnet85", "densenet201"), ("hardnet39ds", "mobilenet_v2"),
         ("hardnet68ds", "mobilenet_v2")]
NATIVE = ["edge-16x16", "edge-32x32", "server-128x128"]
PAPER_SETTINGS = [("server-128x128", 1024), ("edge-32x32", 320)]


def _row(t, kinds):
    act = sum(v for k, v in kinds.items() if k != "weight")
    return [f"{act / 1e6:.1f}", f"{kinds['weight'] / 1e6:.1f}", f"{kinds['weight'] / (act + kinds['weight']):.2f}",
            f"{t['macs'] / 1e9:.2f}", f"{t['time_ns'] / 1e6:.3f}", f"{t['fps']:.1f}",
            f"{t['energy_per_inference_mj']:.3f}", f"{t['pe_utilization']:.2f}"]


def _pairs(ctx, res, tag, variants):
    """Rows of pair comparisons; res[(net, variant)] = report."""
    rows = []
    for a, b in PAIRS:
        for v in variants:
            ra, rb = res[(a, v)], res[(b, v)]
            ka, kb = by_kind(ra), by_kind(rb)
            act_a, act_b = dram_bytes(ra) - ka["weight"], dram_bytes(rb) - kb["weight"]
            ta, tb = ra["totals"], rb["totals"]
            rows.append([f"{a} vs {b}", str(v), pct(dram_bytes(ra), dram_bytes(rb)), pct(act_a, act_b),
                         pct(ta["time_ns"], tb["time_ns"]), pct(ta["energy_per_inference_mj"],
                                                                 tb["energy_per_inference_mj"])])
            key = f"h3.{tag}.{v}.{a}-vs-{b}"
            for what, new, old in [("traffic", dram_bytes(ra), dram_bytes(rb)), ("act", act_a, act_b),
                                   ("time", ta["time_ns"], tb["time_ns"]),
                                   ("energy", ta["energy_per_inference_mj"], tb["energy_per_inference_mj"])]:
                ctx.put(f"{key}.{what}", change(new, old), "{:+.0%}")
    return md_table(["pair", "setting", "DRAM traffic", "activation traffic", "latency", "energy"], rows)


HEADER = ["network", "setting", "act MB", "weight MB", "weight share", "GMAC", "latency ms", "FPS", "mJ / inference",
          "PE util"]


def run(ctx):
    section = "## H3. HarDNet against its baselines\n\n"
    fig, axes = plt.subplots(1, len(NATIVE) + len(PAPER_SETTINGS), figsize=(5 * (len(NATIVE) + 2), 4.2))
    panels = []
    for arch in NATIVE:
        pts = ctx.sweep(f"h3-{arch}", {"base": arch, "networks": NETS,
                                       "axes": [{"field": "reuse", "values": ["none", "liveness"]}]})
        res = {(s["net"], s["reuse"]): rep for s, rep in pts}
        rows = [[n, r] + _row(res[(n, r)]["totals"], by_kind(res[(n, r)])) for n in NETS for r in ("none", "liveness")]
        section += f"### {arch}, 224x224, batch 1\n\n" + md_table(HEADER, rows)
        section += "\n" + _pairs(ctx, res, arch, ["none", "liveness"]) + "\n"
        for n in NETS:
            k = by_kind(res[(n, "none")])
            ctx.put(f"h3.{arch}.{n}.weight_share", k["weight"] / sum(k.values()), "{:.0%}")
        panels.append((f"{arch}, 224, reuse none", {n: res[(n, "none")] for n in NETS}))
    for arch, size in PAPER_SETTINGS:
        res = {}
        for batch in (1, 8):
            pts = ctx.sweep(f"h3-{arch}-{size}-b{batch}", {"base": arch, "networks": NETS,
                                                           "run": {"input": size, "batch": batch}})
            res.update({(s["net"], batch): rep for s, rep in pts})
        rows = [[n, f"batch {b}"] + _row(res[(n, b)]["totals"], by_kind(res[(n, b)])) for n in NETS for b in (1, 8)]
        section += (f"### {arch}, {size}x{size} (HarDNet's {'GPU' if size == 1024 else 'Jetson Nano'} "
                    f"resolution), reuse none; per batch: traffic, energy over the batch's inferences\n\n")
        section += md_table(HEADER, rows) + "\n" + _pairs(ctx, res, f"{arch}-{size}", [1, 8]) + "\n"
        for n in NETS:
            k = by_kind(res[(n, 1)])
            ctx.put(f"h3.{arch}-{size}.{n}.weight_share", k["weight"] / sum(k.values()), "{:.0%}")
        panels.append((f"{arch}, {size}, batch 1", {n: res[(n, 1)] for n in NETS}))
    for ax, (title, res) in zip(axes, panels):
        xs = range(len(NETS))
        ax.bar([x - 0.2 for x in xs], [res[n]["totals"]["time_ns"] / 1e6 for n in NETS], 0.4, label="latency")
        ax2 = ax.twinx()
        ax2.bar([x + 0.2 for x in xs], [(dram_bytes(res[n]) - by_kind(res[n])["weight"]) / 1e6 for n in NETS], 0.4,
                color="tab:orange", label="activation traffic")
        ax2.bar([x + 0.2 for x in xs], [by_kind(res[n])["weight"] / 1e6 for n in NETS], 0.4,
                bottom=[(dram_bytes(res[n]) - by_kind(res[n])["weight"]) / 1e6 for n in NETS], color="tab:green",
                label="weight traffic")
        ax.set_xticks(list(xs))
        ax.set_xticklabels(NETS, rotation=45, ha="right", fontsize=7)
        ax.set_ylabel("latency (ms)")
        ax2.set_ylabel("DRAM traffic (MB)")
        ax.set_title(title, fontsize=9)
        h1, l1 = ax.get_legend_handles_labels()
        h2, l2 = ax2.get_legend_handles_labels()
        ax.legend(h1 + h2, l1 + l2, fontsize=6, loc="upper left")
    savefig(fig, "hardnet_vs_baselines.png")
    plt.close(fig)
    ctx.tables.append(section)
