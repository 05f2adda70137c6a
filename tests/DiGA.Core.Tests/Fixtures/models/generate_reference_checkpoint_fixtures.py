"""Writes the fixtures of checkpoints in the DiGA authors' file layout (PyTorch 1.13, CPU).

The authors' training scripts save plain state dictionaries (torch.save(module.state_dict(), <name>.pth), no
DataParallel prefix, no nesting) of two kinds:

* the segmentation model (student.pth, teacher.pth) is a wrapper around DeepLabV2 whose children are
    layer0 = Sequential(stem conv 7x7/2, stem BatchNorm, ReLU, max-pool)  -> keys layer0.0.weight, layer0.1.*
    layer1 ... layer4 = the ResNet layers                                  -> the same keys as DiGA.Core
    final = the ASPP + SE head                                             -> final.* (DiGA.Core: layer5.*)
* the translator (enc_s.pth, dec_s2t.pth): encoder and decoder each hold a Sequential called `model` of blocks whose
  convolution is called `conv` (padding and instance norm carry no state), residual blocks nested as model.{i}.model.{j}.

This script restates both from that description, narrowed for size, and randomises every parameter and BatchNorm buffer
with a fixed seed:

* segmentation: ResNet-50 blocks (3, 4, 6, 3) at stem width 1, 32 head/feature channels, atrous rates (2, 3), 5 classes;
  the arithmetic path is the full model's (the model classes come from generate_model_fixtures.py, the wrapper is here);
* translator: base width 2 instead of 64 (channels 2, 4, 8), 4 residual blocks on each side, as in the full model.

Outputs (next to this script):
  diga_reference_deeplabv2_r50_w1_f32.pth           torch.save(state_dict) in the wrapper layout
  diga_reference_deeplabv2_r50_w1_f32_io.safetensors  input [1,3,41,57], logits [1,5,6,8], features [1,32,6,8]
  diga_reference_translator_w2/enc_s.pth            torch.save(state_dict) of the source encoder
  diga_reference_translator_w2/dec_s2t.pth          torch.save(state_dict) of the source-to-target decoder
  diga_reference_translator_w2_io.safetensors         input [1,3,24,32], translated [1,3,24,32]

Run: /usr/bin/python3 generate_reference_checkpoint_fixtures.py
"""
import math
import os

import torch
import torch.nn as nn

from generate_model_fixtures import Bottleneck, Head, randomise, save_safetensors

HERE = os.path.dirname(os.path.abspath(__file__))

SEG_WIDTH = 1
SEG_FEATURES = 32
SEG_CLASSES = 5
SEG_BLOCKS = [3, 4, 6, 3]
SEG_RATES = [2, 3]
TRANSLATOR_WIDTH = 2


class ReferenceWrapperDeepLab(nn.Module):
    """DeepLabV2 with the top-level children of the authors' wrapper: layer0 (stem), layer1-4, final (head)."""

    def __init__(self, width, features, blocks, rates, classes):
        super().__init__()
        self.layer0 = nn.Sequential(
            nn.Conv2d(3, width, 7, stride=2, padding=3, bias=False),
            nn.BatchNorm2d(width),
            nn.ReLU(),
            nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True))
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
        self.final = Head(cin, features, rates, classes)

    def forward(self, x):
        x = self.layer4(self.layer3(self.layer2(self.layer1(self.layer0(x)))))
        return self.final(x)


class Block(nn.Module):
    """Pad, convolve (with bias), optional instance norm (no affine, no running statistics), optional activation."""

    def __init__(self, cin, cout, k, stride, pad, norm=True, act="relu"):
        super().__init__()
        self.pad = nn.ReflectionPad2d(pad)
        self.conv = nn.Conv2d(cin, cout, k, stride)
        self.norm = nn.InstanceNorm2d(cout) if norm else None
        self.act = {"relu": nn.ReLU(), "tanh": nn.Tanh(), "none": None}[act]

    def forward(self, x):
        x = self.conv(self.pad(x))
        if self.norm is not None:
            x = self.norm(x)
        return x if self.act is None else self.act(x)


class Residual(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.model = nn.Sequential(Block(c, c, 3, 1, 1), Block(c, c, 3, 1, 1, act="none"))

    def forward(self, x):
        return x + self.model(x)


class ResidualStack(nn.Module):
    def __init__(self, n, c):
        super().__init__()
        self.model = nn.Sequential(*[Residual(c) for _ in range(n)])

    def forward(self, x):
        return self.model(x)


class Encoder(nn.Module):
    def __init__(self, w):
        super().__init__()
        self.model = nn.Sequential(
            Block(3, w, 7, 1, 3), Block(w, 2 * w, 4, 2, 1), Block(2 * w, 4 * w, 4, 2, 1), ResidualStack(4, 4 * w))

    def forward(self, x):
        return self.model(x)


class Decoder(nn.Module):
    def __init__(self, w):
        super().__init__()
        self.model = nn.Sequential(
            ResidualStack(4, 4 * w),
            nn.Upsample(scale_factor=2), Block(4 * w, 2 * w, 5, 1, 2),
            nn.Upsample(scale_factor=2), Block(2 * w, w, 5, 1, 2),
            Block(w, 3, 7, 1, 3, norm=False, act="tanh"))

    def forward(self, x):
        return self.model(x)


def randomise_translator(module, g):
    with torch.no_grad():
        for m in module.modules():
            if isinstance(m, nn.Conv2d):
                fan_in = m.in_channels * m.kernel_size[0] * m.kernel_size[1]
                m.weight.copy_(torch.randn(m.weight.shape, generator=g) * math.sqrt(2.0 / fan_in))
                m.bias.copy_(torch.rand(m.bias.shape, generator=g) * 0.2 - 0.1)


def main():
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(20230618)

    model = ReferenceWrapperDeepLab(SEG_WIDTH, SEG_FEATURES, SEG_BLOCKS, SEG_RATES, SEG_CLASSES)
    randomise(model, g)
    model.eval()
    x = torch.randn(1, 3, 41, 57, generator=g)
    with torch.no_grad():
        logits, feat = model(x)
    state = model.state_dict()
    print("segmentation: logits", tuple(logits.shape), "max |.|", logits.abs().max().item(),
          "features", tuple(feat.shape), "max |.|", feat.abs().max().item(),
          "entries", len(state), "values", sum(v.numel() for v in state.values()))
    torch.save(state, os.path.join(HERE, "diga_reference_deeplabv2_r50_w1_f32.pth"))
    save_safetensors(os.path.join(HERE, "diga_reference_deeplabv2_r50_w1_f32_io.safetensors"),
                     {"input": x, "logits": logits, "features": feat})

    encoder, decoder = Encoder(TRANSLATOR_WIDTH), Decoder(TRANSLATOR_WIDTH)
    randomise_translator(encoder, g)
    randomise_translator(decoder, g)
    encoder.eval()
    decoder.eval()
    # Inputs in the normalised image range of the segmentation model (about [-1, 1.2]).
    images = torch.rand(1, 3, 24, 32, generator=g) * 2.2 - 1.0
    with torch.no_grad():
        translated = decoder(encoder(images))
    print("translator: output", tuple(translated.shape), "encoder entries", len(encoder.state_dict()),
          "decoder entries", len(decoder.state_dict()))
    directory = os.path.join(HERE, "diga_reference_translator_w2")
    os.makedirs(directory, exist_ok=True)
    torch.save(encoder.state_dict(), os.path.join(directory, "enc_s.pth"))
    torch.save(decoder.state_dict(), os.path.join(directory, "dec_s2t.pth"))
    save_safetensors(os.path.join(HERE, "diga_reference_translator_w2_io.safetensors"),
                     {"input": images, "translated": translated})


if __name__ == "__main__":
    main()
