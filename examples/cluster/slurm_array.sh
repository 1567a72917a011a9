#!/bin/bash
# A Slurm array job that explores one design space in N shards, one per array task, then merges them.
#   sbatch --array=0-7 examples/cluster/slurm_array.sh examples/sweep.yaml     # 8 shards
#   # when all tasks are done (or as a dependent job: sbatch --dependency=afterok:<jobid> ...):
#   coda merge results.db results/shard_*.db
# A shard evaluates the proposals i with i mod N == I of a grid, random or sobol search (the proposals
# of those do not depend on results), so the shards together evaluate exactly the points of one run.
# A task that is killed or preempted resumes where it stopped when resubmitted: every point is stored
# as soon as it is evaluated (docs/results_store.md).
#SBATCH --job-name=coda-explore
#SBATCH --cpus-per-task=4
#SBATCH --mem=8G
#SBATCH --time=02:00:00
#SBATCH --output=results/shard_%a.log
set -euo pipefail
SPEC=${1:?usage: sbatch --array=0-(N-1) slurm_array.sh SPEC.yaml}
N=${SLURM_ARRAY_TASK_COUNT:?run as an array job}
I=${SLURM_ARRAY_TASK_ID:?run as an array job}
mkdir -p results
exec coda explore "$SPEC" --shard "$I/$N" --db "results/shard_$I.db" --threads "${SLURM_CPUS_PER_TASK:-1}"
