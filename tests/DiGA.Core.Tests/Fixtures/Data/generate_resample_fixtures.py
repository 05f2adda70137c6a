"""Writes resample_pil.json: PIL resize results that the C# resampler must reproduce.

Run with /usr/bin/python3 (PIL + numpy). The reference pipeline resizes images with PIL BICUBIC (pre-resize) and
BILINEAR (random scaling / crop fall-back), and labels with PIL NEAREST.
"""
import json
import os

import numpy as np
import PIL
from PIL import Image

rng = np.random.default_rng(1234)
height, width = 10, 12
image = rng.integers(0, 256, size=(height, width, 3), dtype=np.uint8)
label = rng.integers(0, 34, size=(height, width), dtype=np.uint8)

cases = []
for out_h, out_w in [(5, 7), (4, 6), (13, 17), (10, 5), (20, 24)]:
    for name, flt in [("bilinear", Image.BILINEAR), ("bicubic", Image.BICUBIC)]:
        resized = np.array(Image.fromarray(image).resize((out_w, out_h), flt))
        cases.append({"filter": name, "height": out_h, "width": out_w, "image": resized.reshape(-1).tolist()})
    nearest = np.array(Image.fromarray(label).resize((out_w, out_h), Image.NEAREST))
    cases.append({"filter": "nearest", "height": out_h, "width": out_w, "label": nearest.reshape(-1).tolist()})

fixture = {
    "pil": PIL.__version__,
    "height": height,
    "width": width,
    "image": image.reshape(-1).tolist(),
    "label": label.reshape(-1).tolist(),
    "cases": cases,
}
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "resample_pil.json"), "w") as f:
    json.dump(fixture, f, separators=(",", ":"))
