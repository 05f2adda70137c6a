#!/usr/bin/env python3
"""PyTorch reference timings for the DiGA.Core benchmarks.

Restates the operations of DiGA the way the reference training code formulates them (per-image loops over
``torch.unique`` with ``random.sample`` for ClassMix, per-image/per-class loops with host checks for the centroid
update, a loop over parameters for the EMA, kornia-0.5.8-style photometric ops applied to the selected samples only,
soft-target cross-entropy for the distillation loss, ``nll_loss`` sum / (B*H*W) for the supervised loss, a sort for
OHEM) at the reference sizes, and times them. The whole-model rows (model.mit-b5-*) import the Mix Transformer
restatement that writes the MiT parity fixtures (tests/DiGA.Core.Tests/Fixtures/models/generate_mit_fixtures.py).

Usage:
    bench_reference.py --threads T --out results.json [--ops name,...] [--quick] [--data-root DIR]
    bench_reference.py --list

Every operation runs in a fresh child process so that the reported peak RSS belongs to that operation alone.
Each operation: warm-up runs, then the median of N timed runs (wall clock).
"""

import argparse
import json
import math
import os
import random
import resource
import statistics
import subprocess
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

# Reference sizes.
B, C, H, W = 3, 19, 512, 896
FH, FW, FD = 65, 113, 256
IGNORE = 255

# Full-iteration sizes: DeepLabV2-R101 at a reduced crop, and the compact CPU model at its default size.
R101_BATCH, R101_H, R101_W = 2, 256, 448
COMPACT_BATCH, COMPACT_H, COMPACT_W = 8, 128, 256
COMPACT_FEATURES = 32

# Whole-model forward + backward of the compact model at the synthetic demo's batch and image size.
DEMO_BATCH, DEMO_H, DEMO_W = 8, 64, 128

# Whole-model forward + backward: MiT-B5 (width 64, depths 3/6/40/3, drop path 0.1) with the DAFormer (E = 256) or the
# SegFormer (E = 768) decoder, at the DAFormer training batch and crop.
MIT_BATCH, MIT_H, MIT_W = 2, 512, 512
MIT_B5_WIDTH, MIT_B5_DEPTHS, MIT_DROP_PATH = 64, (3, 6, 40, 3), 0.1

# Loader benchmark: same image size, batch and worker count as the C# loader benchmark.
LOADER_BATCH, LOADER_WORKERS, LOADER_CHUNK = 8, 2, 10

IMG_MEAN_BGR = (104.00698793, 116.66876762, 122.67891434)


# ---------------------------------------------------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------------------------------------------------

def block_labels(n, h, w, gen, classes_per_image=14, ignore_fraction=0.05, cell=32, dense=False):
    """Label maps made of cell x cell blocks; each image uses a random subset of the classes plus some ignore blocks."""
    gh, gw = (h + cell - 1) // cell, (w + cell - 1) // cell
    out = torch.empty(n, gh, gw, dtype=torch.int64)
    for i in range(n):
        subset = torch.randperm(C, generator=gen)[:classes_per_image]
        pick = torch.randint(0, classes_per_image, (gh, gw), generator=gen)
        lab = subset[pick]
        if not dense:
            lab[torch.rand(gh, gw, generator=gen) < ignore_fraction] = IGNORE
        out[i] = lab
    return out.repeat_interleave(cell, 1).repeat_interleave(cell, 2)[:, :h, :w].contiguous()


def images(n, h, w, gen):
    return torch.randn(n, 3, h, w, generator=gen) * 0.5


# ---------------------------------------------------------------------------------------------------------------------
# Losses (§6.2, §6.3)
# ---------------------------------------------------------------------------------------------------------------------

def soft_ce(teacher, student):
    """Mean over pixels of the soft-target cross-entropy -sum_c softmax(teacher) * log_softmax(student)."""
    target = F.softmax(teacher.detach(), dim=1)
    return (-(target * F.log_softmax(student, dim=1)).sum(dim=1)).mean()


def sym_kd(t_orig, t_mix, s_orig, s_mix, reverse_scale=0.5):
    return soft_ce(t_orig, s_mix) + reverse_scale * soft_ce(t_mix, s_orig)


def cross_entropy2d(logits, labels):
    n, _, h, w = logits.shape
    nll = F.nll_loss(F.log_softmax(logits, dim=1), labels, ignore_index=IGNORE, reduction='sum')
    return nll / (n * h * w)


def ohem_ce(logits, labels, thresh=0.7, min_kept=100000):
    pixel_losses = F.cross_entropy(logits, labels, ignore_index=IGNORE, reduction='none').contiguous().view(-1)
    flat = labels.contiguous().view(-1)
    valid = flat != IGNORE
    prob = F.softmax(logits, dim=1)
    safe = flat.clone()
    safe[~valid] = 0
    gt_prob = prob.permute(0, 2, 3, 1).reshape(-1, logits.shape[1]).gather(1, safe.unsqueeze(1)).squeeze(1)
    gt_prob = gt_prob[valid]
    pixel_losses = pixel_losses[valid]
    sorted_prob, order = gt_prob.sort()
    kth = sorted_prob[min(min_kept, sorted_prob.numel() - 1)]
    threshold = max(kth.item(), thresh)
    kept = pixel_losses[order][sorted_prob < threshold]
    return kept.mean()


def upsample(x, size):
    return F.interpolate(x, size=size, mode='bilinear', align_corners=True)


# ---------------------------------------------------------------------------------------------------------------------
# ClassMix (§6.5, §9.2): per-image loop over torch.unique with random.sample
# ---------------------------------------------------------------------------------------------------------------------

def classmix_masks(labels):
    masks = []
    for b in range(labels.shape[0]):
        present = torch.unique(labels[b])
        chosen = random.sample(present.tolist(), len(present) // 2)
        if IGNORE not in chosen:
            chosen.append(IGNORE)
        chosen_t = torch.tensor(chosen, dtype=labels.dtype)
        m = (labels[b].unsqueeze(0) == chosen_t.view(-1, 1, 1)).any(dim=0)
        masks.append(m)
    return torch.stack(masks)


def warmup_mix(fg, bg, labels):
    m = classmix_masks(labels).unsqueeze(1).float()
    return m * fg + (1 - m) * bg


def st_mix(src, src_labels, tgt, tgt_labels):
    m = classmix_masks(src_labels)
    mf = m.unsqueeze(1).float()
    imgs = mf * src + (1 - mf) * tgt
    labs = torch.where(m, src_labels, tgt_labels)
    return imgs, labs


# ---------------------------------------------------------------------------------------------------------------------
# Photo_beta (§4): kornia 0.5.8 semantics, each op applied to the samples whose Bernoulli draw fired
# ---------------------------------------------------------------------------------------------------------------------

TWO_PI = 2 * math.pi


def rgb_to_hsv(u, eps=1e-6):
    maxc, argmax = u.max(dim=1)
    minc = u.min(dim=1)[0]
    v = maxc
    delta = maxc - minc
    s = delta / (v + eps)
    delta_safe = torch.where(delta == 0, torch.ones_like(delta), delta)
    rc, gc, bc = (maxc.unsqueeze(1) - u).unbind(1)
    h_r = bc - gc
    h_g = 2.0 * delta_safe + rc - bc
    h_b = 4.0 * delta_safe + gc - rc
    h = torch.stack((h_r, h_g, h_b), dim=1).gather(1, argmax.unsqueeze(1)).squeeze(1) / delta_safe
    h = TWO_PI * ((h / 6.0) % 1.0)
    return torch.stack((h, s, v), dim=1)


def hsv_to_rgb(hsv):
    h = hsv[:, 0] / TWO_PI
    s, v = hsv[:, 1], hsv[:, 2]
    hi = torch.floor(h * 6) % 6
    f = ((h * 6) % 6) - hi
    p = v * (1 - s)
    q = v * (1 - f * s)
    t = v * (1 - (1 - f) * s)
    hi = hi.long()
    idx = torch.stack((hi, hi + 6, hi + 12), dim=1)
    table = torch.stack((v, q, p, p, t, v, t, v, v, q, p, p, p, p, t, v, v, q), dim=1)
    return table.gather(1, idx)


def view4(f):
    return f.view(-1, 1, 1, 1)


def jitter_brightness(u, f):
    return (u + view4(f - 1)).clamp(0, 1)


def jitter_contrast(u, f):
    return (u * view4(f)).clamp(0, 1)


def jitter_saturation(u, f):
    h, s, v = rgb_to_hsv(u).unbind(1)
    s = (s * f.view(-1, 1, 1)).clamp(0, 1)
    return hsv_to_rgb(torch.stack((h, s, v), dim=1))


def jitter_hue(u, f):
    h, s, v = rgb_to_hsv(u).unbind(1)
    h = torch.fmod(h + f.view(-1, 1, 1) * TWO_PI, TWO_PI)
    return hsv_to_rgb(torch.stack((h, s, v), dim=1))


def color_jitter(u):
    n = u.shape[0]
    bf = torch.empty(n).uniform_(0.6, 1.4)
    cf = torch.empty(n).uniform_(0.6, 1.4)
    sf = torch.empty(n).uniform_(0.8, 1.2)
    hf = torch.empty(n).uniform_(-0.1, 0.1)
    ops = [lambda x: jitter_brightness(x, bf), lambda x: jitter_contrast(x, cf),
           lambda x: jitter_saturation(x, sf), lambda x: jitter_hue(x, hf)]
    for k in torch.randperm(4).tolist():
        u = ops[k](u)
    return u


def grayscale(u):
    g = 0.299 * u[:, 0:1] + 0.587 * u[:, 1:2] + 0.114 * u[:, 2:3]
    return g.expand(-1, 3, -1, -1).contiguous()


def _gauss_kernel():
    x = torch.arange(3, dtype=torch.float32) - 1
    g = torch.exp(-(x ** 2) / (2 * 2.0 ** 2))
    g = g / g.sum()
    return torch.outer(g, g)


GAUSS = _gauss_kernel()
SHARP = torch.tensor([[1., 1., 1.], [1., 5., 1.], [1., 1., 1.]]) / 13


def gaussian_blur(u):
    k = GAUSS.to(u).expand(3, 1, 3, 3)
    return F.conv2d(F.pad(u, (1, 1, 1, 1), mode='reflect'), k, groups=3)


def sharpness(u):
    f = torch.empty(u.shape[0]).uniform_(0, 0.5)
    k = SHARP.to(u).expand(3, 1, 3, 3)
    deg = F.conv2d(u, k, groups=3).clamp(0, 1)
    res = u.clone()
    res[:, :, 1:-1, 1:-1] = deg
    return res + (u - res) * view4(f)


def apply_random(op, u, p):
    fire = torch.rand(u.shape[0]) < p
    if not fire.any():
        return u
    out = u.clone()
    out[fire] = op(u[fire])
    return out


def photo(x, beta, p_cj=0.5, p_g=0.3, p_blur=0.8, p_sharp=0.3):
    a = apply_random(color_jitter, x, p_cj)
    a = apply_random(grayscale, a, p_g)
    a = apply_random(gaussian_blur, a, p_blur)
    a = apply_random(sharpness, a, p_sharp)
    return beta * ((a - 0.5) / 0.5) + (1 - beta) * x


# ---------------------------------------------------------------------------------------------------------------------
# Dynamic selection (§9.3) and centroid update (§8, §9.2): per-class distance loop, per-image/per-class update loops
# ---------------------------------------------------------------------------------------------------------------------

def centroid_distance(feat, centroids):
    n, _, h, w = feat.shape
    d = torch.empty(n, centroids.shape[0], h, w)
    for k in range(centroids.shape[0]):
        d[:, k] = torch.norm(centroids[k].view(1, -1, 1, 1) - feat, 2, dim=1)
    return d


def dynamic_selection(offline, feat, centroids):
    d = centroid_distance(feat, centroids)
    weights = upsample(F.softmax(-d, dim=1), offline.shape[-2:])
    proto = weights.argmax(dim=1)
    return torch.where(offline == proto, offline, torch.full_like(offline, IGNORE))


def one_hot_with_ignore(labels, classes):
    lab = labels.clone()
    lab[lab == IGNORE] = classes
    return F.one_hot(lab, classes + 1).permute(0, 3, 1, 2).float()


def class_mean_vectors(feat, logits, labels, classes, min_pixels=5):
    pred = one_hot_with_ignore(logits.argmax(dim=1), classes)
    lab = one_hot_with_ignore(labels, classes)
    agree = pred * lab
    scale = F.adaptive_avg_pool2d(agree, 1)
    vectors, ids = [], []
    for n in range(feat.shape[0]):
        for k in range(classes):
            if scale[n, k].item() == 0:
                continue
            if (agree[n, k] > 0).sum() < min_pixels:
                continue
            v = F.adaptive_avg_pool2d(feat[n] * agree[n, k], 1) / scale[n, k]
            vectors.append(v.view(-1))
            ids.append(k)
    return vectors, ids


def update_centroids(centroids, vectors, ids, momentum=1e-4):
    for v, k in zip(vectors, ids):
        if v.sum().item() == 0:
            continue
        centroids[k] = centroids[k] * (1 - momentum) + momentum * v


def down_nearest(labels, size):
    return F.interpolate(labels.unsqueeze(1).float(), size=size, mode='nearest').squeeze(1).long()


def online_centroid_update(centroids, t_feat, t_logits, sel_labels, s_feat, s_logits, src_labels):
    size = t_feat.shape[-2:]
    v, ids = class_mean_vectors(t_feat, t_logits, down_nearest(sel_labels, size), centroids.shape[0])
    update_centroids(centroids, v, ids)
    v, ids = class_mean_vectors(s_feat, s_logits, down_nearest(src_labels, size), centroids.shape[0])
    update_centroids(centroids, v, ids)


# ---------------------------------------------------------------------------------------------------------------------
# Models: DeepLabV2-R101 with the ASPP+SE+GN head (§3.1); the image translator (§3.2); the compact CPU model
# ---------------------------------------------------------------------------------------------------------------------

def frozen_bn(ch):
    bn = nn.BatchNorm2d(ch)
    for p in bn.parameters():
        p.requires_grad = False
    return bn


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, inplanes, planes, stride=1, dilation=1, downsample=None):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 1, stride=stride, bias=False)
        self.bn1 = frozen_bn(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, padding=dilation, dilation=dilation, bias=False)
        self.bn2 = frozen_bn(planes)
        self.conv3 = nn.Conv2d(planes, planes * 4, 1, bias=False)
        self.bn3 = frozen_bn(planes * 4)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return self.relu(out + identity)


class AsppSeHead(nn.Module):
    """ASPP (1x1 + dilated 3x3, bias, GN, ReLU) -> concat -> SE -> 3x3 conv + GN -> Dropout2d = features -> 1x1 = logits."""

    def __init__(self, in_ch, classes, dilations=(6, 12, 18, 24), width=256, groups=32):
        super().__init__()
        branches = [nn.Sequential(nn.Conv2d(in_ch, width, 1), nn.GroupNorm(groups, width), nn.ReLU(inplace=True))]
        for d in dilations:
            branches.append(nn.Sequential(nn.Conv2d(in_ch, width, 3, padding=d, dilation=d),
                                          nn.GroupNorm(groups, width), nn.ReLU(inplace=True)))
        self.branches = nn.ModuleList(branches)
        cat = width * (len(dilations) + 1)
        self.se = nn.Sequential(nn.Linear(cat, cat // 16), nn.ReLU(inplace=True), nn.Linear(cat // 16, cat), nn.Sigmoid())
        self.fuse = nn.Sequential(nn.Conv2d(cat, width, 3, padding=1), nn.GroupNorm(groups, width))
        self.dropout = nn.Dropout2d(0.1)
        self.classifier = nn.Conv2d(width, classes, 1, bias=False)

    def forward(self, x):
        z = torch.cat([b(x) for b in self.branches], dim=1)
        s = self.se(z.mean(dim=(2, 3)))
        z = z * s.unsqueeze(-1).unsqueeze(-1)
        feat = self.dropout(self.fuse(z))
        return self.classifier(feat), feat


class DeepLabV2(nn.Module):
    def __init__(self, classes=C, layers=(3, 4, 23, 3)):
        super().__init__()
        self.inplanes = 64
        self.conv1 = nn.Conv2d(3, 64, 7, stride=2, padding=3, bias=False)
        self.bn1 = frozen_bn(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True)
        self.layer1 = self._layer(64, layers[0], 1, 1)
        self.layer2 = self._layer(128, layers[1], 2, 1)
        self.layer3 = self._layer(256, layers[2], 1, 2)
        self.layer4 = self._layer(512, layers[3], 1, 4)
        self.head = AsppSeHead(2048, classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                m.weight.data.normal_(0, 0.01)

    def _layer(self, planes, blocks, stride, dilation):
        down = nn.Sequential(nn.Conv2d(self.inplanes, planes * 4, 1, stride=stride, bias=False), frozen_bn(planes * 4))
        mods = [Bottleneck(self.inplanes, planes, stride, dilation, down)]
        self.inplanes = planes * 4
        mods += [Bottleneck(self.inplanes, planes, 1, dilation) for _ in range(1, blocks)]
        return nn.Sequential(*mods)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.head(x)

    def param_groups(self):
        head = [p for p in self.head.parameters() if p.requires_grad]
        head_ids = {id(p) for p in head}
        backbone = [p for p in self.parameters() if p.requires_grad and id(p) not in head_ids]
        return backbone, head


def conv_block(cin, cout, k, s, p, norm=True, act='relu'):
    mods = [nn.ReflectionPad2d(p), nn.Conv2d(cin, cout, k, s)]
    if norm:
        mods.append(nn.InstanceNorm2d(cout))
    if act == 'relu':
        mods.append(nn.ReLU(inplace=True))
    elif act == 'tanh':
        mods.append(nn.Tanh())
    return nn.Sequential(*mods)


class ResBlock(nn.Module):
    def __init__(self, ch):
        super().__init__()
        self.body = nn.Sequential(conv_block(ch, ch, 3, 1, 1), conv_block(ch, ch, 3, 1, 1, act=None))

    def forward(self, x):
        return x + self.body(x)


class Translator(nn.Module):
    """dec_s2t(enc_s(x)) of §3.2."""

    def __init__(self):
        super().__init__()
        self.enc = nn.Sequential(conv_block(3, 64, 7, 1, 3), conv_block(64, 128, 4, 2, 1), conv_block(128, 256, 4, 2, 1),
                                 *[ResBlock(256) for _ in range(4)])
        self.dec = nn.Sequential(*[ResBlock(256) for _ in range(4)],
                                 nn.Upsample(scale_factor=2), conv_block(256, 128, 5, 1, 2),
                                 nn.Upsample(scale_factor=2), conv_block(128, 64, 5, 1, 2),
                                 conv_block(64, 3, 7, 1, 3, norm=False, act='tanh'))

    def forward(self, x):
        return self.dec(self.enc(x))


class CompactBlock(nn.Module):
    """Basic residual block: 3x3 conv (stride, dilation) - BN - ReLU - 3x3 conv - BN, 1x1 projection shortcut when the shape changes."""

    def __init__(self, cin, cout, stride, dilation):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, padding=dilation, dilation=dilation, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, padding=dilation, dilation=dilation, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = None
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        identity = x if self.shortcut is None else self.shortcut(x)
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + identity)


def conv_bn_relu(cin, cout, k=3, stride=1, dilation=1):
    return nn.Sequential(nn.Conv2d(cin, cout, k, stride, padding=dilation * (k // 2), dilation=dilation, bias=False),
                         nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class CompactModel(nn.Module):
    """The compact CPU model with its default options (width 32, 32 feature channels, context rates 6/12, BatchNorm,
    Dropout2d 0.1): stem of a stride-2 and a stride-1 3x3 conv (16), a stride-2 3x3 conv to 32 and a basic block (the
    stride-4 skip), two basic blocks with dilations 2 and 4; head: 1x1 + two dilated 3x3 branches + image pool, concatenated
    with the skip -> 1x1 to 64 -> 3x3 to 32 -> bilinear x2 -> concatenated with the stem -> 1x1 to 32 = features (stride 2)
    -> 1x1 classifier."""

    def __init__(self, classes=C, width=32, features=COMPACT_FEATURES, dilations=(6, 12)):
        super().__init__()
        stem = width // 2
        self.stem = nn.Sequential(conv_bn_relu(3, stem, stride=2), conv_bn_relu(stem, stem))
        self.down = conv_bn_relu(stem, width, stride=2)
        self.layer1 = CompactBlock(width, width, 1, 1)
        self.layer2 = CompactBlock(width, width, 1, 2)
        self.layer3 = CompactBlock(width, width, 1, 4)
        self.branches = nn.ModuleList([conv_bn_relu(width, width, 1)] + [conv_bn_relu(width, width, 3, dilation=d) for d in dilations])
        self.pool = nn.Sequential(nn.Conv2d(width, width, 1), nn.ReLU(inplace=True))
        self.project = conv_bn_relu(width * (len(dilations) + 3), 2 * width, 1)
        self.refine = conv_bn_relu(2 * width, width)
        self.fuse = conv_bn_relu(width + stem, features, 1)
        self.dropout = nn.Dropout2d(0.1)
        self.classifier = nn.Conv2d(features, classes, 1)
        self.head = nn.ModuleList([self.branches, self.pool, self.project, self.refine, self.fuse, self.classifier])

    def forward(self, x):
        stem = self.stem(x)
        skip = self.layer1(self.down(stem))
        context = self.layer3(self.layer2(skip))
        pooled = self.pool(context.mean(dim=(2, 3), keepdim=True)).expand(-1, -1, *context.shape[-2:])
        z = torch.cat([b(context) for b in self.branches] + [pooled, skip], dim=1)
        z = F.interpolate(self.refine(self.project(z)), size=stem.shape[-2:], mode='bilinear', align_corners=False)
        feat = self.dropout(self.fuse(torch.cat([z, stem], dim=1)))
        return self.classifier(feat), feat

    def param_groups(self):
        head_ids = {id(p) for p in self.head.parameters()}
        return [p for p in self.parameters() if id(p) not in head_ids], list(self.head.parameters())


def ema_update(teacher, student, iteration, cap=0.999):
    alpha = min(1 - 1 / (iteration + 1), cap)
    with torch.no_grad():
        for t, s in zip(teacher.parameters(), student.parameters()):
            t.mul_(alpha).add_(s, alpha=1 - alpha)


def make_teacher(student):
    import copy
    teacher = copy.deepcopy(student)
    for p in teacher.parameters():
        p.requires_grad = False
    return teacher


def make_sgd(model, base_lr=2.5e-4):
    backbone, head = model.param_groups()
    return torch.optim.SGD([{'params': backbone, 'lr': base_lr}, {'params': head, 'lr': base_lr * 10}],
                           lr=base_lr, momentum=0.9, weight_decay=5e-4)


def set_poly_lr(opt, i, max_iter=80000, base_lr=2.5e-4):
    lr = base_lr * (1 - i / max_iter) ** 0.9
    opt.param_groups[0]['lr'] = lr
    opt.param_groups[1]['lr'] = lr * 10


class TrainingState:
    def __init__(self, model, feature_dim, n, h, w, with_translator):
        gen = torch.Generator().manual_seed(1)
        self.student = model
        self.student.train()
        self.teacher = make_teacher(model)
        self.teacher.train()
        self.translator = Translator().eval() if with_translator else None
        self.opt = make_sgd(model)
        self.centroids = torch.randn(C, feature_dim, generator=gen)
        self.x_s = images(n, h, w, gen)
        self.y_s = block_labels(n, h, w, gen, cell=max(4, h // 16))
        self.x_t = images(n, h, w, gen)
        self.y_off = block_labels(n, h, w, gen, cell=max(4, h // 16), dense=True)
        self.i = 0

    def second_view(self, x, beta):
        if self.translator is None:
            return photo(x, beta, p_sharp=0.0)
        return self.translator(x)


def warmup_iteration(st):
    """One warm-up iteration (§6.1)."""
    n, size = st.x_s.shape[0], st.x_s.shape[-2:]
    set_poly_lr(st.opt, st.i)
    ema_update(st.teacher, st.student, st.i)
    with torch.no_grad():
        x_aug = photo(st.x_s, 0.4)
        x_tr = st.second_view(st.x_s, 0.4)
        x_mix = warmup_mix(x_aug, x_tr, st.y_s)
    both = torch.cat((st.x_s, x_mix))
    z_s = upsample(st.student(both)[0], size)
    with torch.no_grad():
        st.student(st.x_t)
        z_t = upsample(st.teacher(both)[0], size)
    loss = cross_entropy2d(z_s[:n], st.y_s) + 0.5 * sym_kd(z_t[:n], z_t[n:], z_s[:n], z_s[n:])
    st.opt.zero_grad(set_to_none=True)
    loss.backward()
    st.opt.step()
    st.i += 1


def self_training_iteration(st):
    """One self-training iteration (§9.2)."""
    n, size = st.x_s.shape[0], st.x_s.shape[-2:]
    set_poly_lr(st.opt, st.i)
    ema_update(st.teacher, st.student, st.i)
    with torch.no_grad():
        x_s_aug = photo(st.x_s, 0.3)
        x_t_aug = photo(st.x_t, 0.3)
        x_s_mix = warmup_mix(x_s_aug, st.second_view(st.x_s, 0.3), st.y_s)
    both = torch.cat((st.x_s, x_s_mix))
    z_s = st.student(both)[0]
    with torch.no_grad():
        z_t, f_t = st.teacher(both)
        zt_t, ft_t = st.teacher(st.x_t)
        y_sel = dynamic_selection(st.y_off, ft_t, st.centroids)
        x_cm, y_cm = st_mix(st.x_s, st.y_s, x_t_aug, y_sel)
        online_centroid_update(st.centroids, ft_t, zt_t, y_sel, f_t[n:], z_t[n:], st.y_s)
    z_cm = st.student(x_cm)[0]
    z_s_up = upsample(z_s, size)
    z_t_up = upsample(z_t, size)
    loss = (cross_entropy2d(z_s_up[:n], st.y_s) + cross_entropy2d(upsample(z_cm, size), y_cm)
            + 0.25 * sym_kd(z_t_up[:n], z_t_up[n:], z_s_up[:n], z_s_up[n:]))
    st.opt.zero_grad(set_to_none=True)
    loss.backward()
    st.opt.step()
    st.i += 1


# ---------------------------------------------------------------------------------------------------------------------
# Loader (§2.3 on the synthetic benchmark written to disk in the GTA5 layout)
# ---------------------------------------------------------------------------------------------------------------------

def cityscapes_label_lut():
    lut = np.full(256, IGNORE, dtype=np.int64)
    for label_id, train_id in zip((7, 8, 11, 12, 13, 17, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 31, 32, 33), range(19)):
        lut[label_id] = train_id
    return lut


class Gta5Folder(torch.utils.data.Dataset):
    def __init__(self, root):
        self.root = os.path.join(root, 'source')
        self.ids = sorted(os.listdir(os.path.join(self.root, "images")))
        self.lut = cityscapes_label_lut()
        self.mean = np.array(IMG_MEAN_BGR, dtype=np.float32)

    def __len__(self):
        return len(self.ids)

    def __getitem__(self, index):
        from PIL import Image
        name = self.ids[index]
        img = Image.open(os.path.join(self.root, 'images', name)).convert('RGB')
        lab = Image.open(os.path.join(self.root, 'labels', name))
        if random.random() < 0.5:
            img = img.transpose(Image.FLIP_LEFT_RIGHT)
            lab = lab.transpose(Image.FLIP_LEFT_RIGHT)
        x = np.asarray(img, dtype=np.float32)[:, :, ::-1] - self.mean
        x = torch.from_numpy(np.ascontiguousarray(x.transpose(2, 0, 1) / 128.0))
        y = torch.from_numpy(self.lut[np.asarray(lab, dtype=np.uint8)])
        return x, y


def loader_chunks(root, warmup, runs, chunk=LOADER_CHUNK):
    """Times `runs` chunks of `chunk` batches from an endless loader (after `warmup` chunks); returns ms per chunk."""
    ds = Gta5Folder(root)
    loader = torch.utils.data.DataLoader(ds, batch_size=LOADER_BATCH, shuffle=True, num_workers=LOADER_WORKERS,
                                         drop_last=True, persistent_workers=True)
    state = {'it': iter(loader)}

    def take():
        while True:
            try:
                return next(state['it'])
            except StopIteration:
                state['it'] = iter(loader)

    for _ in range(3):
        take()
    times = []
    for k in range(warmup + runs):
        start = time.perf_counter()
        for _ in range(chunk):
            take()
        if k >= warmup:
            times.append(1000.0 * (time.perf_counter() - start))
    return times


# ---------------------------------------------------------------------------------------------------------------------
# Operation registry
# ---------------------------------------------------------------------------------------------------------------------

def loss_inputs(count, with_grad):
    """`count` logit tensors [B, C, H, W]; the first `with_grad` of them require gradients (the student's)."""
    gen = torch.Generator().manual_seed(0)
    return [torch.randn(B, C, H, W, generator=gen).requires_grad_(i < with_grad) for i in range(count)]


def op_symkd():
    s_orig, s_mix, t_orig, t_mix = loss_inputs(4, 2)

    def run():
        s_orig.grad = None
        s_mix.grad = None
        sym_kd(t_orig, t_mix, s_orig, s_mix).backward()
    return run


def op_ce():
    (z,) = loss_inputs(1, 1)
    y = block_labels(B, H, W, torch.Generator().manual_seed(2))

    def run():
        z.grad = None
        cross_entropy2d(z, y).backward()
    return run


def op_ohem():
    (z,) = loss_inputs(1, 1)
    y = block_labels(B, H, W, torch.Generator().manual_seed(2))

    def run():
        z.grad = None
        ohem_ce(z, y).backward()
    return run


def op_resize():
    gen = torch.Generator().manual_seed(9)
    z = torch.randn(B, C, FH, FW, generator=gen).requires_grad_(True)
    g = torch.randn(B, C, H, W, generator=gen)

    def run():
        z.grad = None
        F.interpolate(z, size=(H, W), mode='bilinear', align_corners=True).backward(g)
    return run


def op_resize_decoder():
    """The compact decoder's x2 step at the demo's warm-up student batch (align_corners=False)."""
    gen = torch.Generator().manual_seed(9)
    z = torch.randn(16, 32, 16, 32, generator=gen).requires_grad_(True)
    g = torch.randn(16, 32, 32, 64, generator=gen)

    def run():
        z.grad = None
        F.interpolate(z, size=(32, 64), mode='bilinear', align_corners=False).backward(g)
    return run


def op_baseline():
    """No work and no inputs: the peak RSS of the process itself (Python, NumPy, PyTorch imported, threads set)."""
    torch.zeros(1).add_(1)
    return lambda: None


def op_copy(count):
    def make():
        xs = loss_inputs(count, 0)

        def run():
            for x in xs:
                x.clone()
        return run
    return make


def op_classmix_mask():
    y = block_labels(B, H, W, torch.Generator().manual_seed(3))
    return lambda: classmix_masks(y)


def op_warmup_mix():
    gen = torch.Generator().manual_seed(3)
    y, fg, bg = block_labels(B, H, W, gen), images(B, H, W, gen), images(B, H, W, gen)
    return lambda: warmup_mix(fg, bg, y)


def op_st_mix():
    gen = torch.Generator().manual_seed(3)
    y, y2 = block_labels(B, H, W, gen), block_labels(B, H, W, gen, dense=True)
    fg, bg = images(B, H, W, gen), images(B, H, W, gen)
    return lambda: st_mix(fg, y, bg, y2)


def op_photo(all_on):
    x = images(B, H, W, torch.Generator().manual_seed(4))
    if all_on:
        return lambda: photo(x, 0.4, 1.0, 1.0, 1.0, 1.0)
    return lambda: photo(x, 0.4)


def op_selection():
    gen = torch.Generator().manual_seed(5)
    offline = block_labels(B, H, W, gen, dense=True)
    feat = torch.randn(B, FD, FH, FW, generator=gen)
    cent = torch.randn(C, FD, generator=gen)

    def run():
        with torch.no_grad():
            dynamic_selection(offline, feat, cent)
    return run


def op_centroids():
    gen = torch.Generator().manual_seed(6)
    sel = block_labels(B, H, W, gen)
    src = block_labels(B, H, W, gen)
    t_feat, s_feat = torch.randn(B, FD, FH, FW, generator=gen), torch.randn(B, FD, FH, FW, generator=gen)
    # Teacher logits that agree with the labels on most pixels, as in training.
    t_logits = F.one_hot(down_nearest(sel, (FH, FW)).clamp(max=C - 1), C).permute(0, 3, 1, 2).float() * 4 + torch.randn(B, C, FH, FW, generator=gen)
    s_logits = F.one_hot(down_nearest(src, (FH, FW)).clamp(max=C - 1), C).permute(0, 3, 1, 2).float() * 4 + torch.randn(B, C, FH, FW, generator=gen)
    cent = torch.randn(C, FD, generator=gen)

    def run():
        with torch.no_grad():
            online_centroid_update(cent, t_feat, t_logits, sel, s_feat, s_logits, src)
    return run


def op_ema():
    student = DeepLabV2()
    teacher = make_teacher(student)
    state = {'i': 1000}

    def run():
        ema_update(teacher, student, state['i'])
        state['i'] += 1
    return run


def op_iteration(arch, kind):
    def make():
        torch.manual_seed(0)
        random.seed(0)
        if arch == 'r101':
            st = TrainingState(DeepLabV2(), FD, R101_BATCH, R101_H, R101_W, with_translator=True)
        else:
            st = TrainingState(CompactModel(), COMPACT_FEATURES, COMPACT_BATCH, COMPACT_H, COMPACT_W, with_translator=False)
        step = warmup_iteration if kind == 'warmup' else self_training_iteration
        return lambda: step(st)
    return make


def mit_restatement():
    """The PyTorch restatement of the Mix Transformer models that also writes the parity fixtures, imported by path."""
    import importlib.util
    import sys
    folder = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'DiGA.Core.Tests', 'Fixtures', 'models')
    sys.path.insert(0, folder)  # the restatement imports its sibling generate_model_fixtures
    spec = importlib.util.spec_from_file_location('generate_mit_fixtures', os.path.join(folder, 'generate_mit_fixtures.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def op_model_mit_b5(decoder):
    """Train-mode MiT-B5 + decoder (random weights): forward, logits resized to the crop (bilinear, align_corners=False,
    as mmseg), cross_entropy2d on block labels, backward, gradients set to None. No optimiser step."""
    def make():
        torch.manual_seed(0)
        mit = mit_restatement()
        w = MIT_B5_WIDTH
        dims = [w, 2 * w, 5 * w, 8 * w]
        head = mit.DAFormerHead(dims, 256, C) if decoder == 'daformer' else mit.SegFormerHead(dims, 768, C)
        model = mit.Segmentor(head, w, MIT_B5_DEPTHS, MIT_DROP_PATH).train()
        gen = torch.Generator().manual_seed(8)
        x = images(MIT_BATCH, MIT_H, MIT_W, gen)
        y = block_labels(MIT_BATCH, MIT_H, MIT_W, gen)

        def run():
            logits = model(x)[0]
            cross_entropy2d(F.interpolate(logits, size=(MIT_H, MIT_W), mode='bilinear', align_corners=False), y).backward()
            model.zero_grad(set_to_none=True)
        return run
    return make


def op_model_compact():
    """Train-mode compact model (random weights) at the synthetic demo's batch and size: forward, logits resized to the
    image (bilinear, align_corners=True), cross_entropy2d on block labels, backward, gradients set to None. No optimiser step."""
    def make():
        torch.manual_seed(0)
        model = CompactModel().train()
        gen = torch.Generator().manual_seed(8)
        x = images(DEMO_BATCH, DEMO_H, DEMO_W, gen)
        y = block_labels(DEMO_BATCH, DEMO_H, DEMO_W, gen, cell=8)

        def run():
            logits = model(x)[0]
            cross_entropy2d(F.interpolate(logits, size=(DEMO_H, DEMO_W), mode='bilinear', align_corners=True), y).backward()
            model.zero_grad(set_to_none=True)
        return run
    return make


SIZE_LOGITS = f'B={B} C={C} {H}x{W}'
OPS = {
    # name: (factory, size, warmup, runs)
    'baseline.empty': (op_baseline, 'no inputs (runtime footprint)', 3, 15),
    'symkd.fwd-bwd': (op_symkd, SIZE_LOGITS, 3, 15),
    'ce.fwd-bwd': (op_ce, SIZE_LOGITS, 3, 15),
    'ohem.fwd-bwd': (op_ohem, SIZE_LOGITS, 3, 15),
    'resize.logits.fwd-bwd': (op_resize, f'B={B} C={C} {FH}x{FW}->{H}x{W}', 3, 15),
    'resize.decoder.fwd-bwd': (op_resize_decoder, 'B=16 C=32 16x32->32x64', 3, 15),
    'copy.logits-x1': (op_copy(1), SIZE_LOGITS + ' (1 tensor)', 3, 15),
    'copy.logits-x4': (op_copy(4), SIZE_LOGITS + ' (4 tensors)', 3, 15),
    'classmix.mask': (op_classmix_mask, f'B={B} {H}x{W}', 3, 15),
    'classmix.warmup-mix': (op_warmup_mix, f'B={B} {H}x{W}', 3, 15),
    'classmix.selftraining-mix': (op_st_mix, f'B={B} {H}x{W}', 3, 15),
    'photo.reference-p': (lambda: op_photo(False), f'B={B} {H}x{W}', 3, 15),
    'photo.all-ops': (lambda: op_photo(True), f'B={B} {H}x{W}', 3, 15),
    'selection.dynamic': (op_selection, f'B={B} C={C} D={FD} {FH}x{FW}->{H}x{W}', 3, 15),
    'centroids.online-update': (op_centroids, f'B={B} C={C} D={FD} {FH}x{FW} (target+source)', 3, 15),
    'ema.deeplabv2-r101': (op_ema, 'DeepLabV2-R101 parameters', 3, 15),
    'iteration.warmup.r101': (op_iteration('r101', 'warmup'), f'DeepLabV2-R101 B={R101_BATCH} {R101_H}x{R101_W}', 1, 2),
    'iteration.selftraining.r101': (op_iteration('r101', 'st'), f'DeepLabV2-R101 B={R101_BATCH} {R101_H}x{R101_W}', 1, 2),
    'iteration.warmup.compact': (op_iteration('compact', 'warmup'), f'compact B={COMPACT_BATCH} {COMPACT_H}x{COMPACT_W}', 2, 7),
    'iteration.selftraining.compact': (op_iteration('compact', 'st'), f'compact B={COMPACT_BATCH} {COMPACT_H}x{COMPACT_W}', 2, 7),
    'model.mit-b5-daformer.fwd-bwd': (op_model_mit_b5('daformer'), f'MiT-B5+DAFormer B={MIT_BATCH} {MIT_H}x{MIT_W}', 1, 2),
    'model.mit-b5-segformer.fwd-bwd': (op_model_mit_b5('segformer'), f'MiT-B5+SegFormer B={MIT_BATCH} {MIT_H}x{MIT_W}', 1, 2),
    'model.compact.fwd-bwd': (op_model_compact(), f'compact B={DEMO_BATCH} {DEMO_H}x{DEMO_W}', 3, 15),
    'loader.synthetic-gta5-disk': (None, f'B={LOADER_BATCH} {COMPACT_H}x{COMPACT_W} PNG, {LOADER_WORKERS} workers', 2, 7),
}


def blas_libraries():
    """The BLAS/LAPACK libraries mapped into this process (convolutions run on oneDNN; BLAS serves matmul/linear)."""
    try:
        with open('/proc/self/maps') as f:
            paths = {line.split()[-1] for line in f if 'blas' in line.lower() or 'mkl' in line.lower()}
    except OSError:
        return 'unknown'
    return ', '.join(sorted(os.path.realpath(p) for p in paths if p.startswith('/'))) or 'none'


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def run_single(name, quick, data_root):
    factory, size, warmup, runs = OPS[name]
    if quick:
        warmup, runs = min(warmup, 1), min(runs, 2)
    result = {'op': name, 'size': size}
    if name.startswith('loader.'):
        times = [t / LOADER_CHUNK for t in loader_chunks(data_root, warmup, runs)]
        median = statistics.median(times)
        result.update(median_ms=median, min_ms=min(times), runs=runs, images_per_second=LOADER_BATCH * 1000.0 / median)
    else:
        run = factory()
        for _ in range(warmup):
            run()
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            run()
            times.append(1000.0 * (time.perf_counter() - start))
        result.update(median_ms=statistics.median(times), min_ms=min(times), runs=runs)
    result['peak_rss_mb'] = peak_rss_mb()
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--threads', type=int, default=os.cpu_count())
    ap.add_argument('--out', help='JSON file to write')
    ap.add_argument('--ops', help='comma-separated operation names or prefixes (default: all)')
    ap.add_argument('--quick', action='store_true', help='1 warm-up and 2 timed runs per operation (smoke test)')
    ap.add_argument('--data-root', help='synthetic benchmark written by the C# app (write-synthetic); its source/ folder has the GTA5 layout (for loader.*)')
    ap.add_argument('--list', action='store_true')
    ap.add_argument('--single', help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.list:
        print('\n'.join(OPS))
        return
    torch.set_num_threads(args.threads)
    random.seed(0)
    torch.manual_seed(0)

    if args.single:
        print(json.dumps(run_single(args.single, args.quick, args.data_root)))
        return

    names = list(OPS)
    if args.ops:
        wanted = [w.strip() for w in args.ops.split(',') if w.strip()]
        names = [n for n in names if any(n == w or n.startswith(w) for w in wanted)]
    if args.data_root is None:
        names = [n for n in names if not n.startswith('loader.')]

    results = []
    for name in names:
        cmd = [sys.executable, os.path.abspath(__file__), '--single', name, '--threads', str(args.threads)]
        if args.quick:
            cmd.append('--quick')
        if args.data_root:
            cmd += ['--data-root', args.data_root]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            sys.stderr.write(proc.stderr)
            raise SystemExit(f'{name} failed')
        res = json.loads(proc.stdout.strip().splitlines()[-1])
        results.append(res)
        print(f"{name:34s} {res['size']:46s} {res['median_ms']:10.2f} ms  {res['peak_rss_mb']:8.0f} MB", flush=True)

    doc = {
        'side': 'pytorch',
        'torch': torch.__version__,
        'threads': args.threads,
        'python': sys.version.split()[0],
        'blas': blas_libraries(),
        'results': results,
    }
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(doc, f, indent=2)


if __name__ == '__main__':
    main()
