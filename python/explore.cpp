// coda.explore and coda.results: design-space exploration into a results store (dse/explore.h) and
// reading a store back (dse/store.h), as `coda explore` and `coda results`.
#include <Python.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <set>

#include "coda/core/error.h"
#include "coda/dse/explore.h"
#include "coda/hw/components.h"
#include "coda_py.h"

namespace coda::py {

using namespace pybind11::literals;

namespace {

pyb::object config_of(const std::string& text) {
  try {
    return json_loads(text);
  } catch (const pyb::error_already_set&) {
    return pyb::str(text);  // a configuration that is not JSON stays text
  }
}

pyb::dict point_dict(const dse::PointRecord& p) {
  return pyb::dict("seq"_a = p.seq, "key"_a = p.key, "status"_a = p.status, "reason"_a = p.reason, "seconds"_a = p.seconds,
                   "metrics"_a = p.metrics, "config"_a = config_of(p.config_json));
}

pyb::dict explore(const pyb::object& spec, const std::optional<std::string>& yaml, const pyb::object& base_dir,
                  const pyb::object& db, int64_t budget, int threads, const pyb::object& progress) {
  if (budget < 0) throw InvalidError("budget", format("%lld is negative", (long long)budget));
  if (threads < 0) throw InvalidError("threads", format("%d is negative", threads));
  if (!progress.is_none() && !PyCallable_Check(progress.ptr())) throw pyb::type_error("progress: expected a callable");
  dse::ExploreSpec s;
  std::string where;
  if (yaml) {
    if (!spec.is_none()) throw InvalidError("explore", "give a spec file or yaml=, not both");
    where = "yaml";
    s = dse::parse_spec(*yaml, where, base_dir.is_none() ? "." : path_arg(base_dir, "base_dir"));
  } else {
    where = spec.is_none() ? (std::filesystem::path(hw::data_dir()).parent_path() / "examples" / "demo.yaml").string()
                           : path_arg(spec, "spec");
    s = dse::load_spec(where);
  }
  dse::ExploreOptions o;
  o.db = path_arg(db, "db");
  o.budget = static_cast<size_t>(budget);
  o.threads = threads;
  std::atomic<bool> stop{false};
  o.stop = &stop;
  std::optional<pyb::error_already_set> raised;  // from the callback or Ctrl-C; re-raised at the end
  // Called on this thread after every point: runs Python's signal handlers (Ctrl-C raises
  // KeyboardInterrupt) and the caller's callback; an exception stops the run after the point.
  o.progress = [&](const dse::ExploreProgress& p) {
    pyb::gil_scoped_acquire gil;
    if (raised) return;
    try {
      if (PyErr_CheckSignals() != 0) throw pyb::error_already_set();
      if (!progress.is_none()) {
        pyb::object last = p.last ? pyb::object(point_dict(*p.last)) : pyb::object(pyb::none());
        progress(pyb::dict("done"_a = p.done, "budget"_a = p.budget, "evaluated"_a = p.evaluated, "reused"_a = p.reused,
                           "seconds"_a = p.seconds, "last"_a = last));
      }
    } catch (pyb::error_already_set& e) {
      raised.emplace(std::move(e));
      stop.store(true);
    }
  };
  dse::ExploreResult r;
  {
    pyb::gil_scoped_release nogil;
    r = dse::explore(s, o);
  }
  if (raised) throw *raised;
  pyb::list front;
  for (const auto& p : r.front) front.append(point_dict(p));
  return pyb::dict("spec"_a = where, "db"_a = o.db, "objectives"_a = dse::objectives_text(s), "evaluated"_a = r.evaluated,
                   "reused"_a = r.reused, "infeasible"_a = r.infeasible, "stopped"_a = r.stopped, "seconds"_a = r.seconds,
                   "front"_a = front);
}

pyb::list results(const pyb::object& db_arg, bool pareto, const std::optional<std::string>& objectives_arg) {
  const std::string path = path_arg(db_arg, "db");
  std::vector<dse::PointRecord> points;
  std::vector<dse::MetricObjective> objectives;
  std::string where;
  {
    dse::Store db(path, dse::Store::Open::existing);
    if (objectives_arg) {
      where = "objectives";
      objectives = dse::parse_objectives(*objectives_arg, where);
    } else if (std::optional<std::string> m = db.meta("objectives")) {
      where = path + ": meta objectives";
      objectives = dse::parse_objectives(*m, where);
    }
    points = db.all();
  }
  if (pareto) {
    if (objectives.empty())
      throw InvalidError(path, "pareto=True needs objectives: the database has no 'objectives' meta; give objectives=, "
                               "e.g. \"accuracy:max,latency_s:min\"");
    std::set<std::string> known;
    for (const dse::PointRecord& p : points)
      for (const auto& m : p.metrics) known.insert(m.first);
    if (!points.empty())
      for (const dse::MetricObjective& ob : objectives)
        if (!known.count(ob.metric)) {
          std::string list;
          for (const std::string& k : known) list += (list.empty() ? "" : ", ") + k;
          throw InvalidError(where, "objective '" + ob.metric + "' is not a metric of any point in " + path +
                                        " (metrics: " + (list.empty() ? "none" : list) + ")");
        }
    points = dse::pareto_points(points, objectives);
    // Best first on the first objective, ties in insertion order (as `coda results --pareto`).
    const dse::MetricObjective& first = objectives.front();
    std::stable_sort(points.begin(), points.end(), [&](const dse::PointRecord& a, const dse::PointRecord& b) {
      double x = a.metrics.at(first.metric), y = b.metrics.at(first.metric);
      return first.sense == dse::Sense::Maximize ? x > y : x < y;
    });
  }
  pyb::list out;
  for (const auto& p : points) out.append(point_dict(p));
  return out;
}

}  // namespace

void register_explore(pyb::module_& m) {
  m.def("explore", &explore, "spec"_a = pyb::none(), "yaml"_a = pyb::none(), "base_dir"_a = pyb::none(), "db"_a = "results.db",
        "budget"_a = 0, "threads"_a = 0, "progress"_a = pyb::none(),
        R"doc(Searches a design space for its Pareto front, as `coda explore` (docs/explore.md).

spec: a spec YAML file (default: the built-in demo, examples/demo.yaml), or yaml: the spec's text
(its paths relative to base_dir, default "."). db: the SQLite results store; every point is stored as
soon as it is evaluated, and rerunning with the same spec and db resumes. budget: points in all
(0: the spec's). threads: 0 = all cores. progress: a callable given a dict {done, budget, evaluated,
reused, seconds, last (the point just finished)} after every point; an exception it raises (or
Ctrl-C) stops the run after the current point and is re-raised (the store keeps every finished point).
Returns {spec, db, objectives, evaluated, reused, infeasible, stopped, seconds, front: [points]} where
a point is {seq, key, status, reason, seconds, metrics, config}. Releases the GIL.)doc");
  m.def("results", &results, "db"_a, "pareto"_a = false, "objectives"_a = pyb::none(),
        R"doc(The points of a results store (what coda.explore / `coda explore --db` writes), as `coda results`.

Returns a list of {seq, key, status ("ok", "infeasible", "error"), reason, seconds, metrics,
config}, in insertion order. pareto=True keeps the ok points on the Pareto front of the objectives
(objectives="accuracy:max,latency_s:min", default: the store's), best first on the first objective.
The database is opened without being created or changed.)doc");
}

}  // namespace coda::py
