#!/usr/bin/env python3
"""Renders npusim's HTML pages in headless Chromium and checks them: each page renders to a
PNG that is not blank, logs no console error, and shows the numbers of the report it came
from. Exit 77 (skipped) when Chromium is missing.

    check_html.py NPUSIM OUT_DIR      (OUT_DIR keeps the pages and PNGs for a look)
"""
import html.parser
import json
import os
import shutil
import subprocess
import sys

import matplotlib.image


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


BROWSER_FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
                 "--disable-extensions", "--enable-logging=stderr", "--v=0"]


def render(browser, page, png):
    """The page as a PNG; returns the browser's console errors."""
    p = subprocess.run([browser, *BROWSER_FLAGS, "--window-size=1200,2600", f"--screenshot={png}",
                        "file://" + os.path.abspath(page)], capture_output=True, text=True, timeout=120)
    if not os.path.isfile(png):
        raise SystemExit(f"FAIL: {page}: no screenshot ({p.stderr[-400:]})")
    return [l for l in p.stderr.splitlines() if "CONSOLE" in l and ("Error" in l or "Uncaught" in l or ":ERROR:" in l)]


def dom(browser, page):
    p = subprocess.run([browser, *BROWSER_FLAGS, "--dump-dom", "file://" + os.path.abspath(page)],
                       capture_output=True, text=True, timeout=120)
    return p.stdout


class DataValues(html.parser.HTMLParser):
    """Every data-key -> data-value of a page."""

    def __init__(self):
        super().__init__()
        self.values = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "data-key" in a:
            self.values[a["data-key"]] = a.get("data-value")


def not_blank(png):
    img = matplotlib.image.imread(png)
    rgb = img[..., :3].reshape(-1, 3)
    non_white = (rgb.min(axis=1) < 0.9).mean()
    colors = len({tuple((px * 255).astype(int)) for px in rgb[:: max(1, len(rgb) // 20000)]})
    return non_white > 0.002 and colors > 8, f"{100 * non_white:.1f}% ink, {colors} colours"


def main():
    npusim, out = sys.argv[1], sys.argv[2]
    browser = chromium()
    if not browser:
        print("SKIP: no Chromium (scripts/setup.sh installs Debian's chromium)")
        return 77
    os.makedirs(out, exist_ok=True)
    failures = []
    run = lambda *a: subprocess.run([npusim, *a], check=True, capture_output=True, text=True)
    run("run", "--net", "resnet18", "--arch", "tiny-8x8", "--out", f"{out}/seq", "--quiet")
    run("run", "--net", "resnet18", "--arch", "dataflow-16x8x8", "--frames", "2", "--out", f"{out}/df", "--quiet",
        "--trace", "timeline")
    run("run", "--net", "resnet18", "--arch", "tiny-8x8", "--set", "pe.rows=16", "--out", f"{out}/seq16", "--quiet")
    subprocess.run([npusim, "compare", f"{out}/seq", f"{out}/seq16", "--tolerance", "0.01", "--html",
                    f"{out}/compare.html"], capture_output=True)
    spec = {"name": "html", "base": "tiny-8x8", "networks": ["resnet18"],
            "axes": [{"field": "pe.rows", "values": [8, 16]}]}
    with open(f"{out}/spec.json", "w") as f:
        json.dump(spec, f)
    run("sweep", f"{out}/spec.json", "--out", f"{out}/sweep", "--quiet")
    # A broken page: the console check must see its error.
    with open(f"{out}/broken.html", "w") as f:
        f.write("<!DOCTYPE html><html><body><p>x</p><script>throw new Error('boom')</script></body></html>")
    if not render(browser, f"{out}/broken.html", f"{out}/broken.png"):
        failures.append("the console check does not see a thrown error")

    pages = {"seq": f"{out}/seq/report.html", "df": f"{out}/df/report.html", "compare": f"{out}/compare.html",
             "sweep": f"{out}/sweep/sweep.html"}
    for name, page in pages.items():
        png = f"{out}/{name}.png"
        errors = render(browser, page, png)
        ok, what = not_blank(png)
        print(f"{name}: {png}: {what}; {len(errors)} console errors")
        if not ok:
            failures.append(f"{page}: blank ({what})")
        if errors:
            failures.append(f"{page}: console errors: {errors[:3]}")
        values = DataValues()
        values.feed(dom(browser, page))
        if name in ("seq", "df"):
            report = json.load(open(os.path.join(os.path.dirname(page), "report.json")))
            t = report["totals"]
            for key in ("cycles", "time_ns", "fps", "macs", "pe_utilization", "dram_read_bytes", "dram_write_bytes",
                        "cio_bytes", "energy_pj", "average_power_w"):
                if key not in values.values or json.loads(values.values[key]) != t[key]:
                    failures.append(f"{page}: {key} shows {values.values.get(key)}, report.json has {t[key]}")
            if values.values.get("checks_passed") != json.dumps(report["checks"]["passed"]):
                failures.append(f"{page}: checks shown as {values.values.get('checks_passed')}")
            for part, pj in t["energy_breakdown_pj"].items():
                if json.loads(values.values.get(f"energy_{part}_pj", "null")) != pj:
                    failures.append(f"{page}: energy part {part} differs")
            if name == "df" and json.loads(values.values["bottleneck"]) != report["pipeline"]["bottleneck"]:
                failures.append(f"{page}: bottleneck differs from report.json")
        if name == "compare":
            if values.values.get("within") != "false":
                failures.append(f"{page}: the 16-row run should be beyond 1% of the 8-row one")
            a = json.load(open(f"{out}/seq/report.json"))["totals"]["cycles"]
            if json.loads(values.values.get("a_cycles", "null")) != a:
                failures.append(f"{page}: A's cycles differ from its report.json")
        if name == "sweep" and values.values.get("points") != "2":
            failures.append(f"{page}: expected 2 points, shows {values.values.get('points')}")
    for f in failures:
        print("FAIL:", f)
    print(f"{len(pages)} pages, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
