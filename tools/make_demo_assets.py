"""Cut the demo generator's objects and backgrounds out of the scikit-image
wheel's data images (CC0 / public domain; see assets/README.md).

    pip download --no-deps scikit-image==0.26.0 -d /tmp/wheel
    unzip -q /tmp/wheel/scikit_image-0.26.0-*.whl 'skimage/data/*' -d /tmp/wheel
    python tools/make_demo_assets.py /tmp/wheel/skimage/data assets/demo

Objects are 64x64 RGBA PNGs (alpha = a feathered ellipse, or the horse
silhouette); backgrounds are greyscale or colour JPEGs of at most 256 px.
Needs numpy and Pillow (both in the set-up's venv: Pillow comes with torchvision).
"""

import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

SIZE = 64


def ellipse_alpha(w, h, feather=2.0):
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    cx, cy = (w - 1) / 2, (h - 1) / 2
    r = np.sqrt(((xx - cx) / (w / 2)) ** 2 + ((yy - cy) / (h / 2)) ** 2)
    edge = feather / (min(w, h) / 2)
    return np.clip((1 - r) / edge, 0, 1)


def crop_object(img, box, out_w=SIZE, out_h=SIZE):
    rgb = img.convert("RGB").crop(box).resize((out_w, out_h), Image.LANCZOS)
    a = (ellipse_alpha(out_w, out_h) * 255).round().astype(np.uint8)
    canvas = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    obj = Image.fromarray(np.dstack([np.asarray(rgb), a]), "RGBA")
    canvas.paste(obj, ((SIZE - out_w) // 2, (SIZE - out_h) // 2))
    return canvas


def horse(data):
    sil = Image.open(data / "horse.png").convert("L")  # white background, black horse
    mask = Image.fromarray((np.asarray(sil) < 128).astype(np.uint8) * 255)
    bbox = mask.getbbox()
    mask = mask.crop(bbox)
    w, h = mask.size
    scale = (SIZE - 4) / max(w, h)
    mw, mh = max(1, round(w * scale)), max(1, round(h * scale))
    mask = mask.resize((mw, mh), Image.LANCZOS).filter(ImageFilter.GaussianBlur(0.5))
    # a chestnut coat with the gravel texture as shading
    tex = Image.open(data / "gravel.png").convert("L").resize((mw, mh), Image.LANCZOS)
    t = np.asarray(tex, np.float64) / 255.0
    coat = np.array([150, 85, 40], np.float64)[None, None, :] * (0.6 + 0.6 * t[..., None])
    rgb = np.clip(coat, 0, 255).astype(np.uint8)
    obj = Image.fromarray(np.dstack([rgb, np.asarray(mask)]), "RGBA")
    canvas = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    canvas.paste(obj, ((SIZE - mw) // 2, (SIZE - mh) // 2))
    return canvas


def background(img, out, grey):
    im = img.convert("L" if grey else "RGB")
    im.thumbnail((256, 256), Image.LANCZOS)
    im.save(out, quality=88, optimize=True)


def main():
    data, out = Path(sys.argv[1]), Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    op = lambda n: Image.open(data / n)
    objects = {
        "cat": crop_object(op("chelsea.png"), (95, 0, 335, 240)),
        "cup": crop_object(op("coffee.png"), (130, 40, 470, 380)),
        "astronaut": crop_object(op("astronaut.png"), (150, 10, 330, 190)),
        "rocket": crop_object(op("rocket.jpg"), (280, 120, 360, 420), 26, 62),
        "coin": crop_object(op("coins.png"), (298, 14, 362, 78)),
        "horse": horse(data),
    }
    for name, im in objects.items():
        im.save(out / f"object_{name}.png", optimize=True)
    background(op("grass.png"), out / "bg_grass.jpg", True)
    background(op("gravel.png"), out / "bg_gravel.jpg", True)
    background(op("camera.png"), out / "bg_camera.jpg", True)
    background(op("hubble_deep_field.jpg"), out / "bg_hubble.jpg", False)


if __name__ == "__main__":
    main()
