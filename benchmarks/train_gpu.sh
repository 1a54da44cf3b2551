#!/bin/bash
# On a lent GPU machine (JAX, no TensorFlow), from the repository root, with .gpu/ carried (benchmarks/train_gpu.py prepare,
# reference): the mirror checked against nst_nb on the GPU first (nothing trains if it differs), then two longer trainings of the shipped network side by side,
# each for SECONDS: (a) the recipe it was trained with (128 px crops, batch 4), (b) larger crops and batches (256 px, 8).
# Every file lands in $OUT: check.log, a.npz/a.log, b.npz/b.log, env.txt. Then, here: train_gpu.py import $OUT/a.npz -o ...
SECONDS_EACH=${1:-390}
export PYTHONUNBUFFERED=1 XLA_PYTHON_CLIENT_MEM_FRACTION=0.25
cd benchmarks
{ nvidia-smi -L; nproc; python3 -c "import jax, optax; print('jax', jax.__version__, 'optax', optax.__version__, jax.devices())"; } > $OUT/env.txt 2>&1
cat $OUT/env.txt
timeout 300 python3 gpu_mirror.py check ../.gpu/course.npz ../.gpu/reference.npz > $OUT/check.log 2>&1 || { tail -n 30 $OUT/check.log; exit 1; }
python3 gpu_mirror.py train ../.gpu/course.npz -o $OUT/a.npz --seconds $SECONDS_EACH --batch 4 --size 128 --lr 2e-3 --final-lr 2e-4 --every 45 > $OUT/a.log 2>&1 &
python3 gpu_mirror.py train ../.gpu/course.npz -o $OUT/b.npz --seconds $SECONDS_EACH --batch 8 --size 256 --lr 1e-3 --final-lr 1e-4 --every 45 > $OUT/b.log 2>&1 &
wait
for f in check a b; do echo "== $f"; tail -n 6 $OUT/$f.log; done
