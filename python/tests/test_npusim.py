"""The npusim Python package against the CLI it wraps (run by ctest: python_tests)."""

import json
import os
import subprocess
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pytest

import npusim


def cli(*args):
    return subprocess.run([npusim.binary(), *args], capture_output=True, text=True, check=True)


def test_run_reads_what_the_cli_wrote(tmp_path):
    r = npusim.run("resnet18", arch="tiny-8x8", out=tmp_path / "py")
    report = json.loads((tmp_path / "py" / "report.json").read_text())
    assert r.totals == report["totals"]
    assert r.report == report
    assert list(r.layers["name"]) == [l["name"] for l in report["layers"]]
    assert r.layers["cycles"].sum() == report["totals"]["cycles"]
    assert r.layers.attrs["units"]["cycles"] == "PE-clock cycles"
    assert r.energy.loc["total"].sum() == pytest.approx(report["totals"]["energy_pj"], rel=1e-12)
    assert r.pipeline is None
    # The same command through the CLI gives the same totals.
    cli("run", "--net", "resnet18", "--arch", "tiny-8x8", "--out", str(tmp_path / "cli"), "--quiet")
    assert json.loads((tmp_path / "cli" / "report.json").read_text())["totals"] == r.totals
    assert npusim.load(tmp_path / "cli").totals == r.totals


def test_settings_and_pipelined_runs(tmp_path):
    a = npusim.run("mobilenet_v2", arch="tiny-8x8", set={"pe.rows": 16, "sram.global_kib": 128}, out=tmp_path / "a")
    assert a.report["arch_config"]["pe"]["rows"] == 16
    p = npusim.run("resnet18", arch="dataflow-16x8x8", frames=2, out=tmp_path / "p")
    assert isinstance(p.pipeline["stages"], pd.DataFrame)
    assert p.pipeline["stages"]["macs"].sum() == p.totals["macs"]
    assert p.totals["latency_ns"] > 0


def test_calls_run_in_parallel(tmp_path):
    rows = [8, 16, 32]
    with ThreadPoolExecutor(max_workers=3) as pool:
        runs = list(pool.map(lambda n: npusim.run("resnet18", arch="tiny-8x8", set={"pe.rows": n},
                                                  out=tmp_path / f"r{n}"), rows))
    assert [r.report["arch_config"]["pe"]["rows"] for r in runs] == rows
    assert len({r.totals["cycles"] for r in runs}) == 3


def test_errors_carry_the_cli_message_and_exit_code(tmp_path):
    with pytest.raises(npusim.Error) as e:
        npusim.run("nosuchnet", out=tmp_path / "x")
    assert e.value.exit_code == 2
    assert "unknown network 'nosuchnet'" in e.value.message
    with pytest.raises(npusim.Error) as e:
        npusim.run("resnet18", set={"pe.rows": 0}, out=tmp_path / "y")
    assert "field 'pe.rows'" in e.value.message
    with pytest.raises(npusim.Error):
        npusim.load(tmp_path / "nothing")


def test_binary_is_found_through_npusim_bin(monkeypatch, tmp_path):
    monkeypatch.setenv("NPUSIM_BIN", str(tmp_path / "missing"))
    with pytest.raises(npusim.Error) as e:
        npusim.binary()
    assert "NPUSIM_BIN" in e.value.message


def test_sweep_from_a_dict(tmp_path):
    spec = {"name": "py", "base": "tiny-8x8", "networks": ["resnet18"],
            "axes": [{"field": "pe.rows", "values": [8, 16]}]}
    df = npusim.sweep(spec, jobs=2, out=tmp_path / "s")
    assert len(df) == 2 and set(df["status"]) == {"ok"}
    assert sorted(df["pe.rows"]) == [8, 16]
    assert (df["cycles"] > 0).all() and "energy_per_inference_mj" in df.columns
    assert (tmp_path / "s" / "sweep.html").is_file()


def test_info_map_and_compare(tmp_path):
    i = npusim.info("hardnet68")
    assert i["macs"].sum() == i.attrs["macs"] == 4246114304
    m = npusim.map("resnet18", arch="tiny-8x8")
    assert "tiling.tk" in m.columns and m.attrs["plan"]["network"] == "resnet18"
    plan = npusim.map("resnet18", arch="dataflow-16x8x8")
    assert {"context", "stage", "cores"} <= set(plan.columns)
    a = npusim.run("resnet18", arch="tiny-8x8", out=tmp_path / "a")
    b = npusim.run("resnet18", arch="tiny-8x8", set={"pe.rows": 16}, out=tmp_path / "b")
    assert npusim.compare(a, a)["passed"]
    diff = npusim.compare(a, b, tolerance=0.001)
    assert not diff["passed"] and diff["beyond_tolerance"] > 0
