#!/usr/bin/env python3
"""Export any video nn.Module to the stadyn model contract: a TorchScript
file whose forward returns Dict[str, Tensor] of named layer outputs, plus
its manifest <model>.json. The export is re-loaded and checked against the
eager model before it is written out.

Examples (run with the set-up's Python, `make` prints its path via
`scripts/setup.sh --env`):

  # a torchvision video architecture (random weights unless --weights)
  python tools/export_model.py --arch r3d_18 --out models/r3d_18.pt
  python tools/export_model.py --arch swin3d_t --layers features.2,features.6 --out swin.pt

  # your own module: a Python callable returning an nn.Module
  python tools/export_model.py --module mypkg.nets:build --weights ckpt.pth \\
      --layers layer3.1.conv2,layer4 --frames 16 --crop 112 --out mine.pt

  # a model of several inputs (two-stream, SlowFast): describe them as the
  # manifest's "inputs" (JSON, inline or a file); forward takes them in order
  python tools/export_model.py --module mypkg.nets:two_stream --layers rgb1,flow1,fuse \
      --inputs '[{"name": "rgb", "kind": "rgb", "frames": 8, "crop": [112, 112]},
                 {"name": "flow", "kind": "flow", "encoding": "uv", "frames": 8, "crop": [112, 112]}]' \
      --streams rgb1=appearance,flow1=motion,fuse=fusion --out ts.pt
  # PySlowFast's SlowFast takes one list [slow, fast]: add --input-list

Layers are dotted module names (as in model.named_modules()). Outputs that
are tuples keep their first tensor (MViT blocks return (x, thw)). Layers
listed in --channels-last are N×T×H×W×C (Swin3D) and are permuted to
N×C×T×H×W. The model's own output is kept as "logits" (ignored by stadyn
unless listed in the manifest's layers).

How: torch.jit.trace cannot trace per-module forward hooks, so the wrapper
registers a *global* module forward hook for the duration of its forward
and keeps the outputs of the modules whose id() is in the name map; the
trace records the tensors, so the TorchScript returns them.
"""
import argparse
import importlib
import json
import sys
import warnings
from pathlib import Path
from typing import Dict, List

import torch
from torch import nn

KINETICS = dict(mean=[0.43216, 0.394666, 0.37645], std=[0.22803, 0.22145, 0.216989])
SLOWFAST = dict(mean=[0.45, 0.45, 0.45], std=[0.225, 0.225, 0.225])

# torchvision video architectures: default layers, input size, normalization.
PRESETS = {
    "r3d_18": dict(layers=["layer1", "layer2", "layer3", "layer4"], frames=16, short_side=128, crop=112, **KINETICS),
    "mc3_18": dict(layers=["layer1", "layer2", "layer3", "layer4"], frames=16, short_side=128, crop=112, **KINETICS),
    "r2plus1d_18": dict(layers=["layer1", "layer2", "layer3", "layer4"], frames=16, short_side=128, crop=112, **KINETICS),
    "s3d": dict(layers=["features.3", "features.6", "features.12", "features.15"], frames=16, short_side=256, crop=224, **KINETICS),
    "mvit_v2_s": dict(layers=["blocks.1", "blocks.3", "blocks.14", "blocks.15"], frames=16, short_side=256, crop=224, **SLOWFAST),
    "swin3d_t": dict(layers=["features.0", "features.2", "features.4", "features.6"], frames=16, short_side=256, crop=224,
                     channels_last=["features.0", "features.1", "features.2", "features.3", "features.4", "features.5", "features.6", "norm"],
                     **SLOWFAST),
}


class Probe(nn.Module):
    """Runs `model` and returns the outputs of the named submodules."""

    def __init__(self, model: nn.Module, layers: List[str], channels_last: List[str], input_list: bool = False):
        super().__init__()
        self.model = model
        self.input_list = input_list
        modules = dict(model.named_modules())
        missing = [l for l in layers if l not in modules]
        if missing:
            names = [n for n in modules if n][:40]
            sys.exit(f"error: no module named {missing} in the model; some names: {names}")
        self.layers = layers
        self.channels_last = set(channels_last)
        self.ids = {id(modules[l]): l for l in layers}

    def forward(self, *xs: torch.Tensor) -> Dict[str, torch.Tensor]:
        kept: Dict[str, torch.Tensor] = {}

        def hook(module, inputs, output):
            name = self.ids.get(id(module))
            if name is None or name in kept:
                return
            if isinstance(output, (tuple, list)):
                output = next(o for o in output if isinstance(o, torch.Tensor))
            if name in self.channels_last and output.dim() == 5:
                output = output.permute(0, 4, 1, 2, 3)
            kept[name] = output

        handle = torch.nn.modules.module.register_module_forward_hook(hook)
        try:
            logits = self.model(list(xs)) if self.input_list else self.model(*xs)
        finally:
            handle.remove()
        out = {name: kept[name] for name in self.layers}
        if isinstance(logits, torch.Tensor):
            out["logits"] = logits
        return out


def read_inputs(text: str) -> List[dict]:
    """The manifest's "inputs" list from JSON text or a .json file."""
    path = Path(text)
    data = json.loads(path.read_text() if path.suffix == ".json" and path.is_file() else text)
    if not isinstance(data, list) or not data or not all(isinstance(i, dict) and "name" in i for i in data):
        sys.exit("error: --inputs is a JSON list of inputs, each with a \"name\"")
    return data


def example_input(spec: dict) -> torch.Tensor:
    """A random batch of 2 for one input of the manifest (its layout, frames,
    size and channels: 2 for (u, v) flow)."""
    c = 2 if spec.get("kind") == "flow" and spec.get("encoding") == "uv" else 3
    t = spec.get("frames", 8)
    h, w = spec.get("size") or spec.get("crop") or [spec.get("short_side", 128)] * 2
    layout = spec.get("layout", "NCTHW")
    shape = {"NCTHW": (2, c, t, h, w), "NTHWC": (2, t, h, w, c), "NTCHW": (2, t, c, h, w), "NCHW": (2 * t, c, h, w)}
    if layout not in shape:
        sys.exit(f"error: input '{spec['name']}' has layout {layout}; one of {', '.join(shape)}")
    x = torch.rand(*shape[layout])
    return (x * 4 - 2) if c == 2 else x


def build(args) -> nn.Module:
    if args.arch:
        import torchvision.models.video as tvv

        if not hasattr(tvv, args.arch):
            sys.exit(f"error: torchvision.models.video has no '{args.arch}'")
        return getattr(tvv, args.arch)(weights=None)
    module, _, attr = args.module.partition(":")
    sys.path.insert(0, str(Path.cwd()))
    factory = getattr(importlib.import_module(module), attr or "build")
    return factory()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--arch", help="a torchvision.models.video architecture: " + ", ".join(PRESETS))
    src.add_argument("--module", help="'package.module:callable' returning an nn.Module")
    ap.add_argument("--weights", help="state_dict file to load (.pth); default: random weights")
    ap.add_argument("--layers", help="comma-separated dotted module names (default: the preset's)")
    ap.add_argument("--channels-last", default=None, help="layers whose outputs are N×T×H×W×C")
    ap.add_argument("--frames", type=int)
    ap.add_argument("--window", type=int, default=64)
    ap.add_argument("--short-side", type=int)
    ap.add_argument("--crop", type=int)
    ap.add_argument("--mean", type=float, nargs=3)
    ap.add_argument("--std", type=float, nargs=3)
    ap.add_argument("--inputs", help="the model's inputs as the manifest's \"inputs\" list (JSON text or a .json file)")
    ap.add_argument("--input-list", action="store_true", help="forward takes its inputs as one list (PySlowFast)")
    ap.add_argument("--streams", help="layer=stream pairs, comma-separated (appearance, motion, fusion, slow, fast, cat, ...)")
    ap.add_argument("--epoch", type=float)
    ap.add_argument("--name")
    ap.add_argument("--seed", type=int, default=0, help="seed of random weights")
    ap.add_argument("--out", required=True, type=Path)
    args = ap.parse_args()

    preset = PRESETS.get(args.arch or "", {})
    pick = lambda key, default=None: getattr(args, key) if getattr(args, key) is not None else preset.get(key, default)
    layers = args.layers.split(",") if args.layers else preset.get("layers")
    if not layers:
        sys.exit("error: give --layers (dotted module names)")
    channels_last = args.channels_last.split(",") if args.channels_last else preset.get("channels_last", [])
    frames, crop = pick("frames", 8), pick("crop", 112)
    short_side = pick("short_side", max(128, crop))

    torch.manual_seed(args.seed)
    model = build(args)
    if args.weights:
        state = torch.load(args.weights, map_location="cpu", weights_only=True)
        model.load_state_dict(state.get("state_dict", state) if isinstance(state, dict) else state)
    model.eval()
    probe = Probe(model, layers, channels_last, args.input_list).eval()

    inputs = read_inputs(args.inputs) if args.inputs else None
    example = lambda: tuple(example_input(i) for i in inputs) if inputs else (torch.rand(2, 3, frames, crop, crop),)
    x = example()
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        eager = probe(*x)
        traced = torch.jit.trace(probe, x, strict=False, check_trace=False)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(".pt.tmp")
    traced.save(str(tmp))

    reloaded = torch.jit.load(str(tmp))
    x2 = example()
    with torch.no_grad():
        a, b = probe(*x2), reloaded(*x2)
    for name in eager:
        if not torch.allclose(a[name], b[name], rtol=1e-4, atol=1e-5):
            tmp.unlink()
            sys.exit(f"error: the TorchScript output '{name}' differs from the eager model's "
                     f"(max diff {(a[name] - b[name]).abs().max().item():g}); the model may have data-dependent control flow")
    tmp.replace(args.out)

    manifest = {
        "name": args.name or args.out.stem,
        "layout": "NCTHW",
        "dtype": "float32",
        "frames": frames,
        "window": args.window,
        "short_side": short_side,
        "crop": [crop, crop],
        "mean": pick("mean", SLOWFAST["mean"]),
        "std": pick("std", SLOWFAST["std"]),
        "layers": layers,
        "notes": f"exported by tools/export_model.py from {args.arch or args.module}"
                 + (f" with weights {Path(args.weights).name}" if args.weights else " with random weights"),
    }
    if inputs:
        for key in ("layout", "dtype", "frames", "window", "short_side", "crop", "mean", "std"):
            manifest.pop(key)
        manifest["inputs"] = inputs
    if args.streams:
        manifest["streams"] = dict(p.split("=", 1) for p in args.streams.split(","))
    if args.epoch is not None:
        manifest["epoch"] = args.epoch
    args.out.with_suffix(".json").write_text(json.dumps(manifest, indent=2) + "\n")
    shapes = ", ".join(f"{k}{list(v.shape)}" for k, v in eager.items())
    print(f"wrote {args.out} and {args.out.with_suffix('.json').name}: {shapes}")


if __name__ == "__main__":
    main()
