#!/usr/bin/env python3
"""StaticDropout for your own PyTorch training, from the channel selection
stadyn exports (`stadyn channels ... --out DIR` writes DIR/<layer>_channels.json;
the app's Channels tab has "Export channels…"; schema stadyn.channels/1).

METHOD.md §8: in training, for every sample and every listed channel
independently, zero the channel with probability p and scale the kept listed
channels by 1/(1 − p); unlisted channels pass unchanged. The identity in eval
mode, with no channels, or with p = 0. Same semantics as tools/train_demo.py.

This file depends on torch only: copy it next to your training code.

  handle = attach(model, "stage3_channels.json", p=0.5, category="static")
  python static_dropout.py --self-test [--json FILE] | --show FILE
"""
from __future__ import annotations

import argparse
import difflib
import json
import sys
import tempfile
import warnings
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Union
import torch
from torch import nn
from torch.utils.hooks import RemovableHandle

SCHEMA = "stadyn.channels/1"
CATEGORIES = ("static", "dynamic", "joint", "none")
PathLike = Union[str, Path]


@dataclass
class Selection:
    """A channel selection as read by `load_channels` (after its filters)."""
    model: str
    checkpoint: Optional[str]
    epoch: Optional[float]
    layer: str
    threshold: float
    channels: List[int]  # increasing channel indices of the layer's output
    entries: List[Dict[str, Any]] = field(default_factory=list)  # the raw objects kept
    total: int = 0  # channels in the file before filtering


def load_channels(path: PathLike, layer: Optional[str] = None, category: Optional[str] = None,
                  min_stability: Optional[float] = None) -> Selection:
    """Read a stadyn.channels/1 file. `layer` must equal the file's layer if
    given; `category` keeps channels of that category (static, dynamic,
    joint, none); `min_stability` keeps channels with stability >= it (those
    without one, null, are dropped with a warning). Raises ValueError on a
    wrong schema, a layer mismatch, a malformed entry or an empty result."""
    path = Path(path)
    try:
        doc = json.loads(path.read_text())
    except (OSError, ValueError) as e:
        raise ValueError(f"cannot read the channel selection {path}: {e}") from e
    found = doc.get("schema") if isinstance(doc, dict) else type(doc).__name__
    if found != SCHEMA:
        raise ValueError(f"{path} is not a stadyn channel selection: schema {found!r}, expected {SCHEMA!r}")
    file_layer, entries = doc.get("layer"), doc.get("channels")
    if not isinstance(file_layer, str) or not isinstance(entries, list):
        raise ValueError(f"{path}: 'layer' (a string) and 'channels' (a list) are required")
    if layer is not None and layer != file_layer:
        raise ValueError(f"{path} is a selection of layer {file_layer!r}, not {layer!r}")
    for e in entries:
        c = e.get("channel") if isinstance(e, dict) else None
        if not isinstance(c, int) or isinstance(c, bool) or c < 0:
            raise ValueError(f"{path}: a channel entry without a non-negative integer 'channel': {e!r}")
    if not entries:
        raise ValueError(f"{path} lists no channels of {file_layer!r}")
    kept, why = entries, []
    if category is not None:
        if category not in CATEGORIES:
            raise ValueError(f"category {category!r}: expected one of {', '.join(CATEGORIES)}")
        kept = [e for e in kept if e.get("category") == category]
        why.append(f"category {category!r}")
    if min_stability is not None:
        nulls = sum(1 for e in kept if e.get("stability") is None)
        kept = [e for e in kept if e.get("stability") is not None and e["stability"] >= min_stability]
        why.append(f"stability >= {min_stability}")
        if nulls:
            why.append(f"{nulls} channel(s) with no stability (null) dropped")
            warnings.warn(f"{path}: {nulls} channel(s) have no stability (null) and were dropped by "
                          "min_stability", stacklevel=2)
    if not kept:
        raise ValueError(f"{path}: none of the {len(entries)} channels of {file_layer!r} is left "
                         f"after the filters ({'; '.join(why)})")
    return Selection(model=str(doc.get("model")), checkpoint=doc.get("checkpoint"), epoch=doc.get("epoch"),
                     layer=file_layer, threshold=doc.get("threshold"),
                     channels=sorted({int(e["channel"]) for e in kept}), entries=list(kept), total=len(entries))


class StaticDropout(nn.Module):
    """Per-sample channel dropout of the listed `channels` (METHOD.md §8) on
    any input of rank >= 2 with the batch on dim 0 and the channels on
    `channel_dim` (1 for N C ...; -1 for channels-last tokens N L C). The
    mask is drawn on `generator`'s device (if given) and moved to the input's."""

    def __init__(self, channels: Sequence[int], p: float = 0.5, generator: Optional[torch.Generator] = None,
                 channel_dim: int = 1):
        super().__init__()
        if not 0.0 <= float(p) < 1.0:
            raise ValueError(f"StaticDropout p must be in [0, 1), got {p}")
        neg = [int(c) for c in channels if int(c) < 0]
        if neg:
            raise ValueError(f"StaticDropout channel indices must be >= 0, got {neg}")
        self.p = float(p)
        self.channels = sorted({int(c) for c in channels})
        self.generator = generator
        self.channel_dim = int(channel_dim)
        self.selection: Optional[Selection] = None

    @classmethod
    def from_json(cls, path: PathLike, p: float = 0.5, layer: Optional[str] = None,
                  generator: Optional[torch.Generator] = None, channel_dim: int = 1, **filters: Any) -> "StaticDropout":
        """A StaticDropout of the channels of a stadyn.channels/1 file
        (`filters`: category, min_stability, as in `load_channels`)."""
        sel = load_channels(path, layer=layer, **filters)
        drop = cls(sel.channels, p, generator, channel_dim)
        drop.selection = sel
        return drop

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.p == 0.0 or not self.channels:
            return x
        if x.dim() < 2:
            raise ValueError(f"StaticDropout needs an input of rank >= 2 (batch first), got shape {tuple(x.shape)}")
        d = self.channel_dim % x.dim()
        if d == 0:
            raise ValueError(f"StaticDropout channel_dim {self.channel_dim} is the batch dim of shape {tuple(x.shape)}")
        n, c = x.shape[0], x.shape[d]
        if self.channels[-1] >= c:
            raise ValueError(f"StaticDropout channel {self.channels[-1]} is out of range: dim {d} of the input "
                             f"{tuple(x.shape)} has {c} channels")
        g = self.generator
        draw = torch.rand((n, len(self.channels)), generator=g, device=g.device if g is not None else x.device)
        keep = (draw >= self.p).to(device=x.device, dtype=x.dtype) / (1.0 - self.p)
        mask = torch.ones((n, c), device=x.device, dtype=x.dtype)
        mask[:, torch.tensor(self.channels, device=x.device)] = keep
        shape = [1] * x.dim()
        shape[0], shape[d] = n, c
        return x * mask.view(shape)

    def extra_repr(self) -> str:
        return f"p={self.p}, channels={self.channels}, channel_dim={self.channel_dim}"


def attach(model: nn.Module, path: PathLike, p: float = 0.5, module_name: Optional[str] = None,
           generator: Optional[torch.Generator] = None, channel_dim: int = 1, **filters: Any) -> RemovableHandle:
    """Apply StaticDropout of the file's channels to the output of the
    submodule named by the file's layer (or `module_name`), as a forward
    hook that acts only while `model.training`. A tuple output has its first
    tensor dropped. Returns the hook's handle (`.remove()` detaches it; its
    `.static_dropout` is the module). `filters`: layer, category,
    min_stability, as in `load_channels`."""
    sel = load_channels(path, **filters)
    name = module_name or sel.layer
    try:
        target = model.get_submodule(name)
    except AttributeError:
        names = [n for n, _ in model.named_modules() if n]
        some = difflib.get_close_matches(name, names, n=5, cutoff=0.3) or names[:8]
        raise ValueError(f"the model has no submodule {name!r}; it has e.g. {', '.join(some) or '(none)'} "
                         f"({len(names)} in all); pass module_name= to name the one that gives the layer") from None
    drop = StaticDropout(sel.channels, p, generator, channel_dim)
    drop.selection = sel

    def hook(_module: nn.Module, _inputs: Any, output: Any) -> Any:
        if not model.training:
            return None
        if isinstance(output, tuple) and output and isinstance(output[0], torch.Tensor):
            return (drop(output[0]),) + output[1:]
        if not isinstance(output, torch.Tensor):
            raise TypeError(f"StaticDropout on {name!r}: its output is a {type(output).__name__}, not a tensor")
        return drop(output)

    handle = target.register_forward_hook(hook)
    handle.static_dropout = drop
    return handle


def summary(sel: Selection) -> str:
    """A few lines on what a selection holds."""
    stab = [e["stability"] for e in sel.entries if e.get("stability") is not None]
    cats = Counter(e.get("category") for e in sel.entries)
    return "\n".join([
        f"model {sel.model}, checkpoint {sel.checkpoint}, epoch {sel.epoch}, layer {sel.layer}, τ {sel.threshold}",
        f"{len(sel.channels)} of {sel.total} channels: {', '.join(f'{k} {v}' for k, v in sorted(cats.items()))}",
        "stability: " + (f"{min(stab):.3g}–{max(stab):.3g}" if stab else "none")
        + f" ({len(sel.entries) - len(stab)} without)",
        f"channels: {sel.channels}"])


def self_test(json_path: Optional[Path]) -> None:
    """The checks of --self-test; an AssertionError or ValueError on failure."""
    def refused(fn, *words: str) -> None:
        try:
            fn()
        except ValueError as e:
            assert all(w in str(e) for w in words), f"message lacks {words}: {e}"
            return
        raise AssertionError(f"not refused (expected a message with {words})")

    g = torch.Generator().manual_seed(0)
    sd = StaticDropout([6, 1, 3, 3], 0.5, g)
    x = torch.rand(20000, 8, 2, 2, 2, generator=g) + 0.5
    sd.eval()                                                           # (a)
    assert sd(x) is x and StaticDropout([1], 0.0).train()(x) is x and StaticDropout([], 0.5).train()(x) is x
    y = sd.train()(x)                                                   # (b)
    listed, other = [1, 3, 6], [0, 2, 4, 5, 7]
    assert torch.equal(y[:, other], x[:, other]), "an unlisted channel changed"
    ys, xs = y[:, listed].flatten(2), x[:, listed].flatten(2)
    dropped = (ys == 0).all(dim=2)
    assert torch.equal(dropped | (ys == 2 * xs).all(dim=2), torch.ones_like(dropped)), "not all-or-nothing ×2"
    rate = dropped.float().mean(0)
    assert ((rate - 0.5).abs() < 0.02).all(), f"drop rates {rate.tolist()}"
    ratio = ys.mean(dim=(0, 2)) / xs.mean(dim=(0, 2))
    assert ((ratio - 1).abs() < 0.03).all(), f"E[y]/x {ratio.tolist()}"
    for shape in [(5, 8), (5, 8, 3), (2, 8, 2, 3, 3, 1)]:
        assert StaticDropout([7], 0.5).train()(torch.ones(shape)).shape == shape
    h = sd(x[:64].double())
    assert h.dtype == torch.float64 and torch.equal(h[:, other], x[:64, other].double())
    if torch.cuda.is_available():                                      # a CPU generator, a CUDA input
        yc = StaticDropout(listed, 0.5, torch.Generator().manual_seed(1)).train()(x[:64].cuda().half())
        assert yc.is_cuda and yc.dtype == torch.float16
    tok = torch.rand(300, 5, 8, generator=g) + 0.5                     # (c)
    yt = StaticDropout(listed, 0.5, torch.Generator().manual_seed(2), channel_dim=-1).train()(tok)
    ref = StaticDropout(listed, 0.5, torch.Generator().manual_seed(2)).train()(tok.transpose(1, 2))
    assert torch.equal(yt, ref.transpose(1, 2)) and torch.equal(yt[..., other], tok[..., other])
    assert 0 < (yt[:, :, listed] == 0).all(dim=1).float().mean() < 1
    refused(lambda: StaticDropout([1], 1.0), "[0, 1)")                  # (d)
    refused(lambda: StaticDropout([1], -0.1), "[0, 1)")
    refused(lambda: StaticDropout([2, -1]), "-1", ">= 0")
    refused(lambda: StaticDropout([9]).train()(torch.ones(2, 8)), "9", "8 channels")
    refused(lambda: StaticDropout([1], channel_dim=0).train()(torch.ones(2, 8)), "batch")
    with tempfile.TemporaryDirectory() as tmp:
        def write(name: str, **over: Any) -> Path:
            doc = {"schema": SCHEMA, "model": "m", "checkpoint": "epoch_2.pt", "epoch": 2.0, "layer": "block.stage",
                   "threshold": 0.5, "channels": [
                       {"channel": c, "rho_dynamic": 0.1, "rho_dynamic_ci95": None, "rho_static": 0.8,
                        "rho_static_ci95": None, "category": cat, "stability": st}
                       for c, cat, st in [(1, "static", 0.95), (3, "static", None), (5, "joint", 0.6)]]}
            doc.update(over)
            (Path(tmp) / name).write_text(json.dumps(doc))
            return Path(tmp) / name
        good = write("good.json")
        refused(lambda: load_channels(write("s.json", schema="stadyn.channels/2")), "stadyn.channels/2", SCHEMA)
        refused(lambda: load_channels(good, layer="stage3"), "block.stage", "stage3")
        refused(lambda: load_channels(write("e.json", channels=[])), "no channels")
        refused(lambda: load_channels(good, category="dynamic"), "none of the 3")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            refused(lambda: load_channels(good, category="static", min_stability=0.99), "1 channel(s) with no stab")
            assert load_channels(good, category="static", min_stability=0.9).channels == [1]
        assert load_channels(good, layer="block.stage").channels == [1, 3, 5]
        assert load_channels(good, category="static").channels == [1, 3]
        assert StaticDropout.from_json(good, p=0.3).channels == [1, 3, 5]
        torch.manual_seed(0)                                            # (e)
        block = nn.Sequential(OrderedDict(conv=nn.Conv3d(2, 6, 1), stage=nn.ReLU()))
        model = nn.Sequential(OrderedDict(block=block, pool=nn.AdaptiveAvgPool3d(1), flat=nn.Flatten()))
        inp = torch.rand(64, 2, 2, 3, 3) + 0.1
        before = model(inp)
        refused(lambda: attach(model, good, module_name="stagee"), "no submodule 'stagee'", "block.stage")
        handle = attach(model, good, generator=torch.Generator().manual_seed(3))
        assert handle.static_dropout.channels == [1, 3, 5]
        out = model.train()(inp)
        assert torch.equal(out[:, [0, 2, 4]], before[:, [0, 2, 4]]) and not torch.equal(out, before)
        assert torch.equal(model.eval()(inp), before), "eval mode is not the identity"
        handle.remove()
        assert torch.equal(model.train()(inp), before), "remove() did not restore the model"
    if json_path is not None:
        sel = load_channels(json_path)
        print(summary(sel))
        root = nn.Module()
        parent, parts = root, sel.layer.split(".")
        for part in parts[:-1]:
            parent.add_module(part, nn.Module())
            parent = getattr(parent, part)
        parent.add_module(parts[-1], nn.Conv3d(3, sel.channels[-1] + 1, 1))
        leaf = root.get_submodule(sel.layer)
        handle = attach(root, json_path, generator=torch.Generator().manual_seed(4))
        inp = torch.rand(32, 3, 2, 4, 4)
        root.train()
        out = leaf(inp)
        handle.remove()
        base = leaf(inp)
        rest = [c for c in range(base.shape[1]) if c not in sel.channels]
        assert torch.equal(out[:, rest], base[:, rest]) and (out[:, sel.channels] == 0).any()
        print(f"{json_path}: attached to a {sel.layer!r} of {base.shape[1]} channels; one training pass ok")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--self-test", action="store_true", help="run the checks; PASS or exit 1")
    ap.add_argument("--json", type=Path, help="with --self-test: also load and attach this selection file")
    ap.add_argument("--show", type=Path, help="print what this selection file holds")
    ap.add_argument("--category", choices=CATEGORIES, help="with --show: keep this category only")
    ap.add_argument("--min-stability", type=float, help="with --show: keep stability >= this")
    args = ap.parse_args()
    if not (args.self_test or args.show):
        ap.error("give --self-test or --show FILE")
    try:
        if args.show:
            print(summary(load_channels(args.show, category=args.category, min_stability=args.min_stability)))
        if args.self_test:
            self_test(args.json)
            print("static_dropout self-test: PASS")
    except (AssertionError, ValueError, TypeError) as e:
        print(f"static_dropout {'self-test: FAIL' if args.self_test else 'error'}: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
