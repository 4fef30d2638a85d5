"""H4 — HarDNet's segmentation result (Sec. 4.1, Fig. 4c): on SCALE-Sim, FC-HarDNet-84 runs
35 % faster than FC-DenseNet-103; FC-HarDNet-84 has 41 % less CIO, FC-HarDNet-68 65 % less
than FC-DenseNet-56 (CamVid, 352x480). Counts against Table 2, then both pairs on the
sequential presets with SCALE-Sim's compute timing (a transposed conv timed as the ordinary
conv over its output, as the paper's SCALE-Sim runs had it) and with npusim's native
timing (the transposed conv as its phase convolutions)."""
from lib import by_kind, change, dram_bytes, md_table, pct

NETS = ["fc_densenet56", "fc_densenet103", "fc_hardnet68", "fc_hardnet84"]
PAIRS = [("fc_hardnet84", "fc_densenet103"), ("fc_hardnet68", "fc_densenet56")]
# HarDNet Table 2: params M, "GMACs" (2 x MACs), CIO MB, TitanV seconds over the 233 test images
TABLE2 = {"fc_densenet56": (1.4, 60, 1351, 6.1), "fc_densenet103": (9.4, 134, 2150, 11.4),
          "fc_hardnet68": (1.4, 15, 473, 3.1), "fc_hardnet84": (8.4, 100, 1267, 6.7)}
PRESETS = ["edge-32x32", "server-128x128"]
TIMINGS = ["scalesim", "native"]


def run(ctx):
    section = ("## H4. FC-HarDNet against FC-DenseNet (HarDNet's CamVid experiment), 352x480\n\n"
               "FC-DenseNet-56/103 follow their authors' code; FC-HarDNet-68/84 have no official definition and "
               "are our reading of HarDNet's Table 3 (docs/zoo.md). Table 2's figures beside ours: its GMACs are "
               "2 x MACs, its parameters count BN running statistics, its CIO is in fp32 MiB.\n\n")
    rows = []
    for net in NETS:
        i = ctx.info(net)
        p, g, c, t = TABLE2[net]
        rows.append([net, f"{i['params'] / 1e6:.2f}", f"{p}", f"{2 * i['macs'] / 1e9:.1f}", f"{g}",
                     f"{i['cio'] / 1e6:.0f}", f"{i['cio'] * 4 / 2 ** 20:.0f}", f"{c}", f"{t}"])
        ctx.put(f"h4.{net}.gflops", 2 * i["macs"] / 1e9, "{:.1f}")
        ctx.put(f"h4.{net}.cio_mib", i["cio"] * 4 / 2 ** 20, "{:.0f}")
    section += md_table(["network", "params M", "Table 2", "2 x GMAC", "Table 2", "CIO M", "CIO fp32 MiB", "Table 2",
                         "TitanV s (Table 2)"], rows)
    for a, b in PAIRS:
        ia, ib = ctx.info(a), ctx.info(b)
        ctx.put(f"h4.{a}-vs-{b}.cio", change(ia["cio"], ib["cio"]), "{:+.0%}")
        ctx.put(f"h4.{a}-vs-{b}.macs", change(ia["macs"], ib["macs"]), "{:+.0%}")
        ctx.put(f"h4.{a}-vs-{b}.paper_cio", change(TABLE2[a][2], TABLE2[b][2]), "{:+.0%}")
        ctx.put(f"h4.{a}-vs-{b}.paper_gpu", change(TABLE2[a][3], TABLE2[b][3]), "{:+.0%}")
    for arch in PRESETS:
        pts = ctx.sweep(f"h4-{arch}", {"base": arch, "networks": NETS,
                                       "axes": [{"field": "pe.timing", "values": TIMINGS}]})
        res = {(s["net"], s["pe.timing"]): rep for s, rep in pts}
        rows = []
        for timing in TIMINGS:
            for net in NETS:
                rep = res[(net, timing)]
                t, k = rep["totals"], by_kind(rep)
                rows.append([net, timing, f"{(dram_bytes(rep) - k['weight']) / 1e6:.1f}", f"{k['weight'] / 1e6:.1f}",
                             f"{t['time_ns'] / 1e6:.2f}", f"{t['pe_utilization']:.2f}",
                             f"{t['energy_per_inference_mj']:.2f}"])
            for a, b in PAIRS:
                ra, rb = res[(a, timing)], res[(b, timing)]
                ta, tb = ra["totals"], rb["totals"]
                rows.append([f"{a} vs {b}", timing, "", "", pct(ta["time_ns"], tb["time_ns"]), "",
                             pct(ta["energy_per_inference_mj"], tb["energy_per_inference_mj"])])
                key = f"h4.{arch}.{timing}.{a}-vs-{b}"
                ctx.put(key + ".time", change(ta["time_ns"], tb["time_ns"]), "{:+.0%}")
                ctx.put(key + ".traffic", change(dram_bytes(ra), dram_bytes(rb)), "{:+.0%}")
                ctx.put(key + ".energy", change(ta["energy_per_inference_mj"], tb["energy_per_inference_mj"]), "{:+.0%}")
        section += (f"\n### {arch}, batch 1, reuse none\n\n" +
                    md_table(["network", "PE timing", "activation MB", "weight MB", "latency ms", "PE util",
                              "mJ / inference"], rows))
    ctx.tables.append(section)
