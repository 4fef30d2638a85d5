"""YOLOv5s against YOLOv5l (the zoo's exact ultralytics v6.0 builds, 640x640): where each
layer sits on each preset's roofline. Edge engineers report the small model memory-bound
and the large one compute-bound on GPUs; this checks where they sit on npusim's presets."""
import matplotlib.pyplot as plt

from lib import layer_traffic, md_table, savefig

NETS = ["yolov5s", "yolov5l"]
PRESETS = ["edge-16x16", "edge-32x32", "server-128x128"]


def _bandwidth(report):
    """DRAM bytes per cycle of the roofline: a memory-bound layer's roofline cycles are its
    bytes over the peak bandwidth."""
    bw = [layer_traffic(l) / l["roofline_cycles"] for l in report["layers"]
          if l["roofline_bound"] == "memory" and l["roofline_cycles"] > 0]
    return max(bw) if bw else float("nan")


def run(ctx):
    section = ("## YOLOv5s against YOLOv5l: per-layer roofline (640x640, reuse none)\n\n"
               "Arithmetic intensity = a layer's MACs over its DRAM bytes (all kinds); a layer is memory-bound when "
               "its bytes at peak bandwidth take longer than its MACs at peak compute. `memory-bound cycles` = share "
               "of the run's cycles in memory-bound layers; `MAC layers memory-bound` = share of layers with MACs.\n\n")
    rows = []
    fig, axes = plt.subplots(1, len(PRESETS), figsize=(5.5 * len(PRESETS), 4.6))
    for ax, arch in zip(axes, PRESETS):
        res = {s["net"]: rep for s, rep in ctx.sweep(f"yolov5-{arch}", {"base": arch, "networks": NETS})}
        pe = res[NETS[0]]["arch_config"]["pe"]
        peak = pe["rows"] * pe["cols"]
        bw = _bandwidth(res[NETS[0]])
        for net in NETS:
            rep = res[net]
            layers = [l for l in rep["layers"] if l["macs"] > 0 and layer_traffic(l) > 0]
            mem_cycles = sum(l["cycles"] for l in rep["layers"] if l["roofline_bound"] == "memory")
            mem_layers = sum(1 for l in layers if l["roofline_bound"] == "memory")
            share = mem_cycles / rep["totals"]["cycles"]
            t = rep["totals"]
            intensity = t["macs"] / (t["dram_read_bytes"] + t["dram_write_bytes"])
            rows.append([arch, net, f"{t['fps']:.1f}", f"{t['pe_utilization']:.3f}", f"{share:.2f}",
                         f"{mem_layers}/{len(layers)}", f"{intensity:.1f}", f"{peak / bw:.1f}"])
            ctx.put(f"y5.{arch}.{net}.memory_cycles", share, "{:.0%}")
            ctx.put(f"y5.{arch}.{net}.memory_layers", mem_layers / len(layers), "{:.0%}")
            ctx.put(f"y5.{arch}.{net}.util", t["pe_utilization"], "{:.0%}")
            ctx.put(f"y5.{arch}.{net}.intensity", intensity, "{:.0f}")
            ax.scatter([l["macs"] / layer_traffic(l) for l in layers], [l["macs"] / l["cycles"] for l in layers],
                       s=10, label=net, alpha=0.7)
        ctx.put(f"y5.{arch}.ridge", peak / bw, "{:.0f}")
        xs = [0.1 * 1.2 ** i for i in range(60)]
        ax.plot(xs, [min(peak, bw * x) for x in xs], "k-", lw=0.8, label=f"roofline ({bw:.1f} B/cycle, {peak} MAC/cycle)")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("arithmetic intensity (MACs per DRAM byte)")
        ax.set_ylabel("attained MACs per cycle")
        ax.set_title(arch, fontsize=9)
        ax.legend(fontsize=7)
    savefig(fig, "yolov5_roofline.png")
    plt.close(fig)
    section += md_table(["preset", "network", "fps", "PE util", "memory-bound cycles", "MAC layers memory-bound",
                         "MACs / DRAM byte", "ridge point (MACs/byte)"], rows)
    ctx.tables.append(section)
