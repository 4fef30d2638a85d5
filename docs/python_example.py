import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import npusim

spec = {
    "name": "array-sizes",
    "base": "edge-32x32",
    "networks": ["hardnet68", "resnet50"],
    "axes": [{"field": ["pe.rows", "pe.cols"], "values": [[8, 8], [16, 16], [32, 32], [64, 64]]},
             {"field": "sram.global_kib", "values": [512, 2048]}],
}
df = npusim.sweep(spec, jobs=2, out="sweep-array-sizes")
df["latency_ms"] = df["time_ns"] * 1e-6

def pareto(g):
    g = g.sort_values(["latency_ms", "energy_per_inference_mj"])
    return g[g["energy_per_inference_mj"] <= g["energy_per_inference_mj"].cummin()]

fig, ax = plt.subplots(figsize=(6, 4))
for net, g in df.groupby("net"):
    ax.scatter(g["latency_ms"], g["energy_per_inference_mj"], alpha=0.5, label=f"{net} points")
    f = pareto(g)
    ax.plot(f["latency_ms"], f["energy_per_inference_mj"], marker="o", label=f"{net} Pareto front")
ax.set_xscale("log"); ax.set_xlabel("latency (ms)"); ax.set_ylabel("energy per inference (mJ)")
ax.legend(fontsize=8); fig.tight_layout(); fig.savefig("pareto.png", dpi=120)
print(df[["net", "pe.rows", "sram.global_kib", "latency_ms", "energy_per_inference_mj", "pe_utilization"]]
      .sort_values(["net", "latency_ms"]).to_string(index=False))
