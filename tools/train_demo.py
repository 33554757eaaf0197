#!/usr/bin/env python3
"""Train the demo models of stadyn's embedded demo and save checkpoints
across training (TorchScript + manifest each), so that the app can show how
a model's static/dynamic biases form while it learns (METHOD.md §7 iv) and
what StaticDropout (METHOD.md §8) changes.

Five models, each a small CNN trainable on 2 CPU cores in minutes:

  cnn3d-motion        3-D CNN on the "motion" task (direction of motion: right, left, down, up)
  cnn3d-appearance    3-D CNN on the "appearance" task (which object: astronaut, cat, …)
  c2d-motion          frame-wise 2-D CNN (blind to frame order by construction) on "motion"
  c2d-appearance      the same on "appearance"
  cnn3d-motion-sd     cnn3d-motion trained with StaticDropout on the channels that stadyn
                      finds static in an earlier checkpoint of cnn3d-motion
  two-stream-motion   an RGB stream and an optical-flow stream (the exact flow of the demo
                      clips, as colour-wheel images), fused, on "motion" (needs the data made
                      with `stadyn demo-data --flow`)

The committed models (sample_data/models/) were made with, from the repository root:

  stadyn demo-data --task motion     --n 2000 --seed 1 --out ROOT/motion/train
  stadyn demo-data --task motion     --n 400  --seed 2 --out ROOT/motion/val
  stadyn demo-data --task appearance --n 2000 --seed 3 --out ROOT/appearance/train
  stadyn demo-data --task appearance --n 400  --seed 4 --out ROOT/appearance/val
  python tools/train_demo.py --data ROOT --out sample_data/models \\
      --probe ROOT/motion/val --stadyn target/release/stadyn

(python: the set-up's, `eval "$(scripts/setup.sh --env)"; $STADYN_PYTHON ...`).

Data: ROOT/<task>/{train,val}/ each hold clips.npy (uint8 N×16×64×64×3),
labels.npy (int64 N) and demo-data.json (task, classes, …), as written by
`stadyn demo-data`.

Input: exactly what stadyn feeds a model with the manifest written here
(NCTHW float32, T = 8 of W = 16 frames at trunc(linspace(0, 15, 8)) computed
in f32, /255, bilinear resize (align_corners=False, no antialias) to short
side 32, center crop 32×32, (x − 0.45) / 0.225). See `preprocess`.

Output, per model: OUT/<model>/epoch_<EE.EE>.pt (TorchScript, traced in eval
mode; forward returns {"stage1", "stage2", "stage3": N×C×T×H×W, "logits":
N×classes}) and its manifest OUT/<model>/epoch_<EE.EE>.json; and
OUT/training.json with, for every model and checkpoint: epoch, step, train
and val accuracy, losses, seconds, and the command line (re-running with
--only updates only the named models there).

Checkpoints: at the epochs of --checkpoints (fractional = after that
fraction of the epoch's batches; epoch 0 = before training).

StaticDropout (cnn3d-motion-sd): the model is trained exactly as
cnn3d-motion (same initial weights, same batches); from --sd-start-epoch
(default: --sd-from-epoch) on, during training only, each of the chosen
channels of --sd-layer is zeroed per sample with probability --sd-p and the
kept chosen channels are scaled by 1/(1 − p). Before that epoch the model
is the baseline itself (the script checks this against the baseline's
checkpoint), so the chosen channels are the channels of the same network.
The channels are those of category "static" at --sd-layer in
`stadyn analyze` of OUT/cnn3d-motion/epoch_<from>.pt on --probe (or, if
there are none, the top --sd-topk by ρ_S − ρ_D), or --sd-channels given by
hand (a comma list, or a selection file that `stadyn channels` or the app's
"Export channels…" writes); --sd-max-channels K keeps only the K most static of them. --sd-refresh
N re-analyzes the current sd model every N epochs after the start and
replaces the list. In eval mode (and so in every saved checkpoint)
StaticDropout is the identity. Before training, the script runs stadyn once
on a random-weight model (16 pairs) so that a stadyn or probe problem shows
at once.

training.json keeps the entries of models not trained by this run (so
--only updates one model); its top-level "command" is the latest run's, and
every model has its own "command".

Smoke test (a minute; fake data in the same format is fine):
  python tools/train_demo.py --data ROOT --out /tmp/models --epochs 1 \
      --checkpoints 0,0.5,1 --limit-train 128 --limit-val 64 --sd-channels 0,3,5 --sd-from-epoch 0.5

Deterministic: fixed seeds, seeded shuffling, --threads libtorch threads.
"""
import argparse
import csv
import json
import math
import os
import shlex
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Dict, List, Optional

import numpy as np
import torch

from flowvis import flow_to_color
import torch.nn.functional as F
from torch import nn

# ---- the contract with stadyn (written into every manifest) ----------------
FRAMES = 8  # T fed to the model
WINDOW = 16  # W raw frames the T are sampled from (the demo clips have 16)
SHORT_SIDE = 32
CROP = (32, 32)
MEAN = [0.45, 0.45, 0.45]
STD = [0.225, 0.225, 0.225]
LAYERS = ["stage1", "stage2", "stage3"]

# ---- the models ---------------------------------------------------------------
CHANNELS = (12, 24, 48)  # stage widths of both architectures
MODELS = ["cnn3d-motion", "cnn3d-motion-sd", "c2d-motion", "cnn3d-appearance", "c2d-appearance",
          "two-stream-motion"]
TWO_STREAM = "two-stream-motion"
STREAMS = {"rgb1": "appearance", "flow1": "motion", "fusion1": "fusion", "fusion2": "fusion"}
SD_MODEL, SD_BASE = "cnn3d-motion-sd", "cnn3d-motion"
DEFAULT_CHECKPOINTS = [0, 0.25, 0.5, 1, 2, 3, 4, 6, 8, 10]

T0 = time.perf_counter()


def log(msg: str) -> None:
    print(f"[{time.perf_counter() - T0:7.1f}s] {msg}", flush=True)


def die(msg: str) -> None:
    sys.exit(f"error: {msg}")


# ---- input ----------------------------------------------------------------------
def frame_indices(window: int = WINDOW, t: int = FRAMES) -> np.ndarray:
    """trunc(linspace(0, W−1, T)) computed in f32, as stadyn does."""
    return np.linspace(0, window - 1, t).astype(np.float32).astype(np.int64)


def short_side_size(h: int, w: int, side: int):
    """PySlowFast's short-side scale (stadyn src/video/preprocess.rs)."""
    if w < h:
        return int(math.floor(h / w * side)), side
    return side, int(math.floor(w / h * side))


def preprocess(clips: np.ndarray) -> torch.Tensor:
    """uint8 clips N×W×H×W×3 (NTHWC) → float32 N×3×T×32×32 (NCTHW), exactly
    as stadyn feeds the model: T frames at `frame_indices`, /255, bilinear
    resize to short side 32 (align_corners=False, no antialias), center crop
    (offset ceil((size − crop)/2), PySlowFast), then (x − mean) / std."""
    if clips.ndim != 5 or clips.shape[-1] != 3 or clips.dtype != np.uint8:
        raise ValueError(f"expected uint8 N×T×H×W×3 clips, got {clips.dtype} {clips.shape}")
    n, nf, h, w, _ = clips.shape
    if nf != WINDOW:
        raise ValueError(f"clips have {nf} frames, the manifest's window is {WINDOW}")
    x = torch.from_numpy(np.ascontiguousarray(clips[:, frame_indices()]))  # N×T×H×W×3
    x = x.to(torch.float32) / 255.0
    x = x.reshape(n * FRAMES, h, w, 3).permute(0, 3, 1, 2)  # (N·T)×3×H×W
    rh, rw = short_side_size(h, w, SHORT_SIDE)
    if (rh, rw) != (h, w):
        x = F.interpolate(x, size=(rh, rw), mode="bilinear", align_corners=False, antialias=False)
    ch, cw = CROP
    oy, ox = math.ceil((rh - ch) / 2), math.ceil((rw - cw) / 2)
    x = x[:, :, oy:oy + ch, ox:ox + cw]
    mean = torch.tensor(MEAN, dtype=torch.float32).view(1, 3, 1, 1)
    std = torch.tensor(STD, dtype=torch.float32).view(1, 3, 1, 1)
    x = (x - mean) / std
    return x.reshape(n, FRAMES, 3, ch, cw).permute(0, 2, 1, 3, 4).contiguous()


class Split:
    """One demo-data folder, preprocessed once (N×3×8×32×32 float32)."""

    def __init__(self, folder: Path, task: str, limit: Optional[int], chunk: int = 256):
        for name in ("clips.npy", "labels.npy", "demo-data.json"):
            if not (folder / name).is_file():
                die(f"'{folder / name}' is missing: make the data with "
                    f"`stadyn demo-data --task {task} --n N --seed S --out {folder}`")
        self.folder = folder
        self.meta = json.loads((folder / "demo-data.json").read_text())
        if self.meta.get("task") != task:
            die(f"'{folder}/demo-data.json' says task {self.meta.get('task')!r}, expected {task!r}")
        self.classes = list(self.meta["classes"])
        clips = np.load(folder / "clips.npy", mmap_mode="r")
        labels = np.load(folder / "labels.npy", mmap_mode="r")
        if clips.ndim != 5 or clips.shape[0] != labels.shape[0]:
            die(f"'{folder}': clips {clips.shape} and labels {labels.shape} disagree")
        n = clips.shape[0] if limit is None else min(limit, clips.shape[0])
        self.labels = torch.from_numpy(np.asarray(labels[:n], dtype=np.int64).copy())
        if n and (self.labels.min() < 0 or self.labels.max() >= len(self.classes)):
            die(f"'{folder}': labels outside 0..{len(self.classes) - 1}")
        self.x = torch.empty((n, 3, FRAMES) + CROP, dtype=torch.float32)
        for i in range(0, n, chunk):
            j = min(n, i + chunk)
            self.x[i:j] = preprocess(clips[i:j])
        self.n = n
        self.source_n = int(clips.shape[0])
        self.chunk = chunk
        self._flow = None

    @property
    def flow(self) -> torch.Tensor:
        """The clips' optical flow (clips.flow.npy, written by `stadyn
        demo-data --flow`) as stadyn feeds a colour-flow input: each frame's
        field through the colour wheel, then preprocessed as RGB frames."""
        if self._flow is None:
            path = self.folder / "clips.flow.npy"
            if not path.is_file():
                die(f"'{path}' is missing: make the data with `stadyn demo-data --flow ...`")
            fields = np.load(path, mmap_mode="r")
            if fields.shape[0] < self.n or fields.shape[1] != WINDOW:
                die(f"'{path}' has shape {fields.shape}; expected N×{WINDOW}×H×W×2")
            self._flow = torch.empty((self.n, 3, FRAMES) + CROP, dtype=torch.float32)
            for i in range(0, self.n, self.chunk):
                j = min(self.n, i + self.chunk)
                self._flow[i:j] = preprocess(flow_to_color(np.asarray(fields[i:j])))
        return self._flow

    def inputs(self, idx) -> tuple:
        """The model inputs of clips `idx` (RGB, and flow for the two-stream model)."""
        return (self.x[idx],)


def load_task(root: Path, task: str, args) -> Dict[str, Split]:
    t = time.perf_counter()
    train = Split(root / task / "train", task, args.limit_train)
    val = Split(root / task / "val", task, args.limit_val)
    if train.classes != val.classes:
        die(f"train and val of '{task}' have different classes: {train.classes} vs {val.classes}")
    log(f"loaded {task}: {train.n} train, {val.n} val clips, classes {train.classes} "
        f"({time.perf_counter() - t:.1f}s)")
    return {"train": train, "val": val}


# ---- models ---------------------------------------------------------------------
class StaticDropout(nn.Module):
    """METHOD.md §8. In training, for every sample and every listed channel
    independently, zero the channel with probability p and scale the kept
    listed channels by 1/(1 − p); unlisted channels pass unchanged. The
    identity in eval mode (and with no channels or p = 0)."""

    def __init__(self, channels: List[int], p: float, generator: Optional[torch.Generator] = None):
        super().__init__()
        if not 0.0 <= p < 1.0:
            raise ValueError(f"StaticDropout p must be in [0, 1), got {p}")
        self.p = p
        self.channels = sorted(set(int(c) for c in channels))
        self.generator = generator

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.p == 0.0 or not self.channels:
            return x
        n, c = x.shape[0], x.shape[1]
        if self.channels[-1] >= c:
            raise ValueError(f"StaticDropout channel {self.channels[-1]} out of range for {c} channels")
        idx = torch.tensor(self.channels, dtype=torch.long)
        keep = (torch.rand((n, len(idx)), generator=self.generator) >= self.p).to(x.dtype) / (1.0 - self.p)
        mask = torch.ones((n, c), dtype=x.dtype)
        mask[:, idx] = keep
        return x * mask.view((n, c) + (1,) * (x.dim() - 2))

    def extra_repr(self) -> str:
        return f"p={self.p}, channels={self.channels}"


class Cnn3d(nn.Module):
    """Three Conv3d(3, pad 1) → BN → ReLU → MaxPool stages (pools (1,2,2),
    2, 2), global average pool, linear head."""

    def __init__(self, classes: int):
        super().__init__()
        c1, c2, c3 = CHANNELS
        self.stage1 = nn.Sequential(nn.Conv3d(3, c1, 3, padding=1, bias=False), nn.BatchNorm3d(c1), nn.ReLU(),
                                    nn.MaxPool3d((1, 2, 2)))
        self.stage2 = nn.Sequential(nn.Conv3d(c1, c2, 3, padding=1, bias=False), nn.BatchNorm3d(c2), nn.ReLU(),
                                    nn.MaxPool3d(2))
        self.stage3 = nn.Sequential(nn.Conv3d(c2, c3, 3, padding=1, bias=False), nn.BatchNorm3d(c3), nn.ReLU(),
                                    nn.MaxPool3d(2))
        self.head = nn.Linear(c3, classes)
        self.drop = nn.ModuleDict()  # layer name → StaticDropout (cnn3d-motion-sd only)

    def _after(self, name: str, x: torch.Tensor) -> torch.Tensor:
        return self.drop[name](x) if name in self.drop else x

    def forward(self, x: torch.Tensor) -> Dict[str, torch.Tensor]:
        s1 = self._after("stage1", self.stage1(x))
        s2 = self._after("stage2", self.stage2(s1))
        s3 = self._after("stage3", self.stage3(s2))
        logits = self.head(s3.mean(dim=(2, 3, 4)))
        return {"stage1": s1, "stage2": s2, "stage3": s3, "logits": logits}


class C2d(nn.Module):
    """The same three stages in 2-D, applied to every frame separately
    (frames folded into the batch): nothing mixes frames, so the model is
    blind to frame order (training-mode BatchNorm pools statistics over all
    frames of the batch, which is order-free too). Stage outputs are
    unfolded back to N×C×T×H×W; the head averages over T, H, W."""

    def __init__(self, classes: int):
        super().__init__()
        c1, c2, c3 = CHANNELS
        self.stage1 = nn.Sequential(nn.Conv2d(3, c1, 3, padding=1, bias=False), nn.BatchNorm2d(c1), nn.ReLU(),
                                    nn.MaxPool2d(2))
        self.stage2 = nn.Sequential(nn.Conv2d(c1, c2, 3, padding=1, bias=False), nn.BatchNorm2d(c2), nn.ReLU(),
                                    nn.MaxPool2d(2))
        self.stage3 = nn.Sequential(nn.Conv2d(c2, c3, 3, padding=1, bias=False), nn.BatchNorm2d(c3), nn.ReLU(),
                                    nn.MaxPool2d(2))
        self.head = nn.Linear(c3, classes)

    def forward(self, x: torch.Tensor) -> Dict[str, torch.Tensor]:
        n, t = x.shape[0], x.shape[2]
        f = x.transpose(1, 2).flatten(0, 1)  # (N·T)×3×H×W
        f1 = self.stage1(f)
        f2 = self.stage2(f1)
        f3 = self.stage3(f2)

        def unfold(y: torch.Tensor) -> torch.Tensor:  # (N·T)×C×h×w → N×C×T×h×w
            return y.reshape(n, t, y.shape[1], y.shape[2], y.shape[3]).transpose(1, 2)

        s3 = unfold(f3)
        logits = self.head(s3.mean(dim=(2, 3, 4)))
        return {"stage1": unfold(f1), "stage2": unfold(f2), "stage3": s3, "logits": logits}


class TwoStream(nn.Module):
    """An RGB stream and a flow stream (one Conv3d-BN-ReLU-MaxPool stage
    each, 12 channels), their outputs concatenated and fused by two more
    stages (24, 48 channels), global average pool, linear head. Before the
    fusion each stream sees only its own input."""

    def __init__(self, classes: int):
        super().__init__()
        c1, c2, c3 = CHANNELS

        def stage(cin: int, cout: int, pool) -> nn.Module:
            return nn.Sequential(nn.Conv3d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm3d(cout), nn.ReLU(),
                                 nn.MaxPool3d(pool))

        self.rgb1 = stage(3, c1, (1, 2, 2))
        self.flow1 = stage(3, c1, (1, 2, 2))
        self.fusion1 = stage(2 * c1, c2, 2)
        self.fusion2 = stage(c2, c3, 2)
        self.head = nn.Linear(c3, classes)

    def forward(self, rgb: torch.Tensor, flow: torch.Tensor) -> Dict[str, torch.Tensor]:
        a = self.rgb1(rgb)
        m = self.flow1(flow)
        f1 = self.fusion1(torch.cat([a, m], dim=1))
        f2 = self.fusion2(f1)
        logits = self.head(f2.mean(dim=(2, 3, 4)))
        return {"rgb1": a, "flow1": m, "fusion1": f1, "fusion2": f2, "logits": logits}


def build(arch: str, classes: int, seed: int) -> nn.Module:
    torch.manual_seed(seed)
    if arch == "two-stream":
        return TwoStream(classes)
    return Cnn3d(classes) if arch == "cnn3d" else C2d(classes)


def parse_name(name: str):
    if name.startswith("two-stream-"):
        return "two-stream", name[len("two-stream-"):]
    arch, task = name.split("-")[:2]
    return arch, task


def batch(split: "Split", idx, arch: str) -> tuple:
    """The inputs of clips `idx` of `split` for a model of `arch`."""
    if arch == "two-stream":
        return split.x[idx], split.flow[idx]
    return (split.x[idx],)


# ---- checkpoints -------------------------------------------------------------------
def epoch_tag(e: float) -> str:
    return f"{e:05.2f}"


def trace(model: nn.Module, example: tuple):
    was = model.training
    model.eval()
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        traced = torch.jit.trace(model, example, strict=False, check_trace=False)
    model.train(was)
    return traced


def save_traced(model: nn.Module, example, check, path: Path) -> int:
    """Traces the eval-mode model, saves it, reloads it and checks it against
    the eager model on `check` (a different batch size); returns the file size.
    `example` and `check` are a tensor or a tuple of the model's inputs."""
    example = example if isinstance(example, tuple) else (example,)
    check = check if isinstance(check, tuple) else (check,)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    trace(model, example).save(str(tmp))
    reloaded = torch.jit.load(str(tmp))
    was = model.training
    model.eval()
    with torch.no_grad():
        a, b = model(*check), reloaded(*check)
    model.train(was)
    if list(a) != list(b):
        tmp.unlink()
        die(f"traced outputs {list(b)} differ from eager {list(a)}")
    for k in a:
        if a[k].shape != b[k].shape or not torch.allclose(a[k], b[k], rtol=1e-4, atol=1e-5):
            tmp.unlink()
            die(f"traced output '{k}' differs from the eager model's")
    tmp.replace(path)
    return path.stat().st_size


def write_json(path: Path, obj) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(obj, indent=2) + "\n")
    tmp.replace(path)


def manifest(name: str, epoch: float, step: int, acc: float, train_acc: float, classes: List[str],
             notes: str) -> dict:
    # Only keys stadyn's Manifest knows (it rejects unknown ones).
    common = {"name": name, "outputs": [], "ignore": ["logits"], "per_frame": [],
              "epoch": float(epoch), "step": int(step), "accuracy": float(acc),
              "train_accuracy": float(train_acc), "classes": classes, "notes": notes}
    one = {"layout": "NCTHW", "dtype": "float32", "frames": FRAMES, "window": WINDOW,
           "short_side": SHORT_SIDE, "crop": list(CROP), "mean": MEAN, "std": STD}
    if name == TWO_STREAM:
        return {**common, "inputs": [{"name": "rgb", "kind": "rgb", **one},
                                     {"name": "flow", "kind": "flow", "encoding": "color", **one}],
                "layers": list(STREAMS), "streams": STREAMS}
    return {**common, **one, "size": None, "layers": LAYERS}


@torch.no_grad()
def evaluate(model: nn.Module, x, y: torch.Tensor, batch: int = 128):
    """Accuracy and mean loss; `x` is a tensor or a tuple of the inputs."""
    xs = x if isinstance(x, tuple) else (x,)
    was = model.training
    model.eval()
    correct, loss = 0, 0.0
    for i in range(0, len(y), batch):
        logits = model(*(t[i:i + batch] for t in xs))["logits"]
        loss += F.cross_entropy(logits, y[i:i + batch], reduction="sum").item()
        correct += (logits.argmax(1) == y[i:i + batch]).sum().item()
    model.train(was)
    n = max(1, len(y))
    return correct / n, loss / n


# ---- StaticDropout: channels from stadyn ----------------------------------------------
def stadyn_channels(args, model_pt: Path, layer: str, quiet: bool = False) -> dict:
    """Runs `stadyn analyze` on one checkpoint and returns the channels of
    `layer` that it categorises as static (or the top-k by ρ_S − ρ_D)."""
    with tempfile.TemporaryDirectory(prefix="train_demo_sd_") as tmp:
        cmd = [str(args.stadyn), "analyze", "--model", str(model_pt), "--videos", str(args.probe),
               "--pairs", str(args.sd_pairs), "--bootstrap", "0", "--seed", "0", "--layers", layer,
               "--threads", str(args.threads), "--out", tmp, "--quiet"]
        t = time.perf_counter()
        if not quiet:
            log(f"  {shlex.join(cmd)}")
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            die(f"stadyn analyze failed (exit {r.returncode}):\n{(r.stderr or r.stdout)[-3000:]}")
        path = Path(tmp) / "channels.csv"
        if not path.is_file():
            die(f"stadyn analyze wrote no channels.csv ({shlex.join(cmd)})")
        rows = [row for row in csv.DictReader(path.open()) if row["layer"] == layer]
    if not rows:
        die(f"stadyn's channels.csv has no rows for layer '{layer}'")
    counts: Dict[str, int] = {}
    for row in rows:
        counts[row["category"]] = counts.get(row["category"], 0) + 1
    # (rho_S - rho_D, channel), best first; channels with an undefined rho are left out.
    scored = sorted(((float(r["rho_static"]) - float(r["rho_dynamic"]), int(r["channel"]), r["category"])
                     for r in rows if r["rho_static"] != "" and r["rho_dynamic"] != ""),
                    key=lambda s: (-s[0], s[1]))
    static = [c for _, c, cat in scored if cat == "static"]
    info = {"from": str(model_pt), "layer": layer, "pairs": args.sd_pairs, "probe": str(args.probe),
            "command": shlex.join(cmd), "categories": counts, "seconds": round(time.perf_counter() - t, 2)}
    if static:
        rule = "category static"
        if args.sd_max_channels is not None and len(static) > args.sd_max_channels:
            rule += f" ({len(static)}), capped by --sd-max-channels to the top {args.sd_max_channels} by rho_S - rho_D"
            static = static[:args.sd_max_channels]
        info.update(rule=rule, channels=sorted(static))
    else:
        k = args.sd_topk if args.sd_topk is not None else max(1, len(rows) // 4)
        info.update(rule=f"no static channel: top {k} by rho_S - rho_D", channels=sorted(c for _, c, _ in scored[:k]))
        if not quiet:
            log(f"  no channel of {layer} is static: falling back to the top {k} by rho_S - rho_D")
    if not quiet:
        log(f"  StaticDropout channels of {layer} ({info['rule']}): {info['channels']}; categories {counts}")
    return info


def preflight(args) -> None:
    """Runs stadyn on a random-weight model with a few pairs before any
    training, so that a stadyn or probe problem shows now, not hours later."""
    log(f"checking that {args.stadyn} can analyze the probe set {args.probe} (16 pairs, random weights)")
    with tempfile.TemporaryDirectory(prefix="train_demo_preflight_") as tmp:
        model = build("cnn3d", 4, 0)
        x = torch.zeros((2, 3, FRAMES) + CROP)
        pt = Path(tmp) / "preflight.pt"
        save_traced(model, x, x[:1], pt)
        write_json(pt.with_suffix(".json"), manifest("preflight", 0, 0, 0, 0, [], "train_demo.py preflight"))
        pairs = args.sd_pairs
        args.sd_pairs = 16
        try:
            stadyn_channels(args, pt, args.sd_layer, quiet=True)
        finally:
            args.sd_pairs = pairs


def check_same_as(model: nn.Module, path: Path, x: torch.Tensor) -> float:
    """Max |difference| of the logits of `model` and the checkpoint `path`."""
    other = torch.jit.load(str(path))
    was = model.training
    model.eval()
    with torch.no_grad():
        d = (model(x)["logits"] - other(x)["logits"]).abs().max().item()
    model.train(was)
    return d


# ---- training ----------------------------------------------------------------------------
def train_one(name: str, data: Dict[str, Split], args, out: Path, command: str, record: dict) -> dict:
    arch, task = parse_name(name)
    sd = name == SD_MODEL
    train, val = data["train"], data["val"]
    classes = train.classes
    model = build(arch, len(classes), args.seed)
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    order_gen = torch.Generator().manual_seed(args.seed)
    nb = math.ceil(train.n / args.batch)

    def step_of(e: float) -> int:  # after fraction e % 1 of epoch e's batches (half up)
        return int(math.floor(e * nb + 0.5))

    total = step_of(args.epochs)
    ckpts = {}
    for e in args.checkpoints:
        if step_of(e) in ckpts:
            die(f"checkpoints at epochs {ckpts[step_of(e)]:g} and {e:g} fall on the same step "
                f"({nb} batches per epoch): use more data or fewer checkpoints")
        ckpts[step_of(e)] = e
    # A fixed subset of the training set for train accuracy.
    sub = np.sort(np.random.default_rng(args.seed).permutation(train.n)[:args.train_eval])
    sub = torch.from_numpy(sub)
    x_sub, y_sub = batch(train, sub, arch), train.labels[sub]
    val_x = batch(val, slice(None), arch)
    example = batch(val, slice(0, 2), arch)
    check = batch(val, slice(2, 5) if val.n >= 5 else slice(0, 1), arch)
    params = sum(p.numel() for p in model.parameters())

    desc = {"two-stream": f"two-stream 3-D CNN: RGB and colour-flow stages of {CHANNELS[0]} channels, fused by "
                          f"stages of {list(CHANNELS[1:])} channels, Conv3d-BN-ReLU-MaxPool",
            "cnn3d": f"3-D CNN, stages {list(CHANNELS)} channels, Conv3d-BN-ReLU-MaxPool",
            "c2d": f"frame-wise 2-D CNN (blind to frame order), stages {list(CHANNELS)} channels, "
                   f"Conv2d-BN-ReLU-MaxPool per frame"}[arch]
    notes = (f"{name}: {desc}, {params} parameters; task '{task}' ({len(classes)} classes, "
             f"{train.n} training clips of {train.folder}); Adam lr {args.lr} wd {args.weight_decay}, "
             f"batch {args.batch}, seed {args.seed}")
    sd_info = None
    sd_start_step = None
    refresh_steps = set()
    if sd:
        sd_gen = torch.Generator().manual_seed(args.seed + 1)
        drop = StaticDropout([], args.sd_p, sd_gen)
        model.drop[args.sd_layer] = drop
        width = CHANNELS[LAYERS.index(args.sd_layer)]
        if args.sd_channels is not None:
            sd_info = {"rule": "given by --sd-channels", "channels": args.sd_channels}
        else:
            sd_info = stadyn_channels(args, out / SD_BASE / f"epoch_{epoch_tag(args.sd_from_epoch)}.pt",
                                      args.sd_layer)
        bad = [c for c in sd_info["channels"] if not 0 <= c < width]
        if bad:
            die(f"StaticDropout channels {bad} out of range for {args.sd_layer} ({width} channels)")
        start = args.sd_start_epoch if args.sd_start_epoch is not None else args.sd_from_epoch
        sd_start_step = step_of(start)
        if args.sd_refresh > 0:
            k = 1
            while step_of(start + k * args.sd_refresh) < total:
                refresh_steps.add(step_of(start + k * args.sd_refresh))
                k += 1
        notes += (f"; StaticDropout at {args.sd_layer}, p {args.sd_p}, rescale 1/(1-p), from epoch {start}, "
                  f"channels {sd_info['channels']} ({sd_info['rule']}"
                  + (f", stadyn analyze of {SD_BASE} epoch {args.sd_from_epoch}, {args.sd_pairs} pairs"
                     if args.sd_channels is None else "")
                  + (f"; refreshed every {args.sd_refresh} epochs from the sd model itself" if refresh_steps else "")
                  + ")")
        record["static_dropout"] = {
            "layer": args.sd_layer, "p": args.sd_p, "from_epoch": args.sd_from_epoch, "start_epoch": start,
            "refresh_epochs": args.sd_refresh, "initial": sd_info, "refreshes": []}

    stale = sorted((out / name).glob("epoch_*.pt")) + sorted((out / name).glob("epoch_*.json"))
    if stale:
        log(f"{name}: removing {len(stale)} files of an earlier run from {out / name}")
        for f in stale:
            f.unlink()
    record.update(arch=arch, task=task, classes=classes, parameters=params, train_clips=train.n,
                  val_clips=val.n, train_eval_clips=len(sub), batches_per_epoch=nb, command=command,
                  checkpoints=[])
    log(f"{name}: {params} parameters, {nb} batches/epoch, {total} steps, checkpoints at epochs "
        f"{[e for e in args.checkpoints]}")

    t_start = time.perf_counter()
    t_train = 0.0
    loss_sum, loss_n = 0.0, 0
    perm = None
    for step in range(total + 1):
        if sd and step == sd_start_step:
            if args.sd_channels is None and sd_start_step == step_of(args.sd_from_epoch):
                d = check_same_as(model, out / SD_BASE / f"epoch_{epoch_tag(args.sd_from_epoch)}.pt", val.x[:16])
                log(f"  {name} at epoch {args.sd_from_epoch} vs {SD_BASE}: max |Δlogits| {d:.3g}"
                    + ("" if d < 1e-4 else f"  (WARNING: not the same network: {SD_BASE} was trained with other "
                                         "settings or data, or training is not deterministic here)"))
                record["static_dropout"]["max_logit_diff_to_base"] = d
            drop.channels = sorted(sd_info["channels"])
            log(f"  StaticDropout on: {args.sd_layer} channels {drop.channels}, p {args.sd_p}")
        if sd and step in refresh_steps:
            e = step / nb
            with tempfile.TemporaryDirectory(prefix="train_demo_refresh_") as tmp:
                pt = Path(tmp) / f"{name}_epoch_{epoch_tag(e)}.pt"
                save_traced(model, example, check, pt)
                acc, _ = evaluate(model, val_x, val.labels)
                train_acc, _ = evaluate(model, x_sub, y_sub)
                write_json(pt.with_suffix(".json"), manifest(name, e, step, acc, train_acc, classes,
                                                             f"{notes}; temporary, for --sd-refresh"))
                info = stadyn_channels(args, pt, args.sd_layer)
            info["epoch"] = e
            info["from"] = f"{name} at epoch {e} (temporary file)"
            record["static_dropout"]["refreshes"].append(info)
            drop.channels = sorted(info["channels"])
        if step in ckpts:
            e = ckpts[step]
            t_eval = time.perf_counter()
            val_acc, val_loss = evaluate(model, val_x, val.labels)
            train_acc, train_loss = evaluate(model, x_sub, y_sub)
            pt = out / name / f"epoch_{epoch_tag(e)}.pt"
            size = save_traced(model, example, check, pt)
            ck_notes = f"{notes}; epoch {e}, step {step}; command: {command}; trained by tools/train_demo.py"
            write_json(pt.with_suffix(".json"), manifest(name, e, step, val_acc, train_acc, classes, ck_notes))
            row = {"epoch": e, "step": step, "train_accuracy": round(train_acc, 6),
                   "val_accuracy": round(val_acc, 6),
                   "loss": round(loss_sum / loss_n, 6) if loss_n else None,
                   "train_eval_loss": round(train_loss, 6), "val_loss": round(val_loss, 6),
                   "seconds": round(time.perf_counter() - t_start, 2), "train_seconds": round(t_train, 2),
                   "file": str(pt.relative_to(out)), "bytes": size}
            if sd:
                row["sd_channels"] = list(drop.channels)
            record["checkpoints"].append(row)
            loss_sum, loss_n = 0.0, 0
            log(f"{name} epoch {e:5.2f} step {step:5d}: loss {row['loss'] if row['loss'] is not None else '-':>8} "
                f"train {train_acc:.3f} val {val_acc:.3f} -> {pt.relative_to(out)} ({size / 1024:.0f} KiB, "
                f"eval+save {time.perf_counter() - t_eval:.1f}s)")
        if step == total:
            break
        b = step % nb
        if b == 0:
            perm = torch.randperm(train.n, generator=order_gen)
            if step:
                log(f"{name} epoch {step // nb} done: {t_train:.1f}s training "
                    f"({t_train / (step / nb):.1f}s/epoch)")
        idx = perm[b * args.batch:(b + 1) * args.batch]
        t = time.perf_counter()
        logits = model(*batch(train, idx, arch))["logits"]
        loss = F.cross_entropy(logits, train.labels[idx])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        t_train += time.perf_counter() - t
        loss_sum += loss.item()
        loss_n += 1
        if args.log_every and (step + 1) % args.log_every == 0:
            log(f"{name} step {step + 1}/{total} (epoch {(step + 1) / nb:.2f}) loss {loss.item():.4f}")
    record["seconds"] = round(time.perf_counter() - t_start, 2)
    record["train_seconds"] = round(t_train, 2)
    record["seconds_per_epoch"] = round(t_train / args.epochs, 2) if args.epochs else None
    return record


# ---- command line -------------------------------------------------------------------------
def float_list(s: str) -> List[float]:
    return [float(v) for v in s.split(",") if v.strip()]


def int_list(s: str) -> List[int]:
    return [int(v) for v in s.split(",") if v.strip()]


class ChannelList(list):
    """Channel ids, with the layer they were chosen at when they come from a
    stadyn selection file (None for a comma list)."""
    layer: Optional[str] = None


def channel_list(s: str) -> ChannelList:
    """A comma list (0,3,5), or a selection file that stadyn writes
    (`stadyn channels` `<layer>_channels.json`, the app's "Export channels…"):
    schema stadyn.channels/1, whose channels' ids are taken."""
    if not s.lower().endswith(".json"):
        return ChannelList(int_list(s))
    try:
        doc = json.loads(Path(s).read_text())
    except (OSError, ValueError) as e:
        raise argparse.ArgumentTypeError(f"cannot read the channel selection {s}: {e}")
    if not isinstance(doc, dict) or doc.get("schema") != "stadyn.channels/1":
        raise argparse.ArgumentTypeError(f"{s} is not a stadyn channel selection (schema stadyn.channels/1)")
    try:
        out = ChannelList(int(c["channel"]) for c in doc["channels"])
    except (KeyError, TypeError, ValueError) as e:
        raise argparse.ArgumentTypeError(f"{s}: a channel without an integer 'channel' ({e})")
    if not out:
        raise argparse.ArgumentTypeError(f"{s} selects no channels: StaticDropout would change nothing")
    out.layer = doc.get("layer")
    return out


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, required=True,
                    help="root with <task>/train and <task>/val demo-data folders (task: motion, appearance)")
    ap.add_argument("--out", type=Path, required=True, help="output folder (e.g. sample_data/models)")
    ap.add_argument("--only", type=lambda s: [v for v in s.split(",") if v],
                    help=f"comma-separated models to train (default: all): {', '.join(MODELS)}")
    ap.add_argument("--epochs", type=float, default=10, help="training epochs (may be fractional; default 10)")
    ap.add_argument("--checkpoints", type=float_list,
                    help="comma-separated epochs to save (default: those of "
                         f"{','.join(f'{e:g}' for e in DEFAULT_CHECKPOINTS)} up to --epochs, and --epochs)")
    ap.add_argument("--threads", type=int, default=2, help="libtorch threads (default 2)")
    ap.add_argument("--seed", type=int, default=0, help="seed of the initial weights and batch order (default 0)")
    ap.add_argument("--batch", type=int, default=32, help="batch size (default 32)")
    ap.add_argument("--lr", type=float, default=2e-3, help="Adam learning rate (default 2e-3)")
    ap.add_argument("--weight-decay", type=float, default=1e-4, help="Adam weight decay (default 1e-4)")
    ap.add_argument("--train-eval", type=int, default=512,
                    help="training clips (a fixed random subset) used for train accuracy (default 512)")
    ap.add_argument("--limit-train", type=int, help="use only the first N training clips (smoke tests)")
    ap.add_argument("--limit-val", type=int, help="use only the first N validation clips (smoke tests)")
    ap.add_argument("--log-every", type=int, default=0, help="print the loss every N steps (default: never)")
    sd = ap.add_argument_group("StaticDropout (cnn3d-motion-sd)")
    sd.add_argument("--stadyn", type=Path, default=Path("target/release/stadyn"),
                    help="the stadyn binary that picks the channels (default target/release/stadyn)")
    sd.add_argument("--probe", type=Path, help="probe set for `stadyn analyze` (e.g. a demo-data folder)")
    sd.add_argument("--sd-pairs", type=int, default=300, help="probe pairs of the analysis (default 300)")
    sd.add_argument("--sd-layer", default="stage3", choices=LAYERS, help="layer to drop channels of (default stage3)")
    sd.add_argument("--sd-from-epoch", type=float, default=2,
                    help="checkpoint of cnn3d-motion whose static channels are dropped (default 2)")
    sd.add_argument("--sd-start-epoch", type=float,
                    help="epoch from which StaticDropout is on (default: --sd-from-epoch; before it the sd "
                         "model is cnn3d-motion itself); 0 = from the start")
    sd.add_argument("--sd-p", type=float, default=0.5, help="drop probability p (default 0.5)")
    sd.add_argument("--sd-refresh", type=float, default=0,
                    help="re-pick the channels from the sd model itself every N epochs (default 0: never)")
    sd.add_argument("--sd-topk", type=int,
                    help="if no channel is static: drop the top k by rho_S - rho_D (default: a quarter)")
    sd.add_argument("--sd-max-channels", type=int,
                    help="drop at most K of the static channels (those with the largest rho_S - rho_D; "
                         "default: all static channels)")
    sd.add_argument("--sd-channels", type=channel_list,
                    help="channels to drop, instead of asking stadyn: comma-separated (e.g. 0,3,5) or a "
                         "selection file stadyn writes (stadyn channels' <layer>_channels.json, or the app's "
                         "Export channels…)")
    args = ap.parse_args()
    sd_from = getattr(args.sd_channels, "layer", None)
    if sd_from is not None and sd_from != args.sd_layer:
        ap.error(f"the --sd-channels selection is of layer {sd_from}, not --sd-layer {args.sd_layer}")

    names = args.only or list(MODELS)
    unknown = [n for n in names if n not in MODELS]
    if unknown:
        ap.error(f"unknown model(s) {unknown}; choose from {MODELS}")
    args.names = [n for n in MODELS if n in names]  # the baseline before its sd variant
    if args.epochs <= 0:
        ap.error("--epochs must be > 0")
    if args.checkpoints is None:
        args.checkpoints = [e for e in DEFAULT_CHECKPOINTS if e <= args.epochs]
        if args.epochs not in args.checkpoints:
            args.checkpoints.append(args.epochs)
    else:
        late = [e for e in args.checkpoints if e < 0 or e > args.epochs]
        if late:
            ap.error(f"checkpoints {late} are outside 0..--epochs ({args.epochs:g})")
    args.checkpoints = sorted(set(float(e) for e in args.checkpoints))
    if args.threads < 1 or args.batch < 1:
        ap.error("--threads and --batch must be >= 1")
    if SD_MODEL in args.names:
        if not 0 <= args.sd_p < 1:
            ap.error("--sd-p must be in [0, 1)")
        start = args.sd_start_epoch if args.sd_start_epoch is not None else args.sd_from_epoch
        if not 0 <= start <= args.epochs:
            ap.error(f"StaticDropout start epoch {start:g} is outside 0..--epochs")
        if args.sd_refresh < 0:
            ap.error("--sd-refresh must be >= 0")
        if args.sd_channels is None or args.sd_refresh > 0:
            if args.probe is None:
                ap.error(f"{SD_MODEL} needs --probe (a probe set for stadyn analyze), or --sd-channels")
            if not args.probe.exists():
                ap.error(f"--probe '{args.probe}' does not exist")
            if not (args.stadyn.is_file() and os.access(args.stadyn, os.X_OK)):
                ap.error(f"--stadyn '{args.stadyn}' is not an executable (build it: cargo build --release)")
            # Absolute: Path("./stadyn") prints as "stadyn", which a subprocess looks up on PATH.
            args.stadyn = args.stadyn.resolve()
        if args.sd_channels is None:
            base = args.out / SD_BASE / f"epoch_{epoch_tag(args.sd_from_epoch)}.pt"
            if SD_BASE in args.names:
                if args.sd_from_epoch not in args.checkpoints:
                    ap.error(f"--sd-from-epoch {args.sd_from_epoch:g} is not one of the checkpoints {args.checkpoints}")
            elif not base.is_file():
                ap.error(f"{SD_MODEL} needs '{base}': train {SD_BASE} first (or give --sd-channels)")
    return args


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass
    torch.use_deterministic_algorithms(True, warn_only=True)
    command = "python " + shlex.join(sys.argv)
    for task in sorted({parse_name(n)[1] for n in args.names}):
        for split in ("train", "val"):
            folder = args.data / task / split
            missing = [f for f in ("clips.npy", "labels.npy", "demo-data.json") if not (folder / f).is_file()]
            if missing:
                die(f"'{folder}' is missing or incomplete (no {', '.join(missing)}): make it with "
                    f"`stadyn demo-data --task {task} --n N --seed S --out {folder}`")
    if SD_MODEL in args.names and (args.sd_channels is None or args.sd_refresh > 0):
        preflight(args)
    args.out.mkdir(parents=True, exist_ok=True)
    summary_path = args.out / "training.json"
    summary = json.loads(summary_path.read_text()) if summary_path.is_file() else {}
    summary.setdefault("models", {})
    log(f"training {args.names} for {args.epochs:g} epochs on {args.threads} threads; "
        f"checkpoints {args.checkpoints}")

    data, data_task = None, None
    for name in args.names:
        task = parse_name(name)[1]
        if task != data_task:
            data, data_task = None, None
            data, data_task = load_task(args.data, task, args), task
        record = {}
        summary["models"][name] = train_one(name, data, args, args.out, command, record)
        summary.update(command=command, tool="tools/train_demo.py", torch=torch.__version__,
                       threads=args.threads, seed=args.seed, epochs=args.epochs, checkpoints=args.checkpoints,
                       data=str(args.data))
        write_json(summary_path, summary)

    # The table.
    print()
    print(f"{'model':18} {'s/epoch':>8} " + " ".join(f"{epoch_tag(e):>11}" for e in args.checkpoints))
    print(f"{'':18} {'':>8} " + " ".join(f"{'train/val':>11}" for _ in args.checkpoints))
    for name in args.names:
        rec = summary["models"][name]
        cells = {c["epoch"]: f"{c['train_accuracy']:.2f}/{c['val_accuracy']:.2f}" for c in rec["checkpoints"]}
        spe = rec.get("seconds_per_epoch")
        print(f"{name:18} {spe if spe is not None else '-':>8} "
              + " ".join(f"{cells.get(e, '-'):>11}" for e in args.checkpoints))
    total = sum(p.stat().st_size for p in args.out.rglob("*") if p.is_file())
    print(f"\n{args.out}: {total / 1e6:.2f} MB in all; wrote {summary_path}")


if __name__ == "__main__":
    main()
