"""npusim from Python.

Every call runs the ``npusim`` binary in a subprocess (SystemC allows one simulation per
process, so calls may run in parallel, e.g. from threads of one notebook) and reads what it
wrote: ``report.json``, ``layers.csv``, a sweep's ``results.csv``. The binary is found
through ``NPUSIM_BIN``, then the build folder of the source tree this package came from,
then ``PATH``.

    import npusim
    r = npusim.run("hardnet68", arch="edge-32x32", set={"pe.rows": 16})
    r.totals["fps"], r.layers[["name", "cycles"]]
    df = npusim.sweep({"base": "edge-32x32", "networks": ["resnet18"],
                       "axes": [{"field": "pe.rows", "values": [16, 32]}]})

Errors of npusim (bad input, a failed check) raise :class:`Error` with the CLI's one-line
message and exit code.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Mapping, Optional, Sequence, Union

import pandas as pd

__all__ = ["Error", "Run", "binary", "run", "load", "info", "map", "sweep", "compare"]
__version__ = "0.2.0"


class Error(Exception):
    """npusim exited non-zero: ``message`` is its last line on stderr, ``exit_code`` its status
    (2 bad input, 1 a failed check, 128+N a signal), ``command`` what was run."""

    def __init__(self, message: str, exit_code: int, command: Sequence[str]):
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code
        self.command = list(command)


def binary() -> str:
    """The npusim binary: $NPUSIM_BIN, else <source tree>/build/npusim, else `npusim` on PATH."""
    env = os.environ.get("NPUSIM_BIN")
    if env:
        if not os.access(env, os.X_OK):
            raise Error(f"NPUSIM_BIN={env}: not an executable file", 2, [])
        return env
    here = Path(__file__).resolve().parent
    for root in (here.parent.parent, here.parent):  # python/npusim -> the repository
        candidate = root / "build" / "npusim"
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which("npusim")
    if found:
        return found
    raise Error("npusim binary not found: set NPUSIM_BIN, build the source tree (scripts/setup.sh) "
                "or put npusim on PATH", 2, [])


def _call(args: Sequence[str], ok: Sequence[int] = (0,)) -> subprocess.CompletedProcess:
    cmd = [binary(), *args]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode not in ok:
        lines = [l for l in p.stderr.splitlines() if l.strip()]
        raise Error(lines[-1] if lines else f"npusim exited with status {p.returncode}", p.returncode, cmd)
    return p


def _run_flags(net, batch, reuse, objective, input) -> list:
    """The options `run` and `map` share, each only when it differs from the CLI's default."""
    flags = []
    if net is not None:
        flags += ["--net", str(net)]
    if batch != 1:
        flags += ["--batch", str(batch)]
    if reuse != "none":
        flags += ["--reuse", reuse]
    if objective is not None:
        flags += ["--objective", objective]
    if input is not None:
        flags += ["--input", str(input)]
    return flags


def _set_flags(settings: Optional[Mapping[str, Any]]) -> list:
    flags = []
    for k, v in (settings or {}).items():
        value = json.dumps(v) if not isinstance(v, str) else v
        flags += ["--set", f"{k}={value}"]
    return flags


@dataclass
class Run:
    """A finished run, read from its folder.

    ``totals`` (dict), ``layers`` (DataFrame, one row per layer; units in
    ``layers.attrs["units"]``), ``energy`` (DataFrame: pJ per layer and component, a
    ``total`` row last), ``pipeline`` (dict with a ``stages`` DataFrame, pipelined runs
    only, else None), ``report`` (the raw report.json), ``path``."""

    path: Path
    report: Dict[str, Any]
    totals: Dict[str, Any] = field(init=False)
    layers: pd.DataFrame = field(init=False)
    energy: pd.DataFrame = field(init=False)
    pipeline: Optional[Dict[str, Any]] = field(init=False)

    def __post_init__(self):
        self.totals = self.report["totals"]
        self.layers = pd.read_csv(self.path / "layers.csv") if (self.path / "layers.csv").exists() else pd.DataFrame()
        units_file = self.path / "layers.units.json"
        self.layers.attrs["units"] = json.loads(units_file.read_text())["units"] if units_file.exists() else {}
        rows = [dict(layer=l["name"], **l.get("energy_breakdown_pj", {})) for l in self.report.get("layers", [])]
        rows.append(dict(layer="total", **self.totals.get("energy_breakdown_pj", {})))
        self.energy = pd.DataFrame(rows).set_index("layer")
        self.energy.attrs["units"] = "pJ"
        p = self.report.get("pipeline")
        if p:
            self.pipeline = dict(p)
            self.pipeline["stages"] = pd.DataFrame(p["stages"])
        else:
            self.pipeline = None

    def __repr__(self) -> str:
        t = self.totals
        return (f"<npusim.Run {self.report['network']} on {self.report['arch']}: {t['cycles']} cycles, "
                f"{t['fps']:.1f} fps, {t['energy_pj'] * 1e-9:.3f} mJ, {self.path}>")


def load(report_dir: Union[str, os.PathLike]) -> Run:
    """The run whose report.json (and layers.csv) are in `report_dir`."""
    path = Path(report_dir)
    f = path / "report.json"
    if not f.is_file():
        raise Error(f"{path}: no report.json (not a run folder)", 2, [])
    return Run(path, json.loads(f.read_text()))


def run(net: Optional[str] = None, arch: str = "edge-32x32", set: Optional[Mapping[str, Any]] = None,
        batch: int = 1, reuse: str = "none", frames: Optional[int] = None,
        out: Optional[Union[str, os.PathLike]] = None, objective: Optional[str] = None,
        input: Union[int, str, None] = None, schedule: Optional[str] = None, html: bool = True) -> Run:
    """`npusim run`: simulates `net` (a zoo name or a network file; hardnet68 by default) on
    `arch` (a preset or file) with `set` overrides ({"pe.rows": 64}); `frames` for pipelined
    architectures. Writes to `out` (a new temporary folder if None) and returns the Run."""
    out_dir = Path(out) if out is not None else Path(tempfile.mkdtemp(prefix="npusim-run-"))
    args = ["run", "--arch", arch, "--out", str(out_dir), "--quiet", *_set_flags(set),
            *_run_flags(net, batch, reuse, objective, input)]
    if frames is not None:
        args += ["--frames", str(frames)]
    if schedule is not None:
        args += ["--schedule", str(schedule)]
    if not html:
        args += ["--no-html"]
    _call(args)
    return load(out_dir)


def info(net: str, input: Union[int, str, None] = None) -> pd.DataFrame:
    """`npusim info --json`: one row per layer (shape, MACs, parameters, CIO); the network's
    totals in ``attrs``."""
    args = ["info", "--net", str(net), "--json"] + (["--input", str(input)] if input is not None else [])
    doc = json.loads(_call(args).stdout)
    df = pd.DataFrame(doc["layers"])
    df.attrs.update({k: v for k, v in doc.items() if k not in ("layers", "provenance")})
    return df


def map(net: Optional[str] = None, arch: str = "edge-32x32", set: Optional[Mapping[str, Any]] = None,
        batch: int = 1, reuse: str = "none", objective: Optional[str] = None,
        input: Union[int, str, None] = None) -> pd.DataFrame:
    """`npusim map --json`: the schedule of every layer (sequential architectures) or the
    stages of every context (pipelined ones), as a DataFrame; the whole plan in
    ``attrs["plan"]``."""
    args = ["map", "--arch", arch, "--json", *_set_flags(set), *_run_flags(net, batch, reuse, objective, input)]
    doc = json.loads(_call(args).stdout)
    if "contexts" in doc:  # a pipeline plan
        rows = [dict(context=ci, stage=si, cores=s["cores"], est_cycles_per_frame=s["est_cycles_per_frame"],
                     sram_bytes_per_core=s["sram_bytes_per_core"], layers=[l["name"] for l in s["layers"]])
                for ci, c in enumerate(doc["contexts"]) for si, s in enumerate(c["stages"])]
        df = pd.DataFrame(rows)
    else:
        df = pd.json_normalize(doc["layers"])
    df.attrs["plan"] = doc
    return df


def sweep(spec_or_dict: Union[str, os.PathLike, Mapping[str, Any]], jobs: int = 2,
          out: Optional[Union[str, os.PathLike]] = None) -> pd.DataFrame:
    """`npusim sweep`: every point of a spec file or dict (docs/sweep.md) as its own run,
    `jobs` at a time; one row per point with its settings and metrics as columns. Failed
    points are rows with status "failed" (and their error); bad specs raise Error."""
    out_dir = Path(out) if out is not None else Path(tempfile.mkdtemp(prefix="npusim-sweep-"))
    if isinstance(spec_or_dict, Mapping):
        out_dir.mkdir(parents=True, exist_ok=True)
        spec_path = out_dir / "spec.json"
        spec_path.write_text(json.dumps(spec_or_dict, indent=2))
    else:
        spec_path = Path(spec_or_dict)
    _call(["sweep", str(spec_path), "--out", str(out_dir), "--jobs", str(jobs), "--quiet"], ok=(0, 1))
    df = pd.read_csv(out_dir / "results.csv")
    df.attrs["path"] = str(out_dir)
    return df


def compare(a: Union[str, os.PathLike, Run], b: Union[str, os.PathLike, Run], tolerance: float = 0.0) -> Dict[str, Any]:
    """`npusim compare A B --json`: every metric of A against B as (B - A) / |A|; the dict's
    ``passed`` says whether all are within `tolerance`."""
    pa = a.path if isinstance(a, Run) else a
    pb = b.path if isinstance(b, Run) else b
    p = _call(["compare", str(pa), str(pb), "--tolerance", repr(float(tolerance)), "--json"], ok=(0, 1))
    doc = json.loads(p.stdout)
    doc["passed"] = p.returncode == 0
    return doc
