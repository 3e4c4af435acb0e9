"""Maintainers' measurement: nothing here is imported by the lesson notebooks' library.

- `python -m helpers.bench`: throughput benchmark (below).
- `python -m helpers.bench.memory`: real GPU peaks against the `helpers.memory` estimate.
- `python -m helpers.bench.experiment`: the seeded trade-off behind notebooks 05 and 08
  (notebooks 05 and 08 read its committed results through `load_results` / `outputs`).
- `python -m helpers.bench.course`: runs the lesson notebooks headless.

Throughput and memory benchmark of the kit's training path against TRL's SFTTrainer.

    python -m helpers.bench --grid cpu            # micro model on this CPU (minutes)
    python -m helpers.bench --grid gpu            # micro + real architectures, random weights
    python -m helpers.bench --grid cpu --quick    # CI-sized (< ~1 min)

Each case trains in a fresh process (peak memory is per run) and reports non-pad tokens/s, step
time, peak memory and MFU; the kit's rows are also given as ratios to TRL's SFTTrainer on the
same model, data, batch, sequence length and device. Results: data/results/bench/.

Modules: grid (what is run), flops (FLOPs/token, peak TFLOPS, MFU), measure (timing callback,
token counter, memory), runner (one case), results_file (schema, JSON + markdown), ddp (DDP equivalence check).
"""
