#!/usr/bin/python3
"""Checks npusim's YOLOv5 zoo networks against ultralytics' own model code: builds each
DetectionModel from the checkout's models/<name>.yaml and compares its parameter count
(sum of p.numel()) and its MACs and conv CIO at 640x640 (forward hooks, as
check_torchvision_onnx.py counts them) with `npusim info --net <name> --json`.

    scripts/count_yolov5.py --yolov5 PATH/TO/ultralytics/yolov5 [yolov5s yolov5l] [--onnx DIR]

With --onnx, each model is also exported in eval mode (structure only, opsets 13 and 17,
Detect decode included, BN folded by the export) and npusim's import of the file must give
the same MACs and conv CIO (its parameters are the BN-folded model's).

Needs Debian's python3-torch and a checkout of github.com/ultralytics/yolov5; its imports
this machine lacks (OpenCV, the ultralytics package, plotting) are replaced by inert stubs,
except ultralytics' make_divisible, which the model's channel rounding needs and which is
defined here as ultralytics defines it (ceil(x / divisor) * divisor). NPUSIM=path overrides
build/npusim. Prints one line per model (and file), EXACT or DIFF; exit 1 if any differs.
"""
import argparse
import importlib.abc
import importlib.machinery
import json
import math
import os
import subprocess
import sys
import types

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STUBBED = {"cv2", "ultralytics", "thop", "seaborn", "tqdm", "psutil", "IPython", "clearml", "comet_ml", "wandb",
           "pkg_resources", "git"}


class Stub(types.ModuleType):
    """A module that is not installed: every attribute is another inert stub."""
    __version__ = "0"
    __path__ = []

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return Stub(name)

    def __call__(self, *args, **kwargs):
        return Stub("call")

    def __mro_entries__(self, bases):
        return (object,)


class StubFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, name, path, target=None):
        return importlib.machinery.ModuleSpec(name, self) if name.split(".")[0] in STUBBED else None

    def create_module(self, spec):
        return Stub(spec.name)

    def exec_module(self, module):
        pass


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("models", nargs="*", default=["yolov5s", "yolov5l"],
                    help="yaml names under models/ that are also npusim zoo names (default yolov5s yolov5l)")
    ap.add_argument("--yolov5", required=True, help="a checkout of github.com/ultralytics/yolov5")
    ap.add_argument("--input", type=int, default=640, help="square input size (default 640)")
    ap.add_argument("--onnx", help="also export each model to ONNX here and check npusim's import of it")
    args = ap.parse_args()
    sys.path.insert(0, os.path.join(ROOT, "scripts"))
    from check_torchvision_onnx import hook_counts
    try:
        import torch
    except ImportError as e:
        sys.exit(f"count_yolov5.py: {e}: install Debian's python3-torch")
    sys.meta_path.insert(0, StubFinder())
    ops = Stub("ultralytics.utils.ops")
    ops.make_divisible = lambda x, divisor: math.ceil(x / divisor) * divisor
    sys.modules["ultralytics.utils.ops"] = ops
    sys.path.insert(0, os.path.abspath(args.yolov5))
    os.chdir(args.yolov5)
    from models.yolo import DetectionModel

    npusim = os.environ.get("NPUSIM", os.path.join(ROOT, "build", "npusim"))
    failures = 0
    for name in args.models:
        model = DetectionModel(os.path.join("models", name + ".yaml")).eval()
        params = sum(p.numel() for p in model.parameters())
        macs, cio = hook_counts(model, torch.zeros(1, 3, args.input, args.input))
        info = json.loads(subprocess.run([npusim, "info", "--net", name, "--input", str(args.input), "--json"],
                                         check=True, capture_output=True, text=True).stdout)
        ours = (info["params"], info["macs"], info["cio"])
        exact = ours == (params, macs, cio)
        failures += not exact
        print(f"{name:10s} {'EXACT' if exact else 'DIFF '} torch params {params} MACs {macs} conv CIO {cio}"
              + ("" if exact else f"; npusim {ours[0]} {ours[1]} {ours[2]}"))
        for opset in (13, 17) if args.onnx else ():
            path = os.path.join(os.path.abspath(args.onnx), f"{name}_op{opset}.onnx")
            os.makedirs(os.path.dirname(path), exist_ok=True)
            torch.onnx.export(model, torch.zeros(1, 3, args.input, args.input), path, export_params=False,
                              opset_version=opset, input_names=["images"], output_names=["output"])
            got = subprocess.run([npusim, "info", "--net", path, "--json"], capture_output=True, text=True)
            if got.returncode != 0:
                print(f"{name:10s} op{opset} ERROR {got.stderr.strip().splitlines()[-1]}")
                failures += 1
                continue
            imported = json.loads(got.stdout)
            same = (imported["macs"], imported["cio"]) == (macs, cio)
            failures += not same
            print(f"{name:10s} op{opset} {'EXACT' if same else 'DIFF '} import MACs {imported['macs']} conv CIO "
                  f"{imported['cio']} ({imported['params']} parameters, BN folded)")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
