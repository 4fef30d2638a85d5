#!/usr/bin/python3
"""Exports torchvision classification models to ONNX (eval mode, structure only) and checks
npusim's import of each against an independent count: forward hooks on torch's modules.

    scripts/check_torchvision_onnx.py [MODEL...] [--opsets 13,17] [--keep DIR]

Without MODEL, every model torchvision.models.list_models() names. Needs Debian's
python3-torch, python3-torchvision and python3-onnx (run `scripts/setup.sh` first for
npusim; NPUSIM=path overrides build/npusim). Counts: a Conv2d's MACs are its output elements x
in/groups x kH x kW and its CIO its input plus output elements; a ConvTranspose2d's MACs its
input elements x out/groups x kH x kW (ptflops' and fvcore's count), its CIO as a Conv2d's; a Linear's MACs its output
elements x in_features, and a Linear applied at every pixel (a >2-D input, ConvNeXt's MLP)
counts in CIO as the 1x1 conv it is. Inside a MultiheadAttention (which calls F.linear and
torch.bmm itself, so module hooks miss them) torch's own matrix products are counted as they
run (a TorchDispatchMode on aten.mm/addmm/bmm/baddbmm, the forward run with autograd on so
that torch takes its slow path of those products): a product with a weight is a per-token
linear (CIO: its input and output), one of two activations counts both operands and its
output in CIO. Swin V2's in-place zeroing of a bias (aten::zero_, which torch 1.13 cannot
export) is exported as a multiplication by 0. Prints one line per file: EXACT, DIFF (both counts) or
ERROR (npusim's message); exit 1 if any file is not EXACT.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def hook_counts(model, x):
    """MACs and CIO of one forward pass of `model` on `x`, counted by hooks (see the header)."""
    import torch  # here, so that --help works without torch

    macs = cio = 0

    def conv(m, i, o):
        nonlocal macs, cio
        macs += o.numel() * (m.in_channels // m.groups) * m.kernel_size[0] * m.kernel_size[1]
        cio += i[0].numel() + o.numel()

    def linear(m, i, o):
        nonlocal macs, cio
        macs += o.numel() * m.in_features
        if i[0].dim() > 2:
            cio += i[0].numel() + o.numel()

    def conv_transpose(m, i, o):
        nonlocal macs, cio
        macs += i[0].numel() * (m.out_channels // m.groups) * m.kernel_size[0] * m.kernel_size[1]
        cio += i[0].numel() + o.numel()

    from torch.utils._python_dispatch import TorchDispatchMode

    params = {p.data_ptr() for p in model.parameters()}
    inside = []  # the MultiheadAttention modules running

    class Products(TorchDispatchMode):
        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            nonlocal macs, cio
            out = func(*args, **(kwargs or {}))
            op = func.overloadpacket.__name__
            if inside and op in ("mm", "addmm", "bmm", "baddbmm"):
                a, b = args[-2], args[-1]
                macs += a.numel() * b.shape[-1]
                cio += a.numel() + out.numel() + (0 if b.data_ptr() in params else b.numel())
            return out

    def attention_in(m, i):
        inside.append(m)

    def attention_out(m, i, o):
        inside.pop()

    hooks = [m.register_forward_hook(conv) for m in model.modules() if isinstance(m, torch.nn.Conv2d)]
    attention = [m for m in model.modules() if isinstance(m, torch.nn.MultiheadAttention)]
    hooks += [m.register_forward_pre_hook(attention_in) for m in attention]
    hooks += [m.register_forward_hook(attention_out) for m in attention]
    hooks += [m.register_forward_hook(conv_transpose) for m in model.modules()
              if isinstance(m, torch.nn.ConvTranspose2d)]
    hooks += [m.register_forward_hook(linear) for m in model.modules() if isinstance(m, torch.nn.Linear)]
    if attention:  # autograd on: MultiheadAttention's fused fast path is for inference without it
        with Products():
            model(x)
    else:
        with torch.no_grad():
            model(x)
    for h in hooks:
        h.remove()
    return macs, cio


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("models", nargs="*", help="torchvision model names (default: every classification model)")
    ap.add_argument("--opsets", default="13,17", help="comma-separated ONNX opsets to export at (default 13,17)")
    ap.add_argument("--keep", help="write the .onnx files here (default: a temporary folder)")
    args = ap.parse_args()
    try:
        import torch
        import torchvision
    except ImportError as e:
        sys.exit(f"check_torchvision_onnx.py: {e}: install Debian's python3-torch, python3-torchvision, python3-onnx")
    # Swin V2 zeroes a copy of its K bias in place (aten::zero_), for which torch 1.13 has no
    # ONNX symbolic; as a multiplication by 0 (the same values) it exports.
    torch.onnx.register_custom_op_symbolic(
        "aten::zero", lambda g, x: g.op("Mul", x, g.op("Constant", value_t=torch.tensor(0.0))), 13)
    npusim = os.environ.get("NPUSIM", os.path.join(ROOT, "build", "npusim"))
    models = args.models or torchvision.models.list_models(module=torchvision.models)
    out = args.keep or tempfile.mkdtemp()
    os.makedirs(out, exist_ok=True)
    failures = 0
    for name in models:
        model = getattr(torchvision.models, name)(weights=None).eval()
        size = 299 if name.startswith("inception") else 224
        x = torch.zeros(1, 3, size, size)
        macs, cio = hook_counts(model, x)
        for opset in (int(o) for o in args.opsets.split(",")):
            path = os.path.join(out, f"{name}_op{opset}.onnx")
            try:
                torch.onnx.export(model, x, path, export_params=False, opset_version=opset, input_names=["input"],
                                  output_names=["logits"])
            except Exception as e:  # an export torch itself cannot do is reported, not counted
                print(f"{name:24s} op{opset} EXPORT FAILED {str(e).splitlines()[0][:120]}")
                failures += 1
                continue
            r = subprocess.run([npusim, "info", "--net", path, "--json"], capture_output=True, text=True)
            if r.returncode:
                print(f"{name:24s} op{opset} ERROR {r.stderr.strip().splitlines()[-1][:200]}")
                failures += 1
                continue
            t = json.loads(r.stdout)
            ok = t["macs"] == macs and t["cio"] == cio
            failures += not ok
            print(f"{name:24s} op{opset} {'EXACT' if ok else 'DIFF '} MACs {t['macs']} (hooks {macs}), "
                  f"CIO {t['cio']} (hooks {cio})", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
