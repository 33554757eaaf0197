"""The optical-flow colour wheel (Baker et al., ICCV 2007) as the
`flow_vis` package computes it and stadyn does (src/video/flow/wheel.rs):
shared by tools/train_demo.py (the demo two-stream model's flow input) and
tools/make_flow.py (`--png`)."""
import numpy as np


def colorwheel() -> np.ndarray:
    """The 55-colour optical-flow wheel (Baker et al. 2007) as flow_vis and
    stadyn (src/video/flow/wheel.rs) build it."""
    ramp = lambda n: np.floor(255 * np.arange(n) / n)
    parts = [
        np.stack([np.full(15, 255.0), ramp(15), np.zeros(15)], 1),
        np.stack([255 - ramp(6), np.full(6, 255.0), np.zeros(6)], 1),
        np.stack([np.zeros(4), np.full(4, 255.0), ramp(4)], 1),
        np.stack([np.zeros(11), 255 - ramp(11), np.full(11, 255.0)], 1),
        np.stack([ramp(13), np.zeros(13), np.full(13, 255.0)], 1),
        np.stack([np.full(6, 255.0), np.zeros(6), 255 - ramp(6)], 1),
    ]
    return np.concatenate(parts)


def flow_to_color(uv: np.ndarray) -> np.ndarray:
    """uint8 colour images (…×H×W×3) of flow fields (…×H×W×2), each image
    scaled by its largest magnitude: flow_vis.flow_to_color, as stadyn
    turns a field into the image a colour-flow input takes."""
    wheel = colorwheel()
    n = len(wheel)
    u, v = uv[..., 0].astype(np.float64), uv[..., 1].astype(np.float64)
    rad_max = np.sqrt(u * u + v * v).max(axis=(-2, -1), keepdims=True)
    u, v = u / (rad_max + 1e-5), v / (rad_max + 1e-5)
    rad = np.sqrt(u * u + v * v)
    a = np.arctan2(-v, -u) / np.pi
    fk = (a + 1) / 2 * (n - 1)
    k0 = np.floor(fk).astype(np.int64)
    k1 = np.where(k0 + 1 == n, 0, k0 + 1)
    f = fk - k0
    out = np.empty(u.shape + (3,), np.uint8)
    for ch in range(3):
        col = (1 - f) * wheel[np.minimum(k0, n - 1), ch] / 255.0 + f * wheel[k1, ch] / 255.0
        col = np.where(rad <= 1, 1 - rad * (1 - col), col * 0.75)
        out[..., ch] = np.clip(np.floor(255 * col), 0, 255).astype(np.uint8)
    return out
