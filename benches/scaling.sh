#!/usr/bin/env bash
# Usage: benches/scaling.sh PATH/TO/ganscope PEERS_DIR [PYTHON]
# `ganscope bench --width W --batch M` against the JAX peer (scan variant, GAN_HIDDEN=W
# GAN_BATCH=M) for W in {32, 64, 128, 256} × M in {128, 1024}, alternated on core 1, one
# thread each; prints a Markdown table (it/s, the ratio, ganscope's GFLOP/s and its share of
# the core's multiply-add peak, which `bench` measures).
set -euo pipefail
bin=$1; peers=$2; py=${3:-$HOME/.cache/ganscope-peers/bin/python}
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
echo "| W | m | ganscope it/s | JAX scan it/s | ratio | ganscope GFLOP/s | share of peak |"
echo "|---|---|---|---|---|---|---|"
for w in 32 64 128 256; do
  for m in 128 1024; do
    # About the same work per run at every size: 5 000 iterations at W = 32, m = 128.
    work=$(( w * w * m / (32 * 32 * 128) ))
    iters=$(( 5000 / work )); iters=$(( iters < 100 ? 100 : iters / 100 * 100 ))
    g=$(taskset -c 1 "$bin" bench --width "$w" --batch "$m" --iters "$iters" --warmup 20 --repeat 3)
    rate=$(grep -oE 'median [0-9]+' <<<"$g" | grep -oE '[0-9]+')
    gflops=$(grep -oE '\(([0-9.]+) and' <<<"$g" | grep -oE '[0-9.]+')
    share=$(grep -oE '[0-9]+ % of it' <<<"$g" | grep -oE '^[0-9]+')
    j=$(cd "$peers" && GAN_HIDDEN=$w GAN_BATCH=$m taskset -c 1 "$py" gan_jax.py --threads 1 \
        --variant scan --seed 1 --iters "$iters" --warmup 100 2>/dev/null | sed -n 's/^RESULT //p' |
        "$py" -c 'import sys,json; print(round(json.load(sys.stdin)["it_per_s"]))')
    ratio=$("$py" -c "print(f'{$rate / $j:.2f}x')")
    echo "| $w | $m | $rate | $j | $ratio | $gflops | $share % |"
  done
done
