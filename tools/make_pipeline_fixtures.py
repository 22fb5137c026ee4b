#!/usr/bin/python3
"""Reference outputs of the pipeline's resize and crop stages, from Pillow and torchvision.

Writes preempt-core/src/test/resources/pipeline/reference.json: one seeded random 8-bit RGB image and, per case,
the pipeline string, the reference library and its float output. Needs Debian's python3-pil, python3-numpy and
python3-torchvision (apt-get install -y python3-pil python3-torchvision); run with /usr/bin/python3.

  /usr/bin/python3 tools/make_pipeline_fixtures.py
"""
import json
import os

import numpy as np
import PIL
import torch
import torchvision
import torchvision.transforms.functional as TF
from PIL import Image

H, W = 19, 27
rng = np.random.default_rng(14)
# smooth structure plus noise, so both interpolation and aliasing show
yy, xx = np.mgrid[0:H, 0:W]
base = np.stack([128 + 100 * np.sin(xx / 3.0 + c) * np.cos(yy / 4.0 - c) for c in range(3)])
img = np.clip(base + rng.normal(0, 30, size=(3, H, W)), 0, 255).round().astype(np.uint8)
x = torch.from_numpy(img.astype(np.float32) / 255.0)[None]


def pil_float(size_hw):
    """Pillow BILINEAR (antialiased) on each channel as a 32-bit float image: no 8-bit rounding."""
    chans = []
    for c in range(3):
        im = Image.fromarray(img[c].astype(np.float32) / 255.0, mode="F")
        chans.append(np.asarray(im.resize((size_hw[1], size_hw[0]), Image.BILINEAR), dtype=np.float32))
    return np.stack(chans)


def pil_rgb(size_hw):
    """Pillow BILINEAR on the 8-bit RGB image, as a server does it (8-bit output)."""
    im = Image.fromarray(np.transpose(img, (1, 2, 0)), mode="RGB")
    out = np.asarray(im.resize((size_hw[1], size_hw[0]), Image.BILINEAR), dtype=np.float32) / 255.0
    return np.transpose(out, (2, 0, 1))


cases = []


def add(spec, library, out):
    out = np.asarray(out, dtype=np.float32)
    cases.append({"pipeline": spec, "library": library, "shape": list(out.shape),
                  "values": [round(float(v), 5) for v in out.reshape(-1)]})


for size in [(8, 10), (14, 20), (12, 27), (26, 33), (19, 13)]:
    spec = "resize=%dx%d" % size
    add(spec, "PIL %s Image.resize(BILINEAR), mode F" % PIL.__version__, pil_float(size))
    add(spec, "PIL %s Image.resize(BILINEAR), 8-bit RGB" % PIL.__version__, pil_rgb(size))
    aa = TF.resize(x, list(size), interpolation=TF.InterpolationMode.BILINEAR, antialias=True)[0]
    add(spec, "torchvision %s resize antialias=True" % torchvision.__version__, aa.numpy())
    plain = TF.resize(x, list(size), interpolation=TF.InterpolationMode.BILINEAR, antialias=False)[0]
    add("resize-plain=%dx%d" % size, "torchvision %s resize antialias=False" % torchvision.__version__, plain.numpy())

# shorter-side resize (torchvision's output size rule) and centre crops with odd margins (round half to even)
for n, crop in [(16, "15x9"), (10, "10"), (12, "7x12")]:
    r = TF.resize(x, n, interpolation=TF.InterpolationMode.BILINEAR, antialias=True)
    c = [int(v) for v in crop.split("x")] if "x" in crop else [int(crop)] * 2
    add("resize=%d,crop=%s" % (n, crop), "torchvision %s Resize(%d, antialias=True), CenterCrop" % (
        torchvision.__version__, n), TF.center_crop(r, c)[0].numpy())
for crop in ["16x20", "18x25", "6x5"]:
    c = [int(v) for v in crop.split("x")]
    add("crop=%s" % crop, "torchvision %s center_crop" % torchvision.__version__, TF.center_crop(x, c)[0].numpy())

out = {"generator": "tools/make_pipeline_fixtures.py", "height": H, "width": W,
       "image": [int(v) for v in img.reshape(-1)], "cases": cases}
path = os.path.join(os.path.dirname(__file__), "..", "preempt-core", "src", "test", "resources", "pipeline",
                    "reference.json")
with open(path, "w") as f:
    json.dump(out, f, separators=(",", ":"))
print("wrote", os.path.normpath(path), len(cases), "cases")
