#!/usr/bin/env python3
"""Writes darknet53.cfg and csresnext50.cfg as the CSPNet repository's cfg/ files define the
networks (routes and shortcuts as relative offsets, as darknet users write them), for the
importer's tests: importing them must give the zoo's totals exactly. Training keys are left
out. Run from this directory: ./make_cfgs.py"""


class Cfg:
    def __init__(self, size):
        self.lines = ["[net]", "batch=1", "channels=3", f"width={size}", f"height={size}", ""]
        self.n = 0  # sections after [net]

    def add(self, kind, **keys):
        self.lines.append(f"[{kind}]")
        self.lines += [f"{k}={v}" for k, v in keys.items()]
        self.lines.append("")
        self.n += 1
        return self.n - 1

    def conv(self, filters, size, stride=1, act="leaky", groups=1, bn=1):
        keys = {"filters": filters, "size": size, "stride": stride, "pad": 1, "activation": act}
        if bn:
            keys = {"batch_normalize": 1, **keys}
        if groups > 1:
            keys["groups"] = groups
        return self.add("convolutional", **keys)

    def route(self, *absolute):
        return self.add("route", layers=",".join(str(a - self.n) for a in absolute))

    def classifier(self):
        self.add("avgpool")
        self.conv(1000, 1, act="linear", bn=0)
        self.add("softmax", groups=1)
        self.add("cost", type="sse")

    def write(self, path):
        with open(path, "w") as f:
            f.write("\n".join(self.lines))


def darknet53():
    c = Cfg(256)
    c.conv(32, 3)
    for filters, units in [(64, 1), (128, 2), (256, 8), (512, 8), (1024, 4)]:
        c.conv(filters, 3, 2)
        for _ in range(units):
            c.conv(filters // 2, 1)
            c.conv(filters, 3)
            c.add("shortcut", **{"from": -3, "activation": "linear"})
    c.classifier()
    c.write("darknet53.cfg")


def resnext_unit(c, width, out):
    c.conv(width, 1)
    c.conv(width, 3, groups=32)
    c.conv(out, 1, act="linear")
    c.add("shortcut", **{"from": -4, "activation": "leaky"})


def csresnext50():
    c = Cfg(256)
    c.conv(64, 7, 2)
    pool = c.add("maxpool", size=2, stride=2)
    bypass = c.conv(128, 1)
    c.route(pool)
    c.conv(64, 1)
    for _ in range(3):
        resnext_unit(c, 128, 128)
    transition = c.conv(128, 1)
    c.route(transition, bypass)
    c.conv(256, 1)
    for s, (w, units) in enumerate([(256, 3), (512, 5), (1024, 2)]):
        split_act = "leaky" if s == 2 else "linear"
        down = c.conv(w, 3, 2, groups=32)
        bypass = c.conv(w, 1, act=split_act)
        c.route(down)
        c.conv(w, 1, act=split_act)
        for _ in range(units):
            resnext_unit(c, w, w)
        transition = c.conv(w, 1)
        c.route(transition, bypass)
        c.conv(2 * w, 1)
    c.classifier()
    c.write("csresnext50.cfg")


darknet53()
csresnext50()
