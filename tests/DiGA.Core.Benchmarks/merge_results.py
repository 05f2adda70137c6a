#!/usr/bin/env python3
"""Merges the PyTorch reference timings and the BenchmarkDotNet results into one side-by-side markdown table.

Inputs: a folder of JSON files written by reference/bench_reference.py (one per operation) and a folder with, per
operation <op>, the BenchmarkDotNet artifacts folder <op>/results/*-report-full.json and the peak RSS in <op>.rss.
"""

import argparse
import glob
import json
import os
import platform
import subprocess

# Operations whose DiGA.Core benchmark runs several units of work per invocation.
DOTNET_UNITS_PER_INVOCATION = {'loader.synthetic-gta5-disk': 10}

# Loss kernels and the copy of the same bytes they are compared with.
BANDWIDTH_BASELINES = {'symkd.fwd-bwd': 'copy.logits-x4', 'ce.fwd-bwd': 'copy.logits-x1', 'ohem.fwd-bwd': 'copy.logits-x1'}

# Table order.
ORDER = ['baseline.empty', 'symkd.fwd-bwd', 'ce.fwd-bwd', 'ohem.fwd-bwd', 'resize.logits.fwd-bwd', 'resize.decoder.fwd-bwd', 'copy.logits-x1', 'copy.logits-x4', 'classmix.mask', 'classmix.warmup-mix',
         'classmix.selftraining-mix', 'photo.reference-p', 'photo.all-ops', 'selection.dynamic', 'centroids.online-update',
         'ema.deeplabv2-r101', 'iteration.warmup.r101', 'iteration.selftraining.r101', 'iteration.warmup.compact',
         'iteration.selftraining.compact', 'model.mit-b5-daformer.fwd-bwd', 'model.mit-b5-segformer.fwd-bwd',
         'loader.synthetic-gta5-disk']

# Targets for the ratio DiGA.Core / PyTorch (lower is better).
HOST_LOOP_OPS = ('classmix.', 'centroids.')

# Target for the peak-RSS ratio DiGA.Core / PyTorch: every operation but the runtime baseline (which measures the runtimes).
RSS_TARGET = 1.2
BASELINE_OP = 'baseline.empty'


def load_pytorch(folder):
    results, meta = {}, {}
    for path in sorted(glob.glob(os.path.join(folder, '*.json'))):
        with open(path) as f:
            doc = json.load(f)
        meta = {k: v for k, v in doc.items() if k != 'results'}
        for r in doc['results']:
            results[r['op']] = r
    return results, meta


def load_dotnet(folder):
    results, meta = {}, {}
    for path in sorted(glob.glob(os.path.join(folder, '*', 'results', '*-report-full.json'))):
        op_dir = os.path.relpath(path, folder).split(os.sep)[0]
        with open(path) as f:
            doc = json.load(f)
        meta = doc.get('HostEnvironmentInfo', {})
        for b in doc['Benchmarks']:
            op = b['MethodTitle']
            if op != op_dir:
                continue
            units = DOTNET_UNITS_PER_INVOCATION.get(op, 1)
            stats = b['Statistics']
            entry = {
                'op': op,
                'median_ms': stats['Median'] / 1e6 / units,
                'min_ms': stats['Min'] / 1e6 / units,
                'runs': stats['N'],
                'allocated_bytes': (b.get('Memory') or {}).get('BytesAllocatedPerOperation'),
            }
            rss = os.path.join(folder, op + '.rss')
            if os.path.exists(rss):
                with open(rss) as f:
                    entry['peak_rss_mb'] = float(f.read().strip())
            results[op] = entry
    return results, meta


def fmt_ms(v):
    if v is None:
        return 'n/a'
    if v >= 1000:
        return f'{v / 1000:.2f} s'
    if v >= 10:
        return f'{v:.1f} ms'
    return f'{v:.2f} ms'


def target_for(op):
    if op.startswith('copy.') or op == BASELINE_OP:
        return None
    if op.startswith('loader.'):
        return None
    if op.startswith(HOST_LOOP_OPS):
        return 0.5
    return 1.0


def rss_target_for(op):
    return None if op == BASELINE_OP else RSS_TARGET


def machine():
    info = {'cores': os.cpu_count(), 'os': platform.platform()}
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    info['cpu'] = line.split(':', 1)[1].strip()
                    break
        with open('/proc/meminfo') as f:
            info['ram_gib'] = round(int(f.readline().split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    try:
        info['dotnet'] = subprocess.run(['dotnet', '--version'], capture_output=True, text=True).stdout.strip()
    except OSError:
        pass
    return info


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument('--pytorch', required=True)
    ap.add_argument('--dotnet', required=True)
    ap.add_argument('--threads', type=int, required=True)
    ap.add_argument('--quick', action='store_true')
    ap.add_argument('--out', required=True)
    ap.add_argument('--json')
    args = ap.parse_args()

    py, py_meta = load_pytorch(args.pytorch)
    dn, dn_meta = load_dotnet(args.dotnet)
    ops = [op for op in ORDER if op in dn or op in py] + sorted(op for op in set(dn) | set(py) if op not in ORDER)

    lines = []
    m = machine()
    lines.append(f"Machine: {m.get('cpu', 'unknown CPU')}, {m['cores']} cores, {m.get('ram_gib', '?')} GiB RAM, {m['os']}; "
                 f".NET SDK {m.get('dotnet', '?')}, {dn_meta.get('RuntimeVersion', '')}; PyTorch {py_meta.get('torch', '?')} "
                 f"(BLAS: {py_meta.get('blas', '?')}); {args.threads} threads on both sides"
                 + (' — QUICK RUN, numbers not meaningful' if args.quick else '') + '.')
    lines.append('')
    lines.append('| Operation | Size | DiGA.Core median | PyTorch median | Ratio | Target | Peak RSS DiGA.Core / PyTorch |')
    lines.append('|---|---|---:|---:|---:|---:|---:|')
    merged = []
    for op in ops:
        d, p = dn.get(op), py.get(op)
        dm = d['median_ms'] if d else None
        pm = p['median_ms'] if p else None
        ratio = dm / pm if dm and pm else None
        target = target_for(op)
        ok = '' if ratio is None or target is None else (' ✓' if ratio <= target else ' ✗')
        rss = f"{d.get('peak_rss_mb', float('nan')) if d else float('nan'):.0f} / {p.get('peak_rss_mb', float('nan')) if p else float('nan'):.0f} MB"
        rss_target = rss_target_for(op)
        if rss_target is not None and d and p and d.get('peak_rss_mb') and p.get('peak_rss_mb'):
            rss_ratio = d['peak_rss_mb'] / p['peak_rss_mb']
            rss += f" = {rss_ratio:.2f}{' ✓' if rss_ratio <= rss_target else ' ✗'} (≤ {rss_target})"
        size = (p or {}).get('size', '')
        lines.append(f"| {op} | {size} | {fmt_ms(dm)} | {fmt_ms(pm)} | {'n/a' if ratio is None else f'{ratio:.2f}'}{ok} | "
                     f"{'–' if target is None else f'≤ {target}'} | {rss} |")
        merged.append({'op': op, 'size': size, 'dotnet': d, 'pytorch': p, 'ratio': ratio, 'target': target})

    # Bandwidth share of the loss kernels (when any of them ran).
    if any(op in side for op in BANDWIDTH_BASELINES for side in (dn, py)):
        lines.append('')
        lines.append('Loss kernels, achieved bandwidth as a share of a plain copy (`clone`) of the same input bytes, measured in the same run '
                     '(share = copy time / kernel time; forward + backward):')
        lines.append('')
        lines.append('| Kernel | Copy baseline | DiGA.Core share | PyTorch share |')
        lines.append('|---|---|---:|---:|')
        for op, base in BANDWIDTH_BASELINES.items():
            def share(side):
                if op in side and base in side:
                    return f"{side[base]['median_ms'] / side[op]['median_ms']:.2f}"
                return 'n/a'
            lines.append(f'| {op} | {base} | {share(dn)} | {share(py)} |')

    # Loader against the training step.
    loader = 'loader.synthetic-gta5-disk'
    step = 'iteration.warmup.compact'
    if loader in dn or loader in py:
        lines.append('')
        lines.append('Loader throughput against the compact warm-up iteration, which consumes 2·B images (a source and a target batch, '
                     'B = 8 at 128×256):')
        lines.append('')
        lines.append('| Side | Loader images/s | Training consumes images/s | Headroom |')
        lines.append('|---|---:|---:|---:|')
        for name, side in (('DiGA.Core', dn), ('PyTorch', py)):
            if loader not in side:
                continue
            ips = 8 * 1000.0 / side[loader]['median_ms']
            if step in side:
                need = 2 * 8 * 1000.0 / side[step]['median_ms']
                lines.append(f'| {name} | {ips:.0f} | {need:.1f} | {ips / need:.1f}× |')
            else:
                lines.append(f'| {name} | {ips:.0f} | n/a | n/a |')

    text = '\n'.join(lines) + '\n'
    with open(args.out, 'w') as f:
        f.write(text)
    if args.json:
        with open(args.json, 'w') as f:
            json.dump({'machine': m, 'threads': args.threads, 'quick': args.quick, 'pytorch_meta': py_meta, 'results': merged}, f, indent=2)


if __name__ == '__main__':
    main()
