#!/usr/bin/env python3
"""Writes the tiny TorchScript models the tests use (tests/fixtures/models/),
each with its manifest. Deterministic (fixed seed); run it again after
changing a model:

    python tools/make_test_models.py tests/fixtures/models [NAME ...]
"""
import json
import sys
from pathlib import Path
from typing import Dict, Tuple

import torch
from torch import nn


class Tiny3d(nn.Module):
    """Two 3-D conv stages, token view and logits: the contract's ranks."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv3d(3, 4, 3, padding=1)
        self.conv2 = nn.Conv3d(4, 6, 3, stride=2, padding=1)
        self.fc = nn.Linear(6, 5)

    def forward(self, x: torch.Tensor) -> Dict[str, torch.Tensor]:
        a = torch.relu(self.conv1(x))
        b = torch.relu(self.conv2(a))
        tokens = b.flatten(2).transpose(1, 2)  # N × L × D
        pooled = b.mean(dim=(2, 3, 4))
        return {"conv1": a, "conv2": b, "tokens": tokens, "pooled": pooled, "logits": self.fc(pooled)}


class C2d(nn.Module):
    """A frame-wise 2-D CNN with temporal mean pooling: invariant to frame order."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 5, 3, padding=1)
        self.conv2 = nn.Conv2d(5, 7, 3, padding=1)

    def forward(self, x: torch.Tensor) -> Dict[str, torch.Tensor]:
        n, c, t, h, w = x.shape
        f = x.transpose(1, 2).reshape(n * t, c, h, w)
        a = torch.relu(self.conv1(f))
        b = torch.relu(self.conv2(a))
        a5 = a.reshape(n, t, 5, h, w).transpose(1, 2)
        b5 = b.reshape(n, t, 7, h, w).transpose(1, 2)
        return {"stage1": a5, "stage2": b5}


class TensorOut(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.mean(dim=(2, 3, 4))


class TupleOut(nn.Module):
    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        return x.mean(dim=(2, 3, 4)), x.amax(dim=(2, 3, 4))


class NanLayer(nn.Module):
    def forward(self, x: torch.Tensor) -> Dict[str, torch.Tensor]:
        good = x.mean(dim=(2, 3, 4))
        return {"good": good, "broken": torch.log(good - 10.0)}


class FixedShape(nn.Module):
    """Works only on 16×16 inputs; its manifest asks for 32×32."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3 * 4 * 16 * 16, 4)

    def forward(self, x: torch.Tensor) -> Dict[str, torch.Tensor]:
        return {"fc": self.fc(x.reshape(x.shape[0], 3 * 4 * 16 * 16))}


class FailsOnBatch8(nn.Module):
    """A working model that raises on a batch of exactly 8 clips (4 pairs):
    a forward error (like an out-of-memory) on one batch size only."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv3d(3, 4, 3, padding=1)

    def forward(self, x: torch.Tensor) -> Dict[str, torch.Tensor]:
        if x.shape[0] == 8:
            raise RuntimeError("simulated failure on a batch of 8 clips")
        return {"mean": x.mean(dim=(2, 3, 4)), "conv": torch.relu(self.conv(x))}


class Inspect(nn.Module):
    """Known maps for the channel inspector's tests. Layer "stage" has two
    channels: 0 is the input's red plane passed through unchanged (a 1×1×1
    conv with weights [1, 0, 0] and no bias), 1 is the red plane's absolute
    change from the previous frame (0 at the first). "tokens" is the same as
    N×(1 + T·H·W)×2 tokens after a class token, "half" is "stage" averaged
    over pairs of frames (T' = T/2), "pooled" has no map."""

    def __init__(self):
        super().__init__()
        self.red = nn.Conv3d(3, 1, 1, bias=False)
        with torch.no_grad():
            self.red.weight.zero_()
            self.red.weight[0, 0] = 1.0

    def forward(self, x: torch.Tensor) -> Dict[str, torch.Tensor]:
        r = self.red(x)
        prev = torch.cat([r[:, :, :1], r[:, :, :-1]], dim=2)
        stage = torch.cat([r, (r - prev).abs()], dim=1)
        n = stage.shape[0]
        tokens = stage.flatten(2).transpose(1, 2)
        cls = tokens.mean(dim=1, keepdim=True)
        half = torch.nn.functional.avg_pool3d(stage, (2, 1, 1))
        return {
            "stage": stage,
            "tokens": torch.cat([cls, tokens], dim=1),
            "half": half,
            "pooled": stage.mean(dim=(2, 3, 4)).reshape(n, 2),
        }


class TwoStream(nn.Module):
    """An RGB stream and a (u, v) flow stream of 3-D convs, fused: before
    the fusion each stream sees only its own input."""

    def __init__(self):
        super().__init__()
        self.rgb1 = nn.Conv3d(3, 4, 3, padding=1)
        self.flow1 = nn.Conv3d(2, 4, 3, padding=1)
        self.fused = nn.Conv3d(8, 5, 3, padding=1)

    def forward(self, rgb: torch.Tensor, flow: torch.Tensor) -> Dict[str, torch.Tensor]:
        a = torch.relu(self.rgb1(rgb))
        m = torch.relu(self.flow1(flow))
        f = torch.relu(self.fused(torch.cat([a, m], dim=1)))
        return {"rgb1": a, "flow1": m, "fused": f}


class TwoStreamFrames(nn.Module):
    """The per-frame form (as AVOS models are): one RGB frame and its
    colour-wheel flow image per batch item, N×C×H×W maps out."""

    def __init__(self):
        super().__init__()
        self.rgb1 = nn.Conv2d(3, 4, 3, padding=1)
        self.flow1 = nn.Conv2d(3, 4, 3, padding=1)
        self.fused = nn.Conv2d(8, 5, 3, padding=1)

    def forward(self, rgb: torch.Tensor, flow: torch.Tensor) -> Dict[str, torch.Tensor]:
        a = torch.relu(self.rgb1(rgb))
        m = torch.relu(self.flow1(flow))
        f = torch.relu(self.fused(torch.cat([a, m], dim=1)))
        return {"rgb1": a, "flow1": m, "fused": f}


class TwoPathway(nn.Module):
    """A slow (4 frames) and a fast (8 frames) pathway, each with an
    order-dependent 3-D conv and an order-free frame-wise summary, and a
    layer joining them."""

    def __init__(self):
        super().__init__()
        self.slow = nn.Conv3d(3, 4, 3, padding=1)
        self.fast = nn.Conv3d(3, 4, 3, padding=1)
        self.slow_frames = nn.Conv2d(3, 4, 3, padding=1)
        self.fast_frames = nn.Conv2d(3, 4, 3, padding=1)

    def frames(self, x: torch.Tensor) -> torch.Tensor:
        n, c, t, h, w = x.shape
        return x.transpose(1, 2).reshape(n * t, c, h, w)

    def frame_mean(self, y: torch.Tensor, n: int) -> torch.Tensor:
        return torch.relu(y).reshape(n, -1, 4, y.shape[2], y.shape[3]).mean(dim=(1, 3, 4))

    def forward(self, slow: torch.Tensor, fast: torch.Tensor) -> Dict[str, torch.Tensor]:
        s = torch.relu(self.slow(slow))
        f = torch.relu(self.fast(fast))
        n = slow.shape[0]
        return {
            "slow": s,
            "fast": f,
            "slow_frames": self.frame_mean(self.slow_frames(self.frames(slow)), n),
            "fast_frames": self.frame_mean(self.fast_frames(self.frames(fast)), n),
            "cat": torch.cat([s.mean(dim=(2, 3, 4)), f.mean(dim=(2, 3, 4))], dim=1),
        }


SMALL = {"frames": 4, "window": 8, "short_side": 16, "crop": [16, 16]}
STREAMS = {"rgb1": "appearance", "flow1": "motion", "fused": "fusion"}

MODELS = {
    "tiny3d": (Tiny3d, SMALL),
    "c2d": (C2d, SMALL),
    "tensor_out": (TensorOut, SMALL),
    "tuple_out": (TupleOut, {**SMALL, "outputs": ["mean", "max"]}),
    "nan_layer": (NanLayer, SMALL),
    "fixed_shape": (FixedShape, {**SMALL, "short_side": 32, "crop": [32, 32]}),
    "fails_on_batch8": (FailsOnBatch8, SMALL),
    "inspect": (
        Inspect,
        {
            **SMALL,
            "mean": [0.0, 0.0, 0.0],
            "std": [1.0, 1.0, 1.0],
            "token_grids": {"tokens": [4, 16, 16]},
        },
    ),
    "two_stream": (
        TwoStream,
        {
            "inputs": [
                {"name": "rgb", "kind": "rgb", **SMALL},
                {"name": "flow", "kind": "flow", "encoding": "uv", **SMALL},
            ],
            "streams": STREAMS,
        },
    ),
    "two_stream_frames": (
        TwoStreamFrames,
        {
            "inputs": [
                {"name": "rgb", "kind": "rgb", "layout": "NCHW", **SMALL},
                {"name": "flow", "kind": "flow", "layout": "NCHW", **SMALL},
            ],
            "streams": STREAMS,
        },
    ),
    "two_pathway": (
        TwoPathway,
        {
            "inputs": [
                {"name": "slow", "kind": "pathway", **SMALL},
                {"name": "fast", "kind": "pathway", **{**SMALL, "frames": 8}},
            ],
            "streams": {
                "slow": "slow",
                "slow_frames": "slow",
                "fast": "fast",
                "fast_frames": "fast",
                "cat": "cat",
            },
        },
    ),
}


def main(out: Path, only):
    out.mkdir(parents=True, exist_ok=True)
    for name, (cls, manifest) in MODELS.items():
        if only and name not in only:
            continue
        torch.manual_seed(0)
        model = cls().eval()
        scripted = torch.jit.script(model)
        scripted.save(str(out / f"{name}.pt"))
        (out / f"{name}.json").write_text(json.dumps(manifest, indent=2) + "\n")
        print(f"wrote {out / name}.pt")


if __name__ == "__main__":
    # python tools/make_test_models.py DIR [NAME ...]: only the models named
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "tests/fixtures/models"), sys.argv[2:])
