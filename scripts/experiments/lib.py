"""What every experiment of run_all.py shares: running sweeps, reading reports, statistics,
tables, and the record of results (tables.md sections, summary.json values and the numbers
the prose of docs/RESULTS.md quotes)."""
import json
import math
import os
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "docs", "results")
KINDS = ["input", "weight", "output", "psum", "spill"]


class Context:
    """The run's settings and everything the experiments produce."""

    def __init__(self, npusim, work, jobs, darknet_cfg=None):
        self.npusim, self.work, self.jobs = npusim, work, jobs
        self.darknet_cfg = darknet_cfg  # AlexeyAB darknet's cfg/ directory (the detector experiment)
        self.tables = []    # markdown sections of tables.md
        self.summary = {}   # machine-readable values (summary.json)
        self.numbers = {}   # formatted numbers the prose cites: {{key}} in RESULTS.md.in
        self.simulations = 0      # points run (or kept by --resume)
        self.simulation_s = 0.0   # their summed wall time, as each point's run measured it
        self._info = {}

    def put(self, key, value, fmt="{:.2f}"):
        """Records a number for the prose (formatted) and for summary.json (raw)."""
        if key in self.numbers:
            raise KeyError(f"number {key} recorded twice")
        self.numbers[key] = fmt.format(value) if not isinstance(value, str) else value
        self.summary.setdefault("numbers", {})[key] = value

    def sweep(self, name, spec):
        """Runs a sweep spec; returns [(settings, report)] of its points, in point order."""
        os.makedirs(self.work, exist_ok=True)
        path = os.path.join(self.work, name + ".json")
        with open(path, "w") as f:
            json.dump(dict(spec, name=name), f, indent=1)
        out = os.path.join(self.work, name)
        p = subprocess.run([self.npusim, "sweep", path, "--jobs", str(self.jobs), "--out", out, "--quiet"])
        if p.returncode != 0:
            sys.exit(f"run_all.py: sweep {name} failed (see {out}/results.jsonl)")
        lines = {}
        with open(os.path.join(out, "results.jsonl")) as f:
            for line in f:
                r = json.loads(line)
                if r["status"] == "ok":
                    lines[r["id"]] = r
        points = []
        self.simulations += len(lines)
        self.simulation_s += sum(r.get("wall_s") or 0.0 for r in lines.values())
        for r in sorted(lines.values(), key=lambda r: r["index"]):
            with open(os.path.join(out, "points", r["id"], "report.json")) as f:
                points.append((r["settings"], json.load(f)))
        print(f"  {name}: {len(points)} points", file=sys.stderr)
        return points

    def info(self, net, *extra):
        """`npusim info --json`: parameters, MACs, the CIO conventions, per layer too."""
        key = (net, *extra)
        if key not in self._info:
            p = subprocess.run([self.npusim, "info", "--net", net, "--json", *extra], capture_output=True, text=True,
                               check=True)
            self._info[key] = json.loads(p.stdout)
        return self._info[key]


# ---------------------------------------------------------------- reading reports

def layer_traffic(layer, kinds=None):
    """DRAM bytes (read + written) of one layer, of the given tensor kinds (default all)."""
    return sum(layer[f"dram_{k}_read_bytes"] + layer[f"dram_{k}_write_bytes"] for k in (kinds or KINDS))


ACTIVATION_KINDS = [k for k in KINDS if k != "weight"]


def traffic(report, conv_only=False, activations=True):
    """DRAM bytes of a sequential run: activations only (inputs, outputs, partial sums,
    spills) or all, of every layer or of the convolutions only."""
    kinds = ACTIVATION_KINDS if activations else KINDS
    return sum(layer_traffic(l, kinds) for l in report["layers"] if not conv_only or l["type"] == "conv")


def by_kind(report):
    """DRAM bytes of a run per tensor kind."""
    t = report["totals"]
    return {k: t[f"dram_{k}_read_bytes"] + t[f"dram_{k}_write_bytes"] for k in KINDS}


def dram_bytes(report):
    return report["totals"]["dram_read_bytes"] + report["totals"]["dram_write_bytes"]


def mac_layer_utilization(report):
    """(PE utilization over the layers that have MACs, share of cycles in layers without);
    MACs and cycles of a report count the whole batch."""
    pes = report["arch_config"]["pe"]["rows"] * report["arch_config"]["pe"]["cols"]
    mac_cycles = sum(l["cycles"] for l in report["layers"] if l["macs"] > 0)
    total = report["totals"]["cycles"]
    macs = report["totals"]["macs"]
    return macs / (pes * mac_cycles) if mac_cycles else 0.0, 1 - mac_cycles / total


# ---------------------------------------------------------------- statistics

def pearson(x, y):
    mx, my = statistics.fmean(x), statistics.fmean(y)
    sxy = sum((a - mx) * (b - my) for a, b in zip(x, y))
    sxx = sum((a - mx) ** 2 for a in x)
    syy = sum((b - my) ** 2 for b in y)
    return sxy / math.sqrt(sxx * syy) if sxx and syy else float("nan")


def ranks(v):
    """Ranks 1..n, ties sharing their mean rank."""
    order = sorted(range(len(v)), key=lambda i: v[i])
    r = [0.0] * len(v)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and v[order[j + 1]] == v[order[i]]:
            j += 1
        for k in range(i, j + 1):
            r[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return r


def spearman(x, y):
    return pearson(ranks(x), ranks(y))


def partial(x, y, z, rank=False):
    """Correlation of x and y with z held fixed (first order: from the three pairwise
    correlations); on ranks when rank is set."""
    if rank:
        x, y, z = ranks(x), ranks(y), ranks(z)
    rxy, rxz, ryz = pearson(x, y), pearson(x, z), pearson(y, z)
    den = math.sqrt((1 - rxz ** 2) * (1 - ryz ** 2))
    return (rxy - rxz * ryz) / den if den else float("nan")


def fit(x, y):
    """Least squares y = a x + b: (a, b, R^2)."""
    mx, my = statistics.fmean(x), statistics.fmean(y)
    sxx = sum((a - mx) ** 2 for a in x)
    a = sum((p - mx) * (q - my) for p, q in zip(x, y)) / sxx
    b = my - a * mx
    ss_res = sum((q - (a * p + b)) ** 2 for p, q in zip(x, y))
    ss_tot = sum((q - my) ** 2 for q in y)
    return a, b, 1 - ss_res / ss_tot


# ---------------------------------------------------------------- tables and plots

def md_table(header, rows):
    out = "| " + " | ".join(header) + " |\n|" + "---|" * len(header) + "\n"
    for r in rows:
        out += "| " + " | ".join(str(c) for c in r) + " |\n"
    return out


def change(new, old):
    """Relative change new/old - 1."""
    return new / old - 1


def pct(new, old):
    return f"{100.0 * change(new, old):+.1f}%"


def identity_line(ax, xs, ys, label="y = x"):
    """The y = x line across the whole range of both axes (from 0)."""
    hi = max(max(xs), max(ys)) * 1.05
    ax.plot([0, hi], [0, hi], "k:", lw=0.8, label=label)
    ax.set_xlim(0, hi)
    ax.set_ylim(0, hi)


def savefig(fig, name):
    fig.tight_layout()
    fig.savefig(os.path.join(OUT, name), dpi=110)
