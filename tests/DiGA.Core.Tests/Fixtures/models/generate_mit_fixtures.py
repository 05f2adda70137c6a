"""Writes the Mix Transformer parity fixtures (PyTorch 1.13, CPU).

Restates, from the SegFormer and DAFormer papers, the MiT encoder (overlapping patch embeddings 7x7/4 then 3x3/2 with
LayerNorm, efficient self-attention with spatial-reduction ratios 8/4/2/1, Mix-FFN with a 3x3 depthwise convolution and
GELU, pre-norm blocks, a LayerNorm after each stage), the SegFormer all-MLP decoder and the DAFormer context-aware fusion
decoder (depthwise-separable ASPP, dilations 1/6/12/18, no pooling, 3x3 bottleneck), with the module names of
mmseg/DAFormer checkpoints. MiT-B0 depths (2, 2, 2, 2) and heads (1, 2, 5, 8) with a first-stage width of 2 instead of 32
(stages 2, 4, 10, 16; head width 2), decoder width 8 instead of 256: the arithmetic path is the full model's. Parameters and BatchNorm buffers are
randomised with a fixed seed; the eval-mode logits and features of a fixed input are stored.

Outputs (next to this script):
  mit_b0_w2_daformer.pth        torch.save(state_dict) of the DAFormer model, mmseg keys backbone.* / decode_head.*
  mit_b0_w2_segformer.pth       the SegFormer model, mmseg keys (with mmseg's unused decode_head.conv_seg.*); same encoder
  mit_b0_w2_io.safetensors   input [1,3,64,64]; daformer_logits/features, segformer_logits/features [1,*,16,16]

Run: /usr/bin/python3 generate_mit_fixtures.py
"""
import math
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

from generate_model_fixtures import save_safetensors

WIDTH = 2
DEPTHS = [2, 2, 2, 2]
HEADS = [1, 2, 5, 8]
RATIOS = [8, 4, 2, 1]
DECODER = 8
CLASSES = 5
HERE = os.path.dirname(os.path.abspath(__file__))


class PatchEmbed(nn.Module):
    def __init__(self, cin, dim, k, s):
        super().__init__()
        self.proj = nn.Conv2d(cin, dim, k, stride=s, padding=k // 2)
        self.norm = nn.LayerNorm(dim, eps=1e-5)

    def forward(self, x):
        x = self.proj(x)
        h, w = x.shape[2:]
        return self.norm(x.flatten(2).transpose(1, 2)), h, w


class Attention(nn.Module):
    def __init__(self, dim, heads, ratio):
        super().__init__()
        self.heads = heads
        self.q = nn.Linear(dim, dim)
        self.kv = nn.Linear(dim, 2 * dim)
        self.proj = nn.Linear(dim, dim)
        self.ratio = ratio
        if ratio > 1:
            self.sr = nn.Conv2d(dim, dim, ratio, stride=ratio)
            self.norm = nn.LayerNorm(dim, eps=1e-5)

    def forward(self, x, h, w):
        b, n, c = x.shape
        d = c // self.heads
        q = self.q(x).view(b, n, self.heads, d).transpose(1, 2)
        ctx = x
        if self.ratio > 1:
            ctx = self.norm(self.sr(x.transpose(1, 2).reshape(b, c, h, w)).flatten(2).transpose(1, 2))
        kv = self.kv(ctx).view(b, -1, 2, self.heads, d)
        k = kv[:, :, 0].transpose(1, 2)
        v = kv[:, :, 1].transpose(1, 2)
        a = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(d), dim=-1)
        return self.proj((a @ v).transpose(1, 2).reshape(b, n, c))


class DWConv(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dwconv = nn.Conv2d(c, c, 3, padding=1, groups=c)

    def forward(self, x):
        return self.dwconv(x)


class MixFFN(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.dwconv = DWConv(hidden)
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x, h, w):
        x = self.fc1(x)
        b, n, c = x.shape
        x = self.dwconv(x.transpose(1, 2).reshape(b, c, h, w)).flatten(2).transpose(1, 2)
        return self.fc2(F.gelu(x))


def drop_path(x, p, training):
    """Stochastic depth (timm): in training, zeroes whole samples with probability p and scales the rest by 1/(1 - p)."""
    if p == 0.0 or not training:
        return x
    keep = 1.0 - p
    mask = (keep + torch.rand((x.shape[0],) + (1,) * (x.ndim - 1), dtype=x.dtype, device=x.device)).floor_()
    return x.div(keep) * mask


class Block(nn.Module):
    def __init__(self, dim, heads, ratio, drop_path=0.0):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = Attention(dim, heads, ratio)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = MixFFN(dim, 4 * dim)
        self.drop_path = drop_path

    def forward(self, x, h, w):
        x = x + drop_path(self.attn(self.norm1(x), h, w), self.drop_path, self.training)
        return x + drop_path(self.mlp(self.norm2(x), h, w), self.drop_path, self.training)


class MiT(nn.Module):
    """The encoder; drop-path rates rise linearly over all blocks from 0 to drop_path_rate (0 here, 0.1 in DAFormer training)."""

    def __init__(self, dims, depths=DEPTHS, drop_path_rate=0.0):
        super().__init__()
        total = sum(depths)
        rates = [drop_path_rate * k / (total - 1) if total > 1 else 0.0 for k in range(total)]
        for i in range(4):
            cin = 3 if i == 0 else dims[i - 1]
            k, s = (7, 4) if i == 0 else (3, 2)
            setattr(self, f"patch_embed{i + 1}", PatchEmbed(cin, dims[i], k, s))
            first = sum(depths[:i])
            setattr(self, f"block{i + 1}", nn.ModuleList([Block(dims[i], HEADS[i], RATIOS[i], rates[first + j]) for j in range(depths[i])]))
            setattr(self, f"norm{i + 1}", nn.LayerNorm(dims[i], eps=1e-6))

    def forward(self, x):
        outs = []
        for i in range(4):
            t, h, w = getattr(self, f"patch_embed{i + 1}")(x)
            for blk in getattr(self, f"block{i + 1}"):
                t = blk(t, h, w)
            t = getattr(self, f"norm{i + 1}")(t)
            x = t.transpose(1, 2).reshape(t.shape[0], -1, h, w)
            outs.append(x)
        return outs


class MLP(nn.Module):
    def __init__(self, cin, dim):
        super().__init__()
        self.proj = nn.Linear(cin, dim)

    def forward(self, x, size):
        b, _, h, w = x.shape
        y = self.proj(x.flatten(2).transpose(1, 2)).transpose(1, 2).reshape(b, -1, h, w)
        return y if (h, w) == tuple(size) else F.interpolate(y, size=size, mode="bilinear", align_corners=False)


class ConvModule(nn.Module):
    def __init__(self, cin, cout, k, dilation=1, groups=1):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, k, padding=0 if k == 1 else dilation * (k // 2), dilation=dilation, groups=groups, bias=False)
        self.bn = nn.BatchNorm2d(cout)

    def forward(self, x):
        return F.relu(self.bn(self.conv(x)))


class SegFormerHead(nn.Module):
    def __init__(self, dims, e, classes):
        super().__init__()
        for i in range(4):
            setattr(self, f"linear_c{i + 1}", MLP(dims[i], e))
        self.linear_fuse = ConvModule(4 * e, e, 1)
        self.dropout = nn.Dropout2d(0.1)
        self.linear_pred = nn.Conv2d(e, classes, 1)
        self.conv_seg = nn.Conv2d(e, classes, 1)  # mmseg's BaseDecodeHead classifier, unused by this head

    def forward(self, xs):
        size = xs[0].shape[2:]
        c = [getattr(self, f"linear_c{i + 1}")(xs[i], size) for i in range(4)]
        feat = self.dropout(self.linear_fuse(torch.cat(c[::-1], dim=1)))
        return self.linear_pred(feat), feat


class SepConv(nn.Module):
    def __init__(self, cin, cout, dilation):
        super().__init__()
        self.depthwise_conv = ConvModule(cin, cin, 3, dilation=dilation, groups=cin)
        self.pointwise_conv = ConvModule(cin, cout, 1)

    def forward(self, x):
        return self.pointwise_conv(self.depthwise_conv(x))


class Fusion(nn.Module):
    def __init__(self, cin, c, dilations):
        super().__init__()
        self.aspp_modules = nn.ModuleList([ConvModule(cin, c, 1) if d == 1 else SepConv(cin, c, d) for d in dilations])
        self.bottleneck = ConvModule(c * len(dilations), c, 3)

    def forward(self, x):
        return self.bottleneck(torch.cat([m(x) for m in self.aspp_modules], dim=1))


class DAFormerHead(nn.Module):
    def __init__(self, dims, e, classes):
        super().__init__()
        self.embed_layers = nn.ModuleList([MLP(d, e) for d in dims])
        self.fuse_layer = Fusion(4 * e, e, (1, 6, 12, 18))
        self.dropout = nn.Dropout2d(0.1)
        self.conv_seg = nn.Conv2d(e, classes, 1)

    def forward(self, xs):
        size = xs[0].shape[2:]
        c = [m(x, size) for m, x in zip(self.embed_layers, xs)]
        feat = self.dropout(self.fuse_layer(torch.cat(c, dim=1)))
        return self.conv_seg(feat), feat


class Segmentor(nn.Module):
    """mmseg's EncoderDecoder; the defaults are the fixtures' narrow MiT-B0 (the benchmark builds MiT-B5: width 64, depths 3/6/40/3)."""

    def __init__(self, head, width=WIDTH, depths=DEPTHS, drop_path_rate=0.0):
        super().__init__()
        self.backbone = MiT([width, 2 * width, 5 * width, 8 * width], depths, drop_path_rate)
        self.decode_head = head

    def forward(self, x):
        return self.decode_head(self.backbone(x))


def randomise(model, g):
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                fan_in = m.weight[0].numel()
                m.weight.copy_(torch.randn(m.weight.shape, generator=g) * math.sqrt(2.0 / fan_in))
                if m.bias is not None:
                    m.bias.copy_(torch.rand(m.bias.shape, generator=g) * 0.2 - 0.1)
            elif isinstance(m, (nn.LayerNorm, nn.BatchNorm2d)):
                c = m.weight.shape[0]
                m.weight.copy_(torch.rand(c, generator=g) * 0.5 + 0.75)
                m.bias.copy_(torch.rand(c, generator=g) * 0.2 - 0.1)
                if isinstance(m, nn.BatchNorm2d):
                    m.running_mean.copy_(torch.randn(c, generator=g) * 0.1)
                    m.running_var.copy_(torch.rand(c, generator=g) * 0.5 + 0.75)
                    m.num_batches_tracked.fill_(17)


def main():
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(20240517)
    dims = [WIDTH, 2 * WIDTH, 5 * WIDTH, 8 * WIDTH]
    daformer = Segmentor(DAFormerHead(dims, DECODER, CLASSES))
    randomise(daformer, g)
    segformer = Segmentor(SegFormerHead(dims, DECODER, CLASSES))
    segformer.backbone.load_state_dict(daformer.backbone.state_dict())
    randomise(segformer.decode_head, g)
    x = torch.randn(1, 3, 64, 64, generator=g)
    io = {"input": x}
    for name, model in (("daformer", daformer), ("segformer", segformer)):
        model.eval()
        with torch.no_grad():
            logits, feat = model(x)
        print(name, "logits", tuple(logits.shape), "max", logits.abs().max().item(), "features", tuple(feat.shape), "max", feat.abs().max().item())
        io[name + "_logits"] = logits
        io[name + "_features"] = feat
        state = model.state_dict()
        print(name, "entries", len(state), "values", sum(v.numel() for v in state.values()))
        torch.save(state, os.path.join(HERE, f"mit_b0_w2_{name}.pth"))
    save_safetensors(os.path.join(HERE, "mit_b0_w2_io.safetensors"), io)


if __name__ == "__main__":
    main()
