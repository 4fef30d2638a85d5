#!/usr/bin/python3
"""Writes structure-only ONNX files (export_params=False: weights are graph inputs that only
carry shapes, so each file is a few tens of KB) of torchvision models, for the importer's
tests, with Debian's python3-torch, python3-torchvision and python3-onnx (no download).
The models are exported in training mode so that BatchNormalization stays a node (an
eval-mode export folds it into the conv's bias, and the parameter count of the file is then
that of the folded model); mobilenet_v2_eval.onnx is the eval-mode export of the same model.
Run from this directory: ./make_onnx.py"""
import json
import os
import sys

import torch
import torchvision

MODELS = {
    "resnet18": (torchvision.models.resnet18, 17),
    "resnet50": (torchvision.models.resnet50, 13),
    "densenet121": (torchvision.models.densenet121, 11),
    "mobilenet_v2": (torchvision.models.mobilenet_v2, 13),
    "vgg16": (torchvision.models.vgg16, 11),
    "squeezenet1_1": (torchvision.models.squeezenet1_1, 13),
}

torch.manual_seed(0)
for name, (build, opset) in MODELS.items():
    x = torch.zeros(1, 3, 224, 224)
    model = build(weights=None).train()
    torch.onnx.export(model, x, f"{name}.onnx", export_params=False, opset_version=opset,
                      training=torch.onnx.TrainingMode.TRAINING, do_constant_folding=False,
                      input_names=["input"], output_names=["logits"])
    print(f"wrote {name}.onnx (opset {opset})")
model = torchvision.models.mobilenet_v2(weights=None).eval()
torch.onnx.export(model, torch.zeros(1, 3, 224, 224), "mobilenet_v2_eval.onnx", export_params=False,
                  opset_version=13, input_names=["input"], output_names=["logits"])
print("wrote mobilenet_v2_eval.onnx (opset 13, eval mode: BN folded)")


class Small(torch.nn.Module):
    """A small model exported with its parameters (initializers), using the operators the
    torchvision models do not: Resize, Split, Slice, SiLU (x*sigmoid(x)), HardSwish,
    LeakyReLU, AveragePool, Mul by a constant, MatMul + Add. (F.pad with computed pads is TinyPad's.)"""

    def __init__(self):
        super().__init__()
        self.c1 = torch.nn.Conv2d(3, 16, 3, stride=2, padding=1, bias=False)
        self.bn1 = torch.nn.BatchNorm2d(16)
        self.c2 = torch.nn.Conv2d(8, 8, 3, padding=2, dilation=2, groups=2)
        self.c3 = torch.nn.Conv2d(16, 16, 1)
        self.fc = torch.nn.Linear(16, 10)

    def forward(self, x):
        x = torch.nn.functional.silu(self.bn1(self.c1(x)))                   # 16 x 16 x 16
        a, b = torch.split(x, 8, dim=1)                                      # 8 + 8
        b = self.c2(b)                                                       # dilated, grouped
        y = torch.cat([a, torch.nn.functional.hardswish(b)], dim=1)          # 16 x 16 x 16
        y = torch.nn.functional.avg_pool2d(y, 2) * 0.5                       # 16 x 8 x 8, scaled
        y = torch.nn.functional.interpolate(y, scale_factor=2.0, mode="nearest")  # 16 x 16 x 16
        y = torch.nn.functional.leaky_relu(self.c3(y[:, 0:16]), 0.1)
        y = torch.nn.functional.adaptive_avg_pool2d(y, 1).flatten(1)
        return torch.matmul(y, self.fc.weight.t()) + self.fc.bias


torch.onnx.export(Small().eval(), torch.zeros(1, 3, 32, 32), "small_full.onnx", export_params=True, opset_version=17,
                  input_names=["input"], output_names=["logits"])
print("wrote small_full.onnx (opset 17, with parameters)")


# Eval-mode exports of networks with squeeze-and-excitation gates (Mul of a tensor by an
# N x C x 1 x 1 tensor), hardswish (x*HardSigmoid(x) at opset 13, HardSwish at 17), SiLU,
# ShuffleNetV2's channel shuffle (Reshape-Transpose-Reshape) and shape arithmetic, and
# ConvNeXt's channels-last blocks (Transpose, LayerNorm: one op at 17, decomposed at 13, GELU),
# with their MACs and conv CIO counted independently by forward hooks on torch's modules
# (hook_counts of scripts/check_torchvision_onnx.py, whose header states the rules), written
# to hook_counts.json for the importer's test.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "scripts"))
from check_torchvision_onnx import hook_counts  # noqa: E402  (one counter for the files and the check)


EVAL_MODELS = [("mobilenet_v3_small", 13), ("mobilenet_v3_small", 17), ("mobilenet_v3_large", 13),
               ("efficientnet_b0", 17), ("regnet_y_400mf", 13), ("shufflenet_v2_x0_5", 13), ("convnext_tiny", 13),
               ("convnext_tiny", 17)]
counts = {}


def export_counted(model, x, file, opset, output_names=("logits",), note=""):
    """Exports `model` (eval mode, structure only) to `file` and records its hook counts."""
    torch.onnx.export(model, x, file, export_params=False, opset_version=opset, input_names=["input"],
                      output_names=list(output_names))
    macs, cio = hook_counts(model, x)
    counts[file] = {"macs": macs, "cio": cio, "params": sum(p.numel() for p in model.parameters())}
    print(f"wrote {file} (opset {opset}, eval mode): {macs} MACs, CIO {cio}{note}")


for name, opset in EVAL_MODELS:
    model = getattr(torchvision.models, name)(weights=None).eval()
    export_counted(model, torch.zeros(1, 3, 224, 224), f"{name}_op{opset}.onnx", opset)

# torchvision's VisionTransformer, small: 8x8 patches of a 32x32 image (16 tokens and a class
# token), 2 encoder blocks of 4 heads over 32 features (nn.MultiheadAttention: its packed
# projection, the heads' reshapes and transposes, Q K^T, softmax, P V), layer norms (one op at
# 17, decomposed at 13), GELU, the class token's Gather and the head.
for opset in (13, 17):
    torch.manual_seed(0)
    vit = torchvision.models.vision_transformer.VisionTransformer(
        image_size=32, patch_size=8, num_layers=2, num_heads=4, hidden_dim=32, mlp_dim=64, num_classes=10).eval()
    export_counted(vit, torch.zeros(1, 3, 32, 32), f"tiny_vit_op{opset}.onnx", opset)
# One head: its split and merge are no reshapes, N x C x L is K's transpose.
torch.manual_seed(0)
vit = torchvision.models.vision_transformer.VisionTransformer(
    image_size=32, patch_size=8, num_layers=1, num_heads=1, hidden_dim=32, mlp_dim=64, num_classes=10).eval()
export_counted(vit, torch.zeros(1, 3, 32, 32), "tiny_vit_one_head_op13.onnx", 13)


class TinyDetect(torch.nn.Module):
    """A detection head decoded the way YOLOv5's Detect does in eval mode, on two scales of a
    tiny backbone: per scale a 1x1 conv to anchors x (classes + 5) outputs, viewed as
    N x anchors x outputs x H x W and permuted to N x anchors x H x W x outputs, its sigmoid,
    split into xy, wh and the rest, xy * 2 + grid (then x stride), (wh * 2) ** 2 x anchor, the
    parts concatenated and reshaped to N x boxes x outputs; the scales concatenated. Returns
    the boxes and the raw permuted outputs, as YOLOv5 does."""

    def __init__(self, anchors=2, classes=3):
        super().__init__()
        self.na, self.no = anchors, classes + 5
        self.c1 = torch.nn.Conv2d(3, 8, 3, stride=2, padding=1)
        self.c2 = torch.nn.Conv2d(8, 16, 3, stride=2, padding=1)
        self.heads = torch.nn.ModuleList(torch.nn.Conv2d(c, self.na * self.no, 1) for c in (8, 16))
        self.register_buffer("anchor_wh", torch.tensor([[[1.0, 2.0], [3.0, 1.5]], [[4.0, 5.0], [6.0, 3.0]]]))

    def forward(self, x):
        p3 = torch.nn.functional.silu(self.c1(x))
        p4 = torch.nn.functional.silu(self.c2(p3))
        boxes, raw = [], []
        for i, (f, stride) in enumerate(((p3, 2), (p4, 4))):
            y = self.heads[i](f)
            n, _, h, w = y.shape
            y = y.view(n, self.na, self.no, h, w).permute(0, 1, 3, 4, 2).contiguous()
            raw.append(y)
            gy, gx = torch.meshgrid(torch.arange(h, dtype=torch.float32), torch.arange(w, dtype=torch.float32),
                                    indexing="ij")
            grid = torch.stack((gx, gy), 2).expand(1, self.na, h, w, 2) - 0.5
            anchor = (self.anchor_wh[i] * stride).view(1, self.na, 1, 1, 2).expand(1, self.na, h, w, 2)
            xy, wh, conf = y.sigmoid().split((2, 2, self.no - 4), 4)
            xy = (xy * 2 + grid) * stride
            wh = (wh * 2) ** 2 * anchor
            boxes.append(torch.cat((xy, wh, conf), 4).view(n, self.na * h * w, self.no))
        return torch.cat(boxes, 1), raw[0], raw[1]


for opset in (13, 17):
    export_counted(TinyDetect().eval(), torch.zeros(1, 3, 32, 32), f"tiny_detect_op{opset}.onnx", opset,
                   ("boxes", "raw_p3", "raw_p4"))


class TinyFocus(torch.nn.Module):
    """Space-to-depth as YOLOv5 (v1.0-v5.0) wrote its Focus stem: the four phases
    x[..., i::2, j::2] concatenated on channels, then a conv (with BN and SiLU)."""

    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(12, 16, 3, padding=1, bias=False)
        self.bn = torch.nn.BatchNorm2d(16)

    def forward(self, x):
        x = torch.cat([x[..., ::2, ::2], x[..., 1::2, ::2], x[..., ::2, 1::2], x[..., 1::2, 1::2]], 1)
        return torch.nn.functional.silu(self.bn(self.conv(x)))


for opset in (13, 17):
    export_counted(TinyFocus().eval(), torch.zeros(1, 3, 32, 32), f"tiny_focus_op{opset}.onnx", opset, ("features",))
class TinyDecoder(torch.nn.Module):
    """Transposed convolutions as decoders use them: 4x4 stride 2 padding 1 with BN and ReLU
    after it, a grouped 2x2 stride 2, a 3x3 stride 2 padding 1 with output_padding 1."""

    def __init__(self):
        super().__init__()
        self.down = torch.nn.Conv2d(3, 8, 3, stride=2, padding=1)
        self.up1 = torch.nn.ConvTranspose2d(8, 8, 4, stride=2, padding=1, bias=False)
        self.bn = torch.nn.BatchNorm2d(8)
        self.up2 = torch.nn.ConvTranspose2d(8, 4, 2, stride=2, groups=2)
        self.up3 = torch.nn.ConvTranspose2d(4, 4, 3, stride=2, padding=1, output_padding=1)
        self.head = torch.nn.Conv2d(4, 2, 1)

    def forward(self, x):
        x = torch.relu(self.bn(self.up1(self.down(x))))  # 8 x 32 x 32
        return self.head(self.up3(self.up2(x)))          # 2 x 128 x 128


for opset in (13, 17):
    export_counted(TinyDecoder().eval(), torch.zeros(1, 3, 32, 32), f"tiny_decoder_op{opset}.onnx", opset,
                   ("logits",))
class TinyPad(torch.nn.Module):
    """Padding to a multiple of a window as Swin writes it: F.pad with pads computed from the
    tensor's shape ((7 - H % 7) % 7 bottom and right; exported as Shape, Gather, Mod, Sub,
    ConstantOfShape, Concat, Reshape, Slice, Transpose and Cast feeding Pad), then a conv.
    Not hook-counted: torch's conv sees the padded input, which the importer folds into the
    conv's window (test_onnx_import.cpp checks the pads and the MACs)."""

    def __init__(self):
        super().__init__()
        self.down = torch.nn.Conv2d(3, 8, 3, stride=2, padding=1)
        self.conv = torch.nn.Conv2d(8, 8, 3)

    def forward(self, x):
        x = self.down(x)  # 8 x 15 x 15
        h, w = x.shape[-2], x.shape[-1]
        x = torch.nn.functional.pad(x, (0, (7 - w % 7) % 7, 0, (7 - h % 7) % 7))  # 8 x 21 x 21
        return self.conv(x)  # 8 x 19 x 19


for opset in (13, 17):
    torch.onnx.export(TinyPad().eval(), torch.zeros(1, 3, 30, 30), f"tiny_pad_op{opset}.onnx", export_params=False,
                      opset_version=opset, input_names=["input"], output_names=["features"])
    print(f"wrote tiny_pad_op{opset}.onnx (opset {opset})")
# GhostNet from huawei-noah/Efficient-AI-Backbones' ghostnet_pytorch/ghostnet.py (not in
# Debian: GHOSTNET_PY=path/to/ghostnet.py ./make_onnx.py; without it the committed file stays).
if os.environ.get("GHOSTNET_PY"):
    sys.path.insert(0, os.path.dirname(os.path.abspath(os.environ["GHOSTNET_PY"])))
    import ghostnet

    model = ghostnet.ghostnet().eval()
    export_counted(model, torch.zeros(1, 3, 224, 224), "ghostnet_op13.onnx", 13,
                   note=f", {sum(p.numel() for p in model.parameters())} parameters")
else:  # keep the committed file's counts
    with open("hook_counts.json") as f:
        previous = json.load(f)
    if "ghostnet_op13.onnx" in previous:
        counts["ghostnet_op13.onnx"] = previous["ghostnet_op13.onnx"]
# FC-HarDNet-70 from PingoLH/FCHarDNet's ptsemseg/models/hardnet.py (its CatConv2d extension,
# used only by v2_transform, stubbed): FCHARDNET_PY=path/to/hardnet.py ./make_onnx.py.
if os.environ.get("FCHARDNET_PY"):
    import types

    catconv = types.ModuleType("CatConv2d.catconv2d")
    catconv.CatConv2d = None
    sys.modules["CatConv2d"] = types.ModuleType("CatConv2d")
    sys.modules["CatConv2d.catconv2d"] = catconv
    sys.path.insert(0, os.path.dirname(os.path.abspath(os.environ["FCHARDNET_PY"])))
    import hardnet

    for opset in (13, 17):
        export_counted(hardnet.hardnet(n_classes=19).eval(), torch.zeros(1, 3, 1024, 2048), f"fc_hardnet70_op{opset}.onnx",
                       opset)
else:
    with open("hook_counts.json") as f:
        previous = json.load(f)
    for opset in (13, 17):
        if f"fc_hardnet70_op{opset}.onnx" in previous:
            counts[f"fc_hardnet70_op{opset}.onnx"] = previous[f"fc_hardnet70_op{opset}.onnx"]
with open("hook_counts.json", "w") as f:
    json.dump(counts, f, indent=1, sort_keys=True)
    f.write("\n")
