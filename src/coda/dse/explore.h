// The explorer: asks the optimizer for design points, evaluates each (accuracy of the precision
// variant on the test set, every layer mapped on the hardware point, carbon), stores every point in the
// results store as soon as it is evaluated, and tells the optimizer. Restarting with the same spec and
// database resumes: the deterministic optimizer retraces its proposals, stored points are told their
// stored outcome and never evaluated again, so the run ends with exactly the points of an
// uninterrupted one.
//
//   ExploreSpec s = load_spec("examples/demo.yaml");
//   ExploreOptions o;  o.db = "results.db";
//   ExploreResult r = explore(s, o);      // r.front: the feasible Pareto points
#pragma once
#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "coda/dse/space.h"
#include "coda/dse/store.h"

namespace coda::dse {

struct ExploreProgress {
  size_t done = 0, budget = 0;       // points evaluated or reused so far, of the budget
  size_t evaluated = 0, reused = 0;  // evaluated in this run / found in the store
  double seconds = 0;                // since the start of this run
  const PointRecord* last = nullptr; // the point just finished
};

struct ExploreOptions {
  std::string db = "results.db";
  size_t budget = 0;   // 0: the spec's
  int threads = 0;     // mapper and executor threads (0: all cores)
  std::function<void(const ExploreProgress&)> progress;
  const std::atomic<bool>* stop = nullptr;  // set (e.g. by SIGINT) to stop after the current batch
  // Batch systems: evaluate only proposals i with i mod shard_count == shard_index (grid, random and
  // sobol only: their proposals do not depend on results); `coda merge` joins the shards' databases.
  int shard_index = 0, shard_count = 1;
  // Under an MPI launcher (mpi::launched()), spread each batch over the ranks: rank 0 drives the
  // optimizer, evaluates its share and stores every point; the other ranks evaluate theirs. Every rank
  // calls explore() with the same spec and options.
  bool mpi = false;
};

struct ExploreResult {
  size_t evaluated = 0, reused = 0, infeasible = 0;
  bool stopped = false;
  double seconds = 0;
  std::vector<PointRecord> front;    // feasible, non-dominated in the spec's objectives
  int ranks = 1;                     // MPI ranks that evaluated
  size_t measured = 0;               // accuracy measurements (one per model variant the run needed, on all ranks)
  double busy = 0;                   // MPI: fraction of the run the evaluating workers had work (dispatch.h)
  bool worker = false;               // this process was an MPI worker rank (it stored nothing)
};

// "I/N" -> index, count (InvalidError "--shard" otherwise).
void parse_shard(const std::string& text, int& index, int& count);
// Whether an optimizer's proposals are independent of results (so a space can be sharded).
bool shardable(const std::string& optimizer);

ExploreResult explore(const ExploreSpec& s, const ExploreOptions& o);

}  // namespace coda::dse
