#!/usr/bin/env bash
# Runs the DiGA.Core benchmarks (BenchmarkDotNet) and the PyTorch reference (reference/bench_reference.py) with the same
# thread count, operation by operation (each in its own process, the two sides interleaved), and writes a markdown
# table with the ratio DiGA.Core / PyTorch for each operation. The DeepLabV2-R101 iterations and the whole-model rows run last; results are
# merged from whatever finished, so an interrupted run can be merged with merge_results.py.
#
# Usage: tests/DiGA.Core.Benchmarks/run-side-by-side.sh [threads] [--quick] [--ops name-or-prefix,...]
#   threads   intra-op threads for both sides (default: the number of processors)
#   --quick   1 warm-up and 2 measured runs per operation (smoke test; the numbers are not meaningful)
#   --ops     only the operations whose names start with one of the given prefixes (e.g. --ops ce,ohem,copy)
# Environment:
#   BENCH_OUT      output folder (default: artifacts/benchmarks under the repository root)
#   PYTHON         a Python 3 with PyTorch (default: python3, else /usr/bin/python3)
#   REFERENCE_LD_LIBRARY_PATH  prepended to LD_LIBRARY_PATH for the PyTorch side only (e.g. to select a BLAS)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
threads="$(nproc)"
quick=""
ops=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) quick="--quick" ;;
    --ops) ops="$2"; shift ;;
    *) threads="$1" ;;
  esac
  shift
done

out="${BENCH_OUT:-$root/artifacts/benchmarks}"
python="${PYTHON:-python3}"
if ! "$python" -c 'import torch' 2>/dev/null; then python=/usr/bin/python3; fi

echo "== build"
dotnet build -c Release "$here/DiGA.Core.Benchmarks.csproj" -nologo -v q -clp:ErrorsOnly
dll="$here/bin/Release/net10.0/DiGA.Core.Benchmarks.dll"

rm -rf "$out"
mkdir -p "$out/dotnet" "$out/pytorch"

echo "== synthetic data"
dotnet "$dll" write-synthetic "$out/synthetic" 400

selected() {
  [[ -z "$ops" ]] && return 0
  local prefix
  IFS=',' read -ra prefixes <<< "$ops"
  for prefix in "${prefixes[@]}"; do [[ "$1" == "$prefix"* ]] && return 0; done
  return 1
}

run_python() {
  LD_LIBRARY_PATH="${REFERENCE_LD_LIBRARY_PATH:+$REFERENCE_LD_LIBRARY_PATH:}${LD_LIBRARY_PATH:-}" \
    "$python" "$here/reference/bench_reference.py" --threads "$threads" $quick --data-root "$out/synthetic" \
    --ops "$1" --out "$out/pytorch/$1.json"
}

run_dotnet() {
  local log="$out/dotnet/$1.log"
  if ! dotnet "$dll" --threads "$threads" $quick --data-root "$out/synthetic" --rss-out "$out/dotnet/$1.rss" \
      --filter "$2" --artifacts "$out/dotnet/$1" --exporters json > "$log" 2>&1; then
    echo "DiGA.Core benchmark $1 failed, see $log" >&2
    tail -20 "$log" >&2
    exit 1
  fi
  grep -E "^\| $1 " "$log" || true
}

echo "== benchmarks ($threads threads${quick:+, quick})"
uptime
while read -r op method; do
  selected "$op" || continue
  run_python "$op"
  run_dotnet "$op" "$method"
done < <(dotnet "$dll" list-ops | awk '/\.r101 |^model\./ { heavy[++n] = $0; next } { print } END { for (i = 1; i <= n; i++) print heavy[i] }')
uptime

echo "== results"
"$python" "$here/merge_results.py" --pytorch "$out/pytorch" --dotnet "$out/dotnet" --threads "$threads" ${quick:+--quick} \
  --out "$out/side-by-side.md" --json "$out/side-by-side.json"
cat "$out/side-by-side.md"
