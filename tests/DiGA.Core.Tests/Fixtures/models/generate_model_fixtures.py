"""Writes the DeepLabV2 parity fixture (PyTorch 1.13, CPU).

Builds DeepLabV2 (Caffe-style ResNet-101 bottlenecks, output stride 8, ASPP + SE head) from its own code with the
state-dict key names used by DiGA.Core, narrowed for size (backbone width 4 instead of 64, 32 head/feature channels
instead of 256); the arithmetic path is the same as the full model. Every parameter and BatchNorm buffer is randomised
with a fixed seed, and the eval-mode logits and features for a fixed input are stored.

Outputs (next to this script):
  deeplabv2_r101_w4_f32.pth           torch.save(state_dict)
  deeplabv2_r101_w4_f32_io.safetensors  input [1,3,65,113], logits [1,5,9,15], features [1,32,9,15]

Run: /usr/bin/python3 generate_model_fixtures.py
"""
import math
import os
import struct
import json

import torch
import torch.nn as nn
import torch.nn.functional as F

WIDTH = 4
FEATURES = 32
CLASSES = 5
BLOCKS = [3, 4, 23, 3]
RATES = [6, 12, 18, 24]
HERE = os.path.dirname(os.path.abspath(__file__))


class Bottleneck(nn.Module):
    def __init__(self, cin, planes, stride, dilation, downsample):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, planes, 1, stride=stride, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, padding=dilation, dilation=dilation, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, planes * 4, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * 4)
        if downsample:
            self.downsample = nn.Sequential(nn.Conv2d(cin, planes * 4, 1, stride=stride, bias=False), nn.BatchNorm2d(planes * 4))
        else:
            self.downsample = None

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = F.relu(self.bn2(self.conv2(y)))
        y = self.bn3(self.conv3(y))
        r = x if self.downsample is None else self.downsample(x)
        return F.relu(y + r)


class SE(nn.Module):
    def __init__(self, c, r=16):
        super().__init__()
        self.se = nn.Sequential(nn.Linear(c, c // r), nn.ReLU(), nn.Linear(c // r, c), nn.Sigmoid())

    def forward(self, x):
        w = self.se(x.mean(dim=(2, 3)))
        return x * w[:, :, None, None]


class Head(nn.Module):
    def __init__(self, cin, c, rates, classes):
        super().__init__()
        self.conv2d_list = nn.ModuleList([nn.Sequential(nn.Conv2d(cin, c, 1, bias=True), nn.GroupNorm(32, c), nn.ReLU())])
        for r in rates:
            self.conv2d_list.append(nn.Sequential(nn.Conv2d(cin, c, 3, padding=r, dilation=r, bias=True), nn.GroupNorm(32, c), nn.ReLU()))
        n = c * (len(rates) + 1)
        self.bottleneck = nn.Sequential(SE(n), nn.Conv2d(n, c, 3, padding=1, bias=True), nn.GroupNorm(32, c))
        self.head = nn.Sequential(nn.Dropout2d(0.1), nn.Conv2d(c, classes, 1, bias=False))

    def forward(self, x):
        z = torch.cat([b(x) for b in self.conv2d_list], 1)
        feat = self.head[0](self.bottleneck(z))
        return self.head[1](feat), feat


class DeepLabV2(nn.Module):
    def __init__(self, width, features, blocks, rates, classes):
        super().__init__()
        self.conv1 = nn.Conv2d(3, width, 7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.pool = nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True)
        cin = width
        layers = []
        for i, (n, stride, dil) in enumerate(zip(blocks, [1, 2, 1, 1], [1, 1, 2, 4])):
            planes = width * 2 ** i
            mods = []
            for j in range(n):
                mods.append(Bottleneck(cin, planes, stride if j == 0 else 1, dil, j == 0))
                cin = planes * 4
            layers.append(nn.Sequential(*mods))
        self.layer1, self.layer2, self.layer3, self.layer4 = layers
        self.layer5 = Head(cin, features, rates, classes)

    def forward(self, x):
        x = self.pool(F.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.layer5(x)


def randomise(model, g):
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.Conv2d):
                fan_in = m.in_channels * m.kernel_size[0] * m.kernel_size[1]
                m.weight.copy_(torch.randn(m.weight.shape, generator=g) * math.sqrt(2.0 / fan_in))
                if m.bias is not None:
                    m.bias.copy_(torch.rand(m.bias.shape, generator=g) * 0.2 - 0.1)
            elif isinstance(m, nn.BatchNorm2d):
                c = m.num_features
                m.weight.copy_(torch.rand(c, generator=g) * 0.5 + 0.25)
                m.bias.copy_(torch.rand(c, generator=g) * 0.2 - 0.1)
                m.running_mean.copy_(torch.randn(c, generator=g) * 0.1)
                m.running_var.copy_(torch.rand(c, generator=g) * 0.5 + 0.75)
                m.num_batches_tracked.fill_(17)
            elif isinstance(m, nn.GroupNorm):
                m.weight.copy_(torch.rand(m.num_channels, generator=g) * 0.5 + 0.75)
                m.bias.copy_(torch.rand(m.num_channels, generator=g) * 0.2 - 0.1)
            elif isinstance(m, nn.Linear):
                bound = 1.0 / math.sqrt(m.in_features)
                m.weight.copy_((torch.rand(m.weight.shape, generator=g) * 2 - 1) * bound)
                m.bias.copy_((torch.rand(m.bias.shape, generator=g) * 2 - 1) * bound)


def save_safetensors(path, tensors):
    header, offset, blobs = {}, 0, []
    for name, t in tensors.items():
        data = t.detach().contiguous().to(torch.float32).numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    raw = json.dumps(header).encode("utf-8")
    raw += b" " * ((8 - len(raw) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for b in blobs:
            f.write(b)


def main():
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(20230402)
    model = DeepLabV2(WIDTH, FEATURES, BLOCKS, RATES, CLASSES)
    randomise(model, g)
    model.eval()
    x = torch.randn(1, 3, 65, 113, generator=g)
    with torch.no_grad():
        logits, feat = model(x)
    print("logits", tuple(logits.shape), "std", logits.std().item(), "features", tuple(feat.shape), "std", feat.std().item())
    state = model.state_dict()
    print("parameters", sum(v.numel() for v in state.values()))
    torch.save(state, os.path.join(HERE, "deeplabv2_r101_w4_f32.pth"))
    save_safetensors(os.path.join(HERE, "deeplabv2_r101_w4_f32_io.safetensors"), {"input": x, "logits": logits, "features": feat})


if __name__ == "__main__":
    main()
