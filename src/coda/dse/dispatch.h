// dse::Dispatcher: spreads the batches of a search over MPI ranks (explore() uses it under mpirun).
//
// Rank 0's main thread runs the Dispatcher; it evaluates nothing itself. The evaluating is done by
// workers: a thread of rank 0 with its own PointEvaluator, and every other rank (serve()). For each
// batch the dispatcher cuts the points into units (dynamic scheduling, largest first: one unit per
// accuracy variant not measured yet, then one per point), hands a unit to every worker that reports
// idle, and stores the records as they arrive.
//
// A worker that finds no unit left waits for the next batch (measuring ahead on idle workers was
// tried and taken out; docs/explore.md gives the figures). Results are those of one process: an
// accuracy is the same whoever measures it, and the optimizer sees whole batches.
//
//   Dispatcher d(spec, mpi::world(), ev, threads);            // on rank 0; the others run serve()
//   std::vector<PointRecord> recs = d.run(points, [&](auto& rs) { store.put_many(rs); });
//   DispatchStats st = d.finish();
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "coda/core/thread_pool.h"
#include "coda/dse/evaluator.h"
#include "coda/dse/mpi_world.h"
#include "coda/dse/space.h"

namespace coda::dse {

// Evaluates points on this process's threads (one mapping thread per point when there are several),
// after preparing their variants on the calling thread.
std::vector<PointRecord> evaluate_points(PointEvaluator& ev, ThreadPool& pool, const std::vector<Point>& pts, int threads);

struct DispatchStats {
  size_t evaluated = 0;   // points evaluated by the workers
  size_t measured = 0;    // accuracy measurements over all workers
  double busy = 0;        // fraction of the time from the first batch to the end that workers were given work
};

class Dispatcher {
 public:
  // Starts rank 0's worker thread. `ev` is rank 0's evaluator for the main thread (variant keys and
  // the known accuracies; it builds no variant); the worker thread has one of its own.
  Dispatcher(const ExploreSpec& s, mpi::World& w, PointEvaluator& ev, int threads);
  ~Dispatcher();  // stops the workers if finish() was not called (an error on rank 0)
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  // Evaluates a batch over all workers; `store` gets the records as they arrive. Records in batch order.
  std::vector<PointRecord> run(const std::vector<Point>& pts, const std::function<void(const std::vector<PointRecord>&)>& store);
  // Stops every worker and gathers their counts.
  DispatchStats finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A worker rank's part (rank != 0): serves rank 0's dispatcher until it says stop. Returns the
// points this rank evaluated.
size_t serve(mpi::World& w, PointEvaluator& ev, ThreadPool& pool, int threads);

}  // namespace coda::dse
