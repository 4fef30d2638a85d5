"""C2 — CSPNet: CSPResNeXt-50 has a lower CIO than ResNeXt-50 (32.6 M against 34.4 M, CIO
with the pooling layers' inputs and outputs, darknet cfgs at 256x256) and 22 % less
computation; and so less memory traffic. The four official pairs: parameters, MACs, both
CIO conventions, DRAM traffic by tensor kind, latency and energy."""
from c1_bottleneck import PAIRS
from lib import KINDS, by_kind, change, dram_bytes, md_table, pct

PRESETS = ["edge-32x32", "server-128x128"]


def run(ctx):
    section = ("## C2. CSP networks against their baselines: CIO, MACs, traffic, latency, energy\n\n"
               "`CIO` = HarDNet's eq. (1), conv inputs + outputs; `CIO+pools` = CSPNet's convention (adds the "
               "inputs and outputs of max and average pooling layers). Counts of `npusim info` at each network's "
               "zoo resolution (256x256 for the darknet classifiers, 224x224 for PeleeNet and the MobileNets).\n\n")
    rows = []
    for base, csp in PAIRS:
        for net in (base, csp):
            i = ctx.info(net)
            rows.append([net, f"{i['params'] / 1e6:.2f}", f"{i['macs'] / 1e9:.3f}", f"{i['cio'] / 1e6:.2f}",
                         f"{i['cio_with_pools'] / 1e6:.2f}"])
            for k in ("params", "cio", "cio_with_pools"):
                ctx.put(f"c2.{net}.{k}", i[k] / 1e6, "{:.2f}")
            ctx.put(f"c2.{net}.gmacs", i["macs"] / 1e9, "{:.3f}")
        ib, ic = ctx.info(base), ctx.info(csp)
        rows.append([f"{csp} vs {base}"] + [pct(ic[k], ib[k]) for k in ("params", "macs", "cio", "cio_with_pools")])
        for k in ("params", "macs", "cio", "cio_with_pools"):
            ctx.put(f"c2.{csp}.{k}.change", change(ic[k], ib[k]), "{:+.1%}")
    section += md_table(["network", "params M", "GMAC", "CIO M", "CIO+pools M"], rows)
    for arch in PRESETS:
        pts = ctx.sweep(f"c2-{arch}", {"base": arch, "networks": [n for p in PAIRS for n in p],
                                       "axes": [{"field": "reuse", "values": ["none", "liveness"]}]})
        res = {(s["net"], s["reuse"]): rep for s, rep in pts}
        rows = []
        for base, csp in PAIRS:
            for reuse in ("none", "liveness"):
                for net in (base, csp):
                    rep = res[(net, reuse)]
                    k, t = by_kind(rep), rep["totals"]
                    rows.append([net, reuse] + [f"{k[kind] / 1e6:.2f}" for kind in KINDS] +
                                [f"{dram_bytes(rep) / 1e6:.2f}", f"{t['time_ns'] / 1e6:.3f}",
                                 f"{t['energy_per_inference_mj']:.3f}"])
                rb, rc = res[(base, reuse)], res[(csp, reuse)]
                kb, kc = by_kind(rb), by_kind(rc)
                act_b, act_c = dram_bytes(rb) - kb["weight"], dram_bytes(rc) - kc["weight"]
                d = {"traffic": change(dram_bytes(rc), dram_bytes(rb)), "act": change(act_c, act_b),
                     "weight": change(kc["weight"], kb["weight"]),
                     "time": change(rc["totals"]["time_ns"], rb["totals"]["time_ns"]),
                     "energy": change(rc["totals"]["energy_per_inference_mj"], rb["totals"]["energy_per_inference_mj"])}
                rows.append([f"{csp} vs {base}", reuse, "", f"{100 * d['weight']:+.1f}%", "", "", "",
                             f"{100 * d['traffic']:+.1f}% (act {100 * d['act']:+.1f}%)", f"{100 * d['time']:+.1f}%",
                             f"{100 * d['energy']:+.1f}%"])
                for what, v in d.items():
                    ctx.put(f"c2.{arch}.{reuse}.{csp}.{what}", v, "{:+.0%}")
        section += (f"\n### {arch}: DRAM MB by tensor kind, latency, energy\n\n" +
                    md_table(["network", "reuse"] + [f"{k} MB" for k in KINDS] + ["all MB", "latency ms",
                                                                                  "mJ / inference"], rows))
    ctx.tables.append(section)
