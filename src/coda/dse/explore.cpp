#include "coda/dse/explore.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cmath>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

#include "coda/carbon/carbon.h"
#include "coda/core/error.h"
#include "coda/core/thread_pool.h"
#include "coda/exec/executor.h"
#include "coda/graph/prune.h"
#include "coda/hw/templates.h"
#include "coda/map/network.h"
#include "coda/onnx/import.h"
#include "coda/quant/evaluate.h"
#include "coda/quant/ptq.h"
#include "coda/quant/study.h"
#include "coda/workload/extract.h"
#include "coda/zoo/zoo.h"

namespace coda::dse {

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

graph::Graph load_model(const std::string& spec) {
  graph::Graph g = spec.rfind("zoo:", 0) == 0 ? zoo::build_spec(spec) : onnx::import_file(spec);
  exec::prepare(g);
  return g;
}

// Evaluates design points; caches accuracy per precision variant and mappings per hardware point.
class PointEvaluator {
 public:
  PointEvaluator(const ExploreSpec& s, int threads) : s_(s), threads_(threads) {
    model_ = load_model(s.model);
    eo_.dataset = s.dataset;
    eo_.limit = s.eval_limit;
    eo_.threads = threads;
    auto enc = model_.metadata().find("coda.encoder");
    if (enc != model_.metadata().end() && s.model.rfind("zoo:", 0) != 0)
      eo_.encoder = load_model((std::filesystem::path(s.model).parent_path() / enc->second).string());
    carbon_ = carbon::preset(s.carbon_preset).options;
    // Accuracy is measured only when an objective or constraint uses it (a hardware-only search of a
    // zoo model has no dataset).
    for (const auto& o : s.objectives) needs_accuracy_ |= o.metric == "accuracy";
    for (const auto& c : s.constraints) needs_accuracy_ |= c.metric == "accuracy";
  }

  // Seeds the accuracy cache from stored points (their precision knobs and accuracy).
  void remember(const std::map<std::string, std::string>& knobs, const PointRecord& r) {
    auto it = r.metrics.find("accuracy");
    if (r.status == "ok" || it != r.metrics.end())
      if (it != r.metrics.end()) accuracy_[precision_key(knobs)] = it->second;
  }

  // The per-variant work a point needs (pruned model, its layers, its accuracy), done on the calling
  // thread with all threads; afterwards evaluate() of such points may run concurrently.
  void prepare(const Point& p) {
    const auto knobs = knob_values(s_, p);
    try {
      variant(knobs);
      if (needs_accuracy_) accuracy(knobs);
    } catch (const Error&) {  // evaluate() records it
    }
  }

  // `mapper_threads`: threads of each layer's mapping search (1 when points run in parallel).
  PointRecord evaluate(const Point& p, int mapper_threads) {
    const auto t0 = std::chrono::steady_clock::now();
    PointRecord r;
    r.key = point_key(s_, p);
    r.config_json = point_json(s_, p);
    const auto knobs = knob_values(s_, p);
    try {
      hardware(knobs, r, mapper_threads);
      if (needs_accuracy_) r.metrics["accuracy"] = accuracy(knobs);
      std::string why;
      for (const Constraint& c : s_.constraints) {
        auto it = r.metrics.find(c.metric);
        if (it == r.metrics.end()) continue;
        if (it->second > c.max) why += format("%s%s %.6g > %.6g", why.empty() ? "" : "; ", c.metric.c_str(), it->second, c.max);
        if (it->second < c.min) why += format("%s%s %.6g < %.6g", why.empty() ? "" : "; ", c.metric.c_str(), it->second, c.min);
      }
      if (!why.empty()) {
        r.status = "infeasible";
        r.reason = why;
      }
    } catch (const Error& e) {  // e.g. a layer no mapping fits: stored with the reason, the run goes on
      r.status = "infeasible";
      r.reason = e.what();
    }
    r.seconds = seconds_since(t0);
    return r;
  }

 private:
  static std::string keep_of(const std::map<std::string, std::string>& knobs) {
    auto k = knobs.find("keep");
    auto l = knobs.find("layers");
    return (k == knobs.end() ? "1" : k->second) + (l == knobs.end() ? "" : "/layers=" + l->second);
  }
  static std::string precision_key(const std::map<std::string, std::string>& knobs) {
    auto f = knobs.find("format");
    auto m = knobs.find("method");
    return "keep=" + keep_of(knobs) + "/" + (f == knobs.end() ? "fp32" : f->second) + "/" + (m == knobs.end() ? "rtn" : m->second);
  }

  // The model variant of a pruning fraction, and its layers, built once.
  struct Variant {
    graph::Graph graph;
    std::vector<workload::LayerWork> layers;
    std::optional<quant::Calibration> calib;
  };
  Variant& variant(const std::map<std::string, std::string>& knobs) {
    std::lock_guard<std::recursive_mutex> lock(mu_);  // a lookup once prepare() has run
    const std::string keep = keep_of(knobs);
    auto it = variants_.find(keep);
    if (it != variants_.end()) return it->second;
    Variant v;
    auto k = knobs.find("keep");
    auto l = knobs.find("layers");
    v.graph = l == knobs.end() ? model_ : graph::drop_layers(model_, std::strtol(l->second.c_str(), nullptr, 10));
    if (k != knobs.end()) v.graph = graph::prune_channels(v.graph, std::strtod(k->second.c_str(), nullptr));
    exec::prepare(v.graph);
    graph::Graph one = v.graph;  // costs are per inference of one sample
    exec::specialize(one, 1);
    v.layers = workload::extract(one);
    return variants_.emplace(keep, std::move(v)).first->second;
  }

  double accuracy(const std::map<std::string, std::string>& knobs) {
    std::lock_guard<std::recursive_mutex> lock(mu_);  // a lookup once prepare() has run
    const std::string key = precision_key(knobs);
    auto it = accuracy_.find(key);
    if (it != accuracy_.end()) return it->second;
    auto f = knobs.find("format");
    Variant& var = variant(knobs);
    double v;
    if (f == knobs.end() || f->second == "fp32") {
      v = quant::evaluate(var.graph, eo_).value;
    } else {
      if (!var.calib) var.calib = quant::calibration_inputs(var.graph, eo_, s_.calib);
      const quant::Calibration& calib = *var.calib;
      quant::StudyOptions so;
      so.formats = {f->second};
      auto m = knobs.find("method");
      so.methods = {m == knobs.end() ? std::string("rtn") : m->second};
      quant::PtqOptions base;
      base.threads = threads_;
      if (quant::model_task(model_) == "reconstruction" && calib.images.defined())
        base.importance = quant::esca_importance_map(calib.images);
      quant::PtqResult q = quant::quantize_model(var.graph, calib, quant::ptq_options(quant::study_configs(so).at(0), base));
      v = quant::evaluate(q.graph, eo_).value;
    }
    accuracy_[key] = v;
    return v;
  }

  void hardware(const std::map<std::string, std::string>& knobs, PointRecord& r, int mapper_threads) {
    std::string spec = s_.hw_template + "?";
    std::map<std::string, std::string> params = s_.hw_fixed;
    for (const Knob& k : s_.knobs)
      if (k.hardware) params[k.name] = knobs.at(k.name);
    for (const auto& [k, v] : params) spec += k + "=" + v + "&";
    spec.pop_back();
    hw::Architecture a = hw::build_template(spec);
    map::MapperOptions mo = s_.mapper;
    mo.threads = mapper_threads;
    mo.seed = s_.seed;
    map::NetworkMapping n = map::map_network(variant(knobs).layers, a, mo);
    const double f_hz = a.clock_mhz * 1e6;
    r.metrics["macs"] = static_cast<double>(n.macs);
    r.metrics["latency_s"] = f_hz > 0 ? static_cast<double>(n.cycles) / f_hz : NAN;
    r.metrics["energy_j"] = n.energy_pj * 1e-12;
    r.metrics["power_w"] = n.cycles > 0 && f_hz > 0 ? r.metrics["energy_j"] / r.metrics["latency_s"] : NAN;
    r.metrics["area_mm2"] = n.area_um2 * 1e-6;
    r.metrics["tops"] = 2.0 * static_cast<double>(a.compute.instances) * a.compute.ops_per_cycle * f_hz / 1e12;
    carbon::CarbonEstimate c = carbon::estimate(n.area_um2 * 1e-6, n.energy_pj, carbon_);
    r.metrics["carbon_embodied_g"] = c.embodied_g;
    r.metrics["carbon_operational_g"] = c.operational_g;
    r.metrics["carbon_total_g"] = c.total_g;
  }

  const ExploreSpec& s_;
  int threads_;
  graph::Graph model_;
  quant::EvalOptions eo_;
  carbon::CarbonOptions carbon_;
  std::map<std::string, Variant> variants_;
  bool needs_accuracy_ = false;
  std::recursive_mutex mu_;
  std::map<std::string, double> accuracy_;
};

// The optimizer's view of a stored point: objectives minimized, constraint values (<= 0 feasible).
Outcome outcome_of(const ExploreSpec& s, const PointRecord& r) {
  Outcome o;
  if (r.status == "error" || r.metrics.empty()) {
    o.failed = true;
    return o;
  }
  for (const auto& obj : s.objectives) {
    auto it = r.metrics.find(obj.metric);
    if (it == r.metrics.end() || std::isnan(it->second)) {
      o.failed = true;
      return o;
    }
    o.objectives.push_back(obj.sense == Sense::Maximize ? -it->second : it->second);
  }
  for (const Constraint& c : s.constraints) {
    auto it = r.metrics.find(c.metric);
    if (it == r.metrics.end()) {
      o.failed = true;
      return o;
    }
    const double scale = std::max(1e-12, std::fabs(std::isfinite(c.max) ? c.max : c.min));
    double v = 0;
    if (std::isfinite(c.max)) v = std::max(v, (it->second - c.max) / scale);
    if (std::isfinite(c.min)) v = std::max(v, (c.min - it->second) / scale);
    o.constraints.push_back(v);
  }
  return o;
}

}  // namespace

ExploreResult explore(const ExploreSpec& s, const ExploreOptions& o) {
  const auto t0 = std::chrono::steady_clock::now();
  Store store(o.db);
  // The database belongs to one design space: its spec's knobs must match.
  std::string space;
  for (const Knob& k : s.knobs) {
    space += k.name + "=";
    for (const auto& v : k.values) space += v + ",";
    space += ";";
  }
  space += "|model=" + s.model + "|template=" + s.hw_template;
  if (auto m = store.meta("space"); m && *m != space)
    throw InvalidError(o.db, "the database holds another design space (" + *m + "); use a new --db");
  store.set_meta("space", space);
  store.set_meta("objectives", objectives_text(s));

  PointEvaluator ev(s, o.threads);
  auto opt = make_optimizer(s.optimizer, variables(s), s.seed, {});
  const size_t budget = o.budget ? o.budget : s.budget;
  ExploreResult res;
  // Resume by retracing: the optimizer is deterministic for a seed, so asking and telling again from
  // the start proposes the same points in the same batches; stored points are told their stored
  // outcome instead of being evaluated. A resumed run therefore ends with exactly the points of an
  // uninterrupted one. The stored accuracies seed the per-variant cache.
  for (const PointRecord& r : store.all()) {
    try {
      ev.remember(knob_values(s, point_of_key(s, r.key)), r);
    } catch (const InvalidError&) {
    }
  }
  // Points of a batch that are not stored yet are evaluated in parallel, one mapping thread each
  // (each point maps every layer: enough work per task); results are stored and told in batch order.
  ThreadPool pool(o.threads);
  size_t done = 0;
  while (done < budget && !opt->done() && !res.stopped) {
    std::vector<Point> ask = opt->ask(std::min(s.batch, budget - done));
    if (ask.empty()) break;
    if (o.stop && o.stop->load()) {
      res.stopped = true;
      break;
    }
    std::vector<std::optional<PointRecord>> recs(ask.size());
    std::vector<size_t> todo;
    for (size_t i = 0; i < ask.size(); ++i) {
      recs[i] = store.get(point_key(s, ask[i]));
      if (!recs[i]) {
        ev.prepare(ask[i]);
        todo.push_back(i);
      }
    }
    const int mapper_threads = todo.size() > 1 ? 1 : o.threads;
    pool.parallel_for(0, static_cast<int64_t>(todo.size()), 1, [&](int64_t lo, int64_t hi) {
      for (int64_t k = lo; k < hi; ++k) recs[todo[static_cast<size_t>(k)]] = ev.evaluate(ask[todo[static_cast<size_t>(k)]], mapper_threads);
    });
    std::vector<PointRecord> fresh;
    for (size_t i : todo) fresh.push_back(*recs[i]);
    store.put_many(fresh);
    std::vector<Outcome> outs;
    for (size_t i = 0; i < ask.size(); ++i) {
      const bool evaluated = std::find(todo.begin(), todo.end(), i) != todo.end();
      if (evaluated) {
        ++res.evaluated;
        res.infeasible += recs[i]->status != "ok";
      } else {
        ++res.reused;
      }
      ++done;
      outs.push_back(outcome_of(s, *recs[i]));
      if (o.progress) {
        ExploreProgress pr;
        pr.done = done, pr.budget = budget, pr.evaluated = res.evaluated, pr.reused = res.reused;
        pr.seconds = seconds_since(t0);
        pr.last = &*recs[i];
        o.progress(pr);
      }
    }
    opt->tell(ask, outs);
  }
  res.front = pareto_points(store.all(), s.objectives);
  res.seconds = seconds_since(t0);
  return res;
}

}  // namespace coda::dse
