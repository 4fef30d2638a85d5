"""Detectors, the setting CSPNet stresses: YOLOv3 (Darknet-53) against YOLOv4 (CSPDarknet-53
with SPP and PANet) from AlexeyAB darknet's cfg/yolov3.cfg and cfg/yolov4.cfg, imported by
npusim's darknet importer, at 416x416 and 608x608, on sequential and pipelined presets."""
import os
import sys

from lib import by_kind, change, dram_bytes, md_table

CFGS = ["yolov3", "yolov4"]
SIZES = [416, 608]
SEQUENTIAL = ["edge-32x32", "server-128x128"]
PIPELINED = ["dataflow-16x8x8", "dataflow-hailo8"]
FRAMES = 2  # every context loads its weights once per batch: fps is over the batch


def cfg_paths(ctx):
    if not ctx.darknet_cfg:
        sys.exit("run_all.py: the detector experiment needs AlexeyAB darknet's cfg directory: --darknet-cfg DIR "
                 "(a checkout of github.com/AlexeyAB/darknet has it as cfg/)")
    paths = [os.path.join(ctx.darknet_cfg, c + ".cfg") for c in CFGS]
    for p in paths:
        if not os.path.isfile(p):
            sys.exit(f"run_all.py: --darknet-cfg: {p} does not exist (expected cfg/yolov3.cfg and cfg/yolov4.cfg "
                     "of AlexeyAB darknet)")
    return paths


def _name(settings):
    return os.path.basename(settings["net"])[:-4]


def run(ctx):
    paths = cfg_paths(ctx)
    section = ("## Detectors: YOLOv3 against YOLOv4 (AlexeyAB darknet cfgs)\n\n"
               f"Sequential presets at batch 1, reuse none; pipelined presets stream {FRAMES} frames (both "
               "networks need several contexts there, so fps is frames over the batch's time).\n\n")
    rows = []
    for size in SIZES:
        v3, v4 = (ctx.info(p, "--input", str(size)) for p in paths)
        for n, i in zip(CFGS, (v3, v4)):
            rows.append([n, str(size), f"{i['params'] / 1e6:.2f}", f"{i['macs'] / 1e9:.2f}", f"{i['cio'] / 1e6:.1f}",
                         f"{i['cio_with_pools'] / 1e6:.1f}"])
            ctx.put(f"det.{n}.{size}.gmacs", i["macs"] / 1e9, "{:.1f}")
            ctx.put(f"det.{n}.{size}.cio", i["cio"] / 1e6, "{:.0f}")
            if size == SIZES[0]:  # parameters do not depend on the input
                ctx.put(f"det.{n}.params", i["params"] / 1e6, "{:.1f}")
        ctx.put(f"det.{size}.macs.change", change(v4["macs"], v3["macs"]), "{:+.0%}")
        ctx.put(f"det.{size}.cio.change", change(v4["cio"], v3["cio"]), "{:+.0%}")
    section += md_table(["network", "input", "params M", "GMAC", "CIO M", "CIO+pools M"], rows) + "\n"
    rows = []
    for arch in SEQUENTIAL + PIPELINED:
        spec = {"base": arch, "networks": paths, "axes": [{"field": "input", "values": SIZES}]}
        if arch in PIPELINED:
            spec["run"] = {"frames": FRAMES}
        res = {(_name(s), s["input"]): rep for s, rep in ctx.sweep(f"det-{arch}", spec)}
        for size in SIZES:
            for n in CFGS:
                rep = res[(n, size)]
                t, k = rep["totals"], by_kind(rep)
                p = rep.get("pipeline")
                per_frame = 1 / FRAMES if p else 1  # a pipelined report's bytes count the batch
                rows.append([arch, n, str(size), f"{t['fps']:.1f}", f"{t['pe_utilization']:.3f}",
                             f"{(dram_bytes(rep) - k['weight']) * per_frame / 1e6:.0f}",
                             f"{k['weight'] * per_frame / 1e6:.0f}",
                             f"{t['energy_per_inference_mj']:.1f}",
                             f"{p['balance']:.2f}" if p else "-", str(p["contexts"]) if p else "-",
                             ", ".join(p["bottleneck"]["layers"]) if p else "-"])
                ctx.put(f"det.{arch}.{n}.{size}.fps", t["fps"], "{:.1f}")
            a, b = res[("yolov4", size)], res[("yolov3", size)]
            ctx.put(f"det.{arch}.{size}.fps.change", change(a["totals"]["fps"], b["totals"]["fps"]), "{:+.0%}")
            ctx.put(f"det.{arch}.{size}.traffic.change", change(dram_bytes(a), dram_bytes(b)), "{:+.0%}")
            ctx.put(f"det.{arch}.{size}.energy.change", change(a["totals"]["energy_per_inference_mj"],
                                                              b["totals"]["energy_per_inference_mj"]), "{:+.0%}")
    section += md_table(["preset", "network", "input", "fps", "PE util", "activation MB / frame", "weight MB / frame",
                         "mJ / inference", "balance", "contexts", "bottleneck layers"], rows)
    ctx.tables.append(section)
