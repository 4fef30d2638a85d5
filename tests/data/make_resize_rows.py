#!/usr/bin/python3
"""Writes resize_rows.json: for each (input size, output size, mode), the input rows each
output row of torch.nn.functional.interpolate depends on (the rows whose weight is not
zero: the outputs a one-hot input row changes, forward pass by forward pass), so that npusim's
Resize sampling (workloads/resize_axis.hpp) is checked against PyTorch itself. Needs
Debian's python3-torch. Run from this directory: ./make_resize_rows.py"""
import json

import torch

CASES = [(11, 45), (45, 11), (7, 7), (22, 45), (90, 360), (5, 12), (12, 5), (1, 4), (4, 1)]
MODES = {"nearest": ("nearest", None), "bilinear": ("bilinear", False),
         "bilinear_align_corners": ("bilinear", True)}
rows = []
for n_in, n_out in CASES:
    for name, (mode, align) in MODES.items():
        kwargs = {} if align is None else {"align_corners": align}
        depends = [[] for _ in range(n_out)]
        for i in range(n_in):  # the forward pass of each one-hot input row
            x = torch.zeros(1, 1, n_in, 1)
            x[0, 0, i, 0] = 1.0
            y = torch.nn.functional.interpolate(x, size=(n_out, 1), mode=mode, **kwargs)
            for o in range(n_out):
                if y[0, 0, o, 0] != 0:
                    depends[o].append(i)
        reads = [[min(d), max(d)] if d else [] for d in depends]
        rows.append({"in": n_in, "out": n_out, "mode": name, "reads": reads})
with open("resize_rows.json", "w") as f:
    json.dump(rows, f)
    f.write("\n")
print(f"wrote resize_rows.json ({len(rows)} cases)")
