"""Writes the parity fixtures of the DiGA.Core tensor kernels.

Run with PyTorch 1.13 (CPU):  python3 generate_kernel_fixtures.py
Each formula below is restated from the DiGA reference description (symmetric distillation, cross-entropy2d, OHEM,
photometric view with kornia 0.5.8 semantics, ClassMix composition, dynamic selection, centroids, EMA), and the
class-balanced baseline selector from CBST (Zou et al., ECCV 2018), independently of the C# code. Outputs are small
.safetensors files next to this script (float32 / int64; masks are stored as int64 0/1).
"""
import json
import math
import os
import struct

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
DTYPES = {torch.float32: "F32", torch.int64: "I64"}


def save(name, tensors):
    header, blobs, offset = {}, [], 0
    for key in sorted(tensors):
        t = tensors[key].detach().contiguous()
        if t.dtype == torch.bool:
            t = t.long()
        raw = t.numpy().tobytes()
        header[key] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    header["__metadata__"] = {"generator": "generate_kernel_fixtures.py", "torch": torch.__version__}
    encoded = json.dumps(header, separators=(",", ":")).encode("utf-8")
    encoded += b" " * ((8 - len(encoded) % 8) % 8)
    with open(os.path.join(HERE, name + ".safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(encoded)))
        f.write(encoded)
        for raw in blobs:
            f.write(raw)


def scalar(v, dtype=torch.float32):
    return torch.tensor(v, dtype=dtype)


# ---------------------------------------------------------------- symmetric distillation
def soft_ce(teacher, student, temperature=1.0):
    p = torch.softmax(teacher.detach() / temperature, dim=1)
    return -(p * torch.log_softmax(student / temperature, dim=1)).sum(1)


def symkd():
    g = torch.Generator().manual_seed(1)
    shape = (2, 4, 3, 5)
    s1, s2, t1, t2 = (torch.randn(shape, generator=g) * 2 for _ in range(4))
    mask = torch.rand((2, 3, 5), generator=g) > 0.4
    out = {"student_original": s1.clone(), "student_mixed": s2.clone(), "teacher_original": t1, "teacher_mixed": t2, "mask": mask}
    for tag, weight, temperature, use_mask in (("plain", 0.5, 1.0, False), ("synthia", 0.25, 1.0, False),
                                               ("masked", 0.5, 1.0, True), ("temperature", 0.5, 2.0, False)):
        a = s1.clone().requires_grad_(True)
        b = s2.clone().requires_grad_(True)
        per_pixel = soft_ce(t1, b, temperature) + weight * soft_ce(t2, a, temperature)
        loss = per_pixel[mask].sum() / mask.sum() if use_mask else per_pixel.mean()
        loss = loss * temperature ** 2
        loss.backward()
        out[f"{tag}_loss"] = loss.detach()
        out[f"{tag}_grad_original"] = a.grad
        out[f"{tag}_grad_mixed"] = b.grad
    save("symkd", out)


# ---------------------------------------------------------------- cross-entropy2d and OHEM
def ce_reference(logits, labels, all_pixels):
    n, c, h, w = logits.shape
    log_p = torch.log_softmax(logits, dim=1)
    valid = labels != 255
    picked = log_p.permute(0, 2, 3, 1)[valid]                    # [V, C]
    total = -picked.gather(1, labels[valid].unsqueeze(1)).sum()
    return total / (n * h * w) if all_pixels else total / valid.sum()


def cross_entropy():
    g = torch.Generator().manual_seed(2)
    logits = torch.randn((2, 5, 4, 6), generator=g) * 3
    labels = torch.randint(0, 5, (2, 4, 6), generator=g)
    labels[torch.rand((2, 4, 6), generator=g) < 0.3] = 255
    out = {"logits": logits.clone(), "labels": labels}
    for tag, all_pixels in (("all", True), ("valid", False)):
        z = logits.clone().requires_grad_(True)
        loss = ce_reference(z, labels, all_pixels)
        loss.backward()
        out[f"{tag}_loss"] = loss.detach()
        out[f"{tag}_grad"] = z.grad
    save("cross_entropy", out)


def ohem_reference(logits, labels, thresh, min_kept):
    pixel_losses = F.cross_entropy(logits, labels, ignore_index=255, reduction="none").reshape(-1)
    valid = labels.reshape(-1) != 255
    safe = labels.clone()
    safe[safe == 255] = 0
    prob = torch.softmax(logits, dim=1).gather(1, safe.unsqueeze(1)).reshape(-1)
    prob_valid, order = prob[valid].sort()
    tau = max(prob_valid[min(min_kept, prob_valid.numel() - 1)].item(), thresh)
    kept_losses = pixel_losses[valid][order]
    kept_losses = kept_losses[prob_valid < tau]
    return kept_losses.mean(), tau


def ohem():
    g = torch.Generator().manual_seed(3)
    logits = torch.randn((2, 5, 8, 8), generator=g) * 4
    labels = logits.argmax(1)
    flip = torch.rand((2, 8, 8), generator=g) < 0.3
    labels[flip] = torch.randint(0, 5, (2, 8, 8), generator=g)[flip]
    labels[torch.rand((2, 8, 8), generator=g) < 0.1] = 255
    out = {"logits": logits.clone(), "labels": labels}
    for tag, min_kept in (("data", 100), ("threshold", 10)):
        z = logits.clone().requires_grad_(True)
        loss, tau = ohem_reference(z, labels, 0.7, min_kept)
        loss.backward()
        out[f"{tag}_min_kept"] = scalar(min_kept, torch.int64)
        out[f"{tag}_tau"] = scalar(tau)
        out[f"{tag}_loss"] = loss.detach()
        out[f"{tag}_grad"] = z.grad
    save("ohem", out)


# ---------------------------------------------------------------- photometric view (kornia 0.5.8 semantics)
def rgb_to_hsv(image, eps=1e-6):
    max_rgb, argmax_rgb = image.max(1)
    min_rgb = image.min(1)[0]
    deltac = max_rgb - min_rgb
    v = max_rgb
    s = deltac / (max_rgb + eps)
    deltac = torch.where(deltac == 0, torch.ones_like(deltac), deltac)
    rc, gc, bc = torch.unbind(max_rgb.unsqueeze(1) - image, dim=1)
    h = torch.stack((bc - gc, (rc - bc) + 2.0 * deltac, (gc - rc) + 4.0 * deltac), dim=1) / deltac.unsqueeze(1)
    h = torch.gather(h, 1, argmax_rgb.unsqueeze(1)).squeeze(1)
    h = (h / 6.0) % 1.0
    return torch.stack((2 * math.pi * h, s, v), dim=1)


def hsv_to_rgb(image):
    h = image[:, 0] / (2 * math.pi)
    s, v = image[:, 1], image[:, 2]
    hi = torch.floor(h * 6) % 6
    f = ((h * 6) % 6) - hi
    p = v * (1 - s)
    q = v * (1 - f * s)
    t = v * (1 - (1 - f) * s)
    hi = hi.long()
    indices = torch.stack([hi, hi + 6, hi + 12], dim=1)
    table = torch.stack((v, q, p, p, t, v, t, v, v, q, p, p, p, p, t, v, v, q), dim=1)
    return torch.gather(table, 1, indices)


def per_sample(f):
    return f.view(-1, 1, 1, 1)


def jitter(x, bf, cf, sf, hf, order):
    ops = [
        lambda u: torch.clamp(u + per_sample(bf - 1), 0, 1),
        lambda u: torch.clamp(u * per_sample(cf), 0, 1),
        lambda u: hsv_to_rgb(torch.stack((rgb_to_hsv(u)[:, 0], torch.clamp(rgb_to_hsv(u)[:, 1] * sf.view(-1, 1, 1), 0, 1), rgb_to_hsv(u)[:, 2]), 1)),
        lambda u: hsv_to_rgb(torch.stack((torch.fmod(rgb_to_hsv(u)[:, 0] + hf.view(-1, 1, 1) * 2 * math.pi, 2 * math.pi), rgb_to_hsv(u)[:, 1], rgb_to_hsv(u)[:, 2]), 1)),
    ]
    for idx in order.tolist():
        x = ops[idx](x)
    return x


def grayscale(x):
    g = 0.299 * x[:, 0] + 0.587 * x[:, 1] + 0.114 * x[:, 2]
    return torch.stack((g, g, g), 1)


def blur(x):
    taps = torch.exp(-torch.tensor([-1.0, 0.0, 1.0]) ** 2 / (2 * 2.0 ** 2))
    taps = taps / taps.sum()
    kernel = torch.outer(taps, taps).expand(3, 1, 3, 3)
    return F.conv2d(F.pad(x, [1, 1, 1, 1], mode="reflect"), kernel, groups=3)


def sharpness(x, factor):
    kernel = torch.tensor([[1.0, 1, 1], [1, 5, 1], [1, 1, 1]]).view(1, 1, 3, 3).repeat(3, 1, 1, 1) / 13
    degenerate = torch.clamp(F.conv2d(x, kernel, groups=3), 0.0, 1.0)
    inner = F.pad(torch.ones_like(degenerate), [1, 1, 1, 1]) == 1
    result = torch.where(inner, F.pad(degenerate, [1, 1, 1, 1]), x)
    return torch.stack([r + (o - r) * f for r, o, f in zip(result, x, factor)])


def photometric():
    g = torch.Generator().manual_seed(4)
    n = 4
    x = torch.rand((n, 3, 6, 7), generator=g) * 2.2 - 0.97          # the range of BGR/128 inputs
    x[0, :, 2:4, 2:5] = x[0, 0, 2:4, 2:5].clone()                     # equal channels: the zero-delta hue branch
    x[1] = x[1] * 0.45 + 0.5                                          # mostly inside [0, 1]
    bf = torch.rand(n, generator=g) * 0.8 + 0.6
    cf = torch.rand(n, generator=g) * 0.8 + 0.6
    sf = torch.rand(n, generator=g) * 0.4 + 0.8
    hf = torch.rand(n, generator=g) * 0.2 - 0.1
    order = torch.tensor([2, 0, 3, 1])
    shf = torch.rand(n, generator=g) * 0.5
    flags = {k: torch.tensor(v) for k, v in {"jitter_on": [1, 0, 1, 1], "gray_on": [0, 1, 1, 0], "blur_on": [1, 1, 0, 1], "sharp_on": [1, 0, 1, 0]}.items()}

    def select(flag, a, b):
        return torch.where(flag.bool().view(-1, 1, 1, 1), a, b)

    a = select(flags["jitter_on"], jitter(x, bf, cf, sf, hf, order), x)
    a = select(flags["gray_on"], grayscale(a), a)
    a = select(flags["blur_on"], blur(a), a)
    a = select(flags["sharp_on"], sharpness(a, shf), a)
    beta = 0.4
    photo = beta * (a - 0.5) / 0.5 + (1 - beta) * x
    save("photometric", {
        "x": x, "brightness": bf, "contrast": cf, "saturation": sf, "hue": hf, "order": order, "sharpness_factor": shf,
        "hsv": rgb_to_hsv(x), "hsv_roundtrip": hsv_to_rgb(rgb_to_hsv(x)),
        "jitter": jitter(x, bf, cf, sf, hf, order), "grayscale": grayscale(x), "blur": blur(x), "sharpness": sharpness(x, shf),
        **flags, "mixed_sequence": a, "photo": photo, "beta": scalar(beta),
    })


# ---------------------------------------------------------------- ClassMix composition with a fixed mask
def classmix():
    g = torch.Generator().manual_seed(5)
    fg = torch.randn((2, 3, 4, 5), generator=g)
    bg = torch.randn((2, 3, 4, 5), generator=g)
    fg_labels = torch.randint(0, 6, (2, 4, 5), generator=g)
    fg_labels[0, 0, :2] = 255
    bg_labels = torch.randint(0, 6, (2, 4, 5), generator=g)
    chosen = torch.tensor([[1, 3, 255], [0, 2, 255]])
    mask = torch.stack([(fg_labels[b].unsqueeze(-1) == chosen[b]).any(-1) for b in range(2)])
    m = mask.unsqueeze(1).float()
    save("classmix", {"foreground": fg, "background": bg, "foreground_labels": fg_labels, "background_labels": bg_labels,
                      "mask": mask, "images": m * fg + (1 - m) * bg, "labels": torch.where(mask, fg_labels, bg_labels)})


# ---------------------------------------------------------------- dynamic selection
def dynamic_selection():
    g = torch.Generator().manual_seed(6)
    n, c, d, h, w, big_h, big_w = 2, 4, 6, 4, 5, 9, 13
    centroids = torch.randn((c, d), generator=g) * 2
    classes = torch.randint(0, c, (n, h, w), generator=g)
    features = centroids[classes].permute(0, 3, 1, 2) + torch.randn((n, d, h, w), generator=g) * 1.5
    logits = torch.randn((n, c, h, w), generator=g)
    offline = torch.randint(0, c, (n, big_h, big_w), generator=g)
    offline[torch.rand((n, big_h, big_w), generator=g) < 0.1] = 255
    distances = torch.stack([torch.norm(features - centroids[k].view(1, -1, 1, 1), 2, dim=1) for k in range(c)], dim=1)
    weights = F.interpolate(torch.softmax(-distances, dim=1), size=(big_h, big_w), mode="bilinear", align_corners=True)
    proto = weights.argmax(1)
    selected = torch.where(offline == proto, offline, torch.full_like(offline, 255))
    save("dynamic_selection", {"features": features, "centroids": centroids, "logits": logits, "offline": offline,
                               "distances": distances, "prototype": proto, "selected": selected})


# ---------------------------------------------------------------- class-balanced selection (CBST)
def cbst_thresholds(confidence, predicted, classes, portion, rounding=math.floor):
    """Class-balanced self-training (Zou et al., ECCV 2018), kc determination: for each class, the confidences of the pixels
    predicted as that class in descending order; the threshold is the ⌊p·n⌋-th of them (1-based). A class never predicted,
    or with ⌊p·n⌋ = 0, keeps the threshold 1."""
    thresholds = torch.ones(classes)
    for k in range(classes):
        ranked = sorted(confidence[predicted == k].tolist(), reverse=True)
        r = rounding(len(ranked) * portion)
        if r >= 1:
            thresholds[k] = ranked[r - 1]
    return thresholds


def cbst_selection(logits, offline, portion, rounding=math.floor, normalized_argmax=True, agreement=True):
    """Probabilities of the logits upsampled to the label size; CBST's pseudo-label is argmax_k p_k / τ_k where that ratio
    reaches 1, else 255. An offline label is kept where it equals CBST's label. The keyword arguments name the deviations
    the fixture must expose (rounding up, argmax of p alone, keeping the offline label without agreement)."""
    probabilities = torch.softmax(F.interpolate(logits, size=offline.shape[1:], mode="bilinear", align_corners=True), dim=1)
    confidence, predicted = probabilities.max(1)
    thresholds = cbst_thresholds(confidence, predicted, logits.shape[1], portion, rounding)
    ratio = probabilities / thresholds.view(1, -1, 1, 1)
    best, label = ratio.max(1)
    if not normalized_argmax:
        label, best = predicted, confidence / thresholds[predicted]
    keep = (best >= 1) & (offline != 255)
    if agreement:
        keep &= offline == label
    return torch.where(keep, offline, torch.full_like(offline, 255)), probabilities, thresholds


DEVIATIONS = {"rounding": math.ceil, "normalized_argmax": False, "agreement": False}


def class_balanced_selection():
    out, changed = {}, dict.fromkeys(list(DEVIATIONS) + ["kept_disagreeing", "floor_zero"], False)
    # (tag, seed, n, classes, feature h×w, label H×W, portion p (the C# test restates it), rare class)
    for tag, seed, n, c, (h, w), (big_h, big_w), portion, rare in (("a", 13, 2, 5, (4, 6), (11, 16), 0.5, 4),
                                                                   ("b", 20, 1, 4, (3, 5), (9, 13), 0.3, 3)):
        g = torch.Generator().manual_seed(seed)
        logits = torch.randn((n, c, h, w), generator=g)
        logits[:, rare] -= 2.0 if tag == "b" else 1.0
        older = logits + torch.randn((n, c, h, w), generator=g) * 0.8     # offline labels: an older model's argmax
        offline = F.interpolate(older, size=(big_h, big_w), mode="bilinear", align_corners=True).argmax(1)
        offline[torch.rand((n, big_h, big_w), generator=g) < 0.05] = 255
        selected, probabilities, thresholds = cbst_selection(logits, offline, portion)

        # Float32 kernels of another libtorch must not decide: clear predictions, labels and threshold comparisons.
        top = probabilities.topk(2, dim=1).values
        assert (top[:, 0] - top[:, 1]).min() > 1e-4
        ratio = (probabilities / thresholds.view(1, -1, 1, 1)).topk(2, dim=1).values
        assert (ratio[:, 0] - ratio[:, 1]).min() > 1e-4
        distance = (probabilities - thresholds.view(1, -1, 1, 1)).abs()
        assert ((distance > 0) & (distance < 1e-5)).sum() == 0
        # Each deviation changes the selection of at least one case, so a test on this fixture fails under it.
        for deviation in ("rounding", "normalized_argmax", "agreement"):
            changed[deviation] |= bool((cbst_selection(logits, offline, portion, **{deviation: DEVIATIONS[deviation]})[0] != selected).any())
        predicted = probabilities.argmax(1)
        changed["kept_disagreeing"] |= bool(((offline != predicted) & (selected != 255)).any())   # kept where the teacher's argmax differs
        counts = torch.bincount(predicted.flatten(), minlength=c).tolist()
        changed["floor_zero"] |= any(0 < m * portion < 1 for m in counts)                      # ⌊p·n⌋ = 0: threshold 1
        out.update({f"{tag}_logits": logits, f"{tag}_offline": offline, f"{tag}_thresholds": thresholds, f"{tag}_selected": selected})
    assert all(changed.values()), changed
    save("class_balanced_selection", out)


# ---------------------------------------------------------------- centroids
def class_mean(feat, mask, min_pixels):
    count = mask.sum()
    if count < min_pixels or count == 0:
        return None
    return (feat * mask).sum((1, 2)) / count


def centroid_initial():
    g = torch.Generator().manual_seed(7)
    c, d, h, w, min_pixels, cap = 4, 6, 4, 5, 5, 2
    batches = []
    for n in (3, 2):
        feats = torch.randn((n, d, h, w), generator=g)
        logits = torch.randn((n, c, h, w), generator=g)
        logits[:, 3] -= 10                                              # class 3 is never predicted: stays zero
        batches.append((feats, logits))
    centroids = torch.zeros(c, d)
    counts = [0] * c
    for feats, logits in batches:
        pred = logits.argmax(1)
        for b in range(feats.shape[0]):
            for k in range(c):
                v = class_mean(feats[b], (pred[b] == k).float(), min_pixels)
                if v is None or v.sum() == 0:
                    continue
                centroids[k] = (counts[k] * centroids[k] + v) / (counts[k] + 1)
                counts[k] = min(counts[k] + 1, cap)
    save("centroid_initial", {"features_0": batches[0][0], "logits_0": batches[0][1], "features_1": batches[1][0], "logits_1": batches[1][1],
                              "centroids": centroids, "min_pixels": scalar(min_pixels, torch.int64), "cap": scalar(cap, torch.int64)})


def centroid_online():
    g = torch.Generator().manual_seed(8)
    n, c, d, h, w, momentum, min_pixels = 3, 4, 6, 4, 5, 0.3, 5
    initial = torch.randn((c, d), generator=g)
    feats = torch.randn((n, d, h, w), generator=g)
    logits = torch.randn((n, c, h, w), generator=g)
    logits[1, 2] += 3                                                 # image 1 predicts class 2 nearly everywhere
    labels = F.interpolate(logits.argmax(1, keepdim=True).float(), size=(8, 11), mode="nearest").squeeze(1).long()
    noise = torch.rand((n, 8, 11), generator=g) < 0.2
    labels[noise] = torch.randint(0, c, (n, 8, 11), generator=g)[noise]
    labels[:, 0, :] = 255
    down = F.interpolate(labels.unsqueeze(1).float(), size=(h, w), mode="nearest").squeeze(1).long()
    pred = logits.argmax(1)
    centroids = initial.clone()
    for b in range(n):
        for k in range(c):
            v = class_mean(feats[b], ((down[b] == k) & (pred[b] == k)).float(), min_pixels)
            if v is None or v.sum() == 0:
                continue
            centroids[k] = (1 - momentum) * centroids[k] + momentum * v
    save("centroid_online", {"initial": initial, "features": feats, "logits": logits, "labels": labels, "centroids": centroids,
                             "momentum": scalar(momentum), "min_pixels": scalar(min_pixels, torch.int64)})


# ---------------------------------------------------------------- EMA teacher
def ema():
    g = torch.Generator().manual_seed(9)
    teacher = [torch.randn((4, 3), generator=g), torch.randn(4, generator=g)]
    student = [torch.randn((4, 3), generator=g), torch.randn(4, generator=g)]
    out = {"teacher_weight": teacher[0], "teacher_bias": teacher[1], "student_weight": student[0], "student_bias": student[1]}
    for iteration in (0, 5, 5000):
        alpha = min(1 - 1 / (iteration + 1), 0.999)
        out[f"weight_{iteration}"] = alpha * teacher[0] + (1 - alpha) * student[0]
        out[f"bias_{iteration}"] = alpha * teacher[1] + (1 - alpha) * student[1]
    save("ema", out)


if __name__ == "__main__":
    torch.set_num_threads(1)
    for generate in (symkd, cross_entropy, ohem, photometric, classmix, dynamic_selection, class_balanced_selection, centroid_initial, centroid_online, ema):
        generate()
    print("fixtures written with torch", torch.__version__)
