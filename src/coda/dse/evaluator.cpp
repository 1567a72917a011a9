#include "coda/dse/evaluator.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <optional>

#include "coda/core/error.h"
#include "coda/core/memory.h"
#include "coda/exec/executor.h"
#include "coda/graph/prune.h"
#include "coda/hw/templates.h"
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

std::string knob_or(const std::map<std::string, std::string>& knobs, const std::string& name, const std::string& otherwise) {
  auto it = knobs.find(name);
  return it == knobs.end() ? otherwise : it->second;
}

// The model variant of a point: its pruning knobs.
std::string pruned_key(const std::map<std::string, std::string>& knobs) {
  return "keep=" + knob_or(knobs, "keep", "1") + "/heads=" + knob_or(knobs, "heads", "1") + "/layers=" + knob_or(knobs, "layers", "all");
}

// The accuracy variant of a point: pruning and every precision knob.
std::string precision_key(const std::map<std::string, std::string>& knobs) {
  std::string k = pruned_key(knobs) + "/" + knob_or(knobs, "format", "fp32") + "/" + knob_or(knobs, "method", "rtn");
  for (const auto& [name, v] : knobs)
    if (name.rfind("format.", 0) == 0) k += "/" + name + "=" + v;
  return k;
}

}  // namespace

struct PointEvaluator::Impl {
  // The model variant of a pruning choice, and its layers, built once.
  struct Variant {
    graph::Graph graph;
    std::vector<workload::LayerWork> layers;
    std::optional<quant::Calibration> calib;
  };

  const ExploreSpec& s;
  int threads;
  graph::Graph model;
  quant::EvalOptions eo;
  carbon::CarbonOptions carbon;
  std::map<std::string, Variant> variants;
  bool needs_accuracy = false;
  bool derive_precision = false;  // the template has a MAC `precision` (edge-npu): set from the point's formats
  std::recursive_mutex mu;
  std::map<std::string, double> accuracy_cache;
  size_t measured = 0;  // accuracies measured (not taken from the cache)

  Impl(const ExploreSpec& spec, int t) : s(spec), threads(t) {
    model = load_model(s.model);
    eo.dataset = s.dataset;
    eo.limit = s.eval_limit;
    eo.threads = threads;
    auto enc = model.metadata().find("coda.encoder");
    if (enc != model.metadata().end() && s.model.rfind("zoo:", 0) != 0)
      eo.encoder = load_model((std::filesystem::path(s.model).parent_path() / enc->second).string());
    carbon = carbon::preset(s.carbon_preset).options;
    // Each pruning variant holds its own weights: refuse a space whose variants cannot all fit.
    uint64_t model_bytes = 0, variants_count = 1;
    for (size_t v = 0; v < model.num_values(); ++v)
      if (model.value(static_cast<graph::ValueId>(v)).is_constant()) model_bytes += model.value(static_cast<graph::ValueId>(v)).constant->nbytes();
    for (const Knob& k : s.knobs)
      if (k.name == "keep" || k.name == "heads" || k.name == "layers") variants_count *= k.values.size();
    check_fits(model_bytes * variants_count, format("%s: %llu model variants of %s", s.where.c_str(), static_cast<unsigned long long>(variants_count),
                                                     format_bytes(model_bytes).c_str()));
    // Accuracy is measured only when an objective or constraint uses it (a hardware-only search of a
    // zoo model has no dataset).
    for (const auto& o : s.objectives) needs_accuracy |= o.metric == "accuracy";
    for (const auto& c : s.constraints) needs_accuracy |= c.metric == "accuracy";
    const auto tp = hw::template_parameters(s.hw_template);
    derive_precision = std::find(tp.begin(), tp.end(), "precision") != tp.end();
    // Every precision group must name some quantizable layer of the model.
    if (!s.groups.empty()) {
      const std::vector<std::string> names = quant::quantizable_layers(model);
      for (const PrecisionGroup& pg : s.groups) {
        bool any = false;
        for (const auto& n : names) any |= n.find(pg.match) != std::string::npos;
        if (!any) throw InvalidError(s.where, "precision group '" + pg.name + "' (match '" + pg.match + "') matches no quantizable layer of " + s.model);
      }
    }
  }

  Variant& variant(const std::map<std::string, std::string>& knobs) {
    std::lock_guard<std::recursive_mutex> lock(mu);  // a lookup once prepare() has run
    const std::string key = pruned_key(knobs);
    auto it = variants.find(key);
    if (it != variants.end()) return it->second;
    Variant v;
    auto k = knobs.find("keep");
    auto h = knobs.find("heads");
    auto l = knobs.find("layers");
    v.graph = l == knobs.end() ? model : graph::drop_layers(model, std::strtol(l->second.c_str(), nullptr, 10));
    if (h != knobs.end()) v.graph = graph::prune_heads(v.graph, std::strtod(h->second.c_str(), nullptr));
    if (k != knobs.end()) v.graph = graph::prune_channels(v.graph, std::strtod(k->second.c_str(), nullptr));
    exec::prepare(v.graph);
    graph::Graph one = v.graph;  // costs are per inference of one sample
    exec::specialize(one, 1);
    v.layers = workload::extract(one);
    return variants.emplace(key, std::move(v)).first->second;
  }

  double accuracy(const std::map<std::string, std::string>& knobs) {
    std::lock_guard<std::recursive_mutex> lock(mu);  // a lookup once prepare() has run
    const std::string key = precision_key(knobs);
    auto it = accuracy_cache.find(key);
    if (it != accuracy_cache.end()) return it->second;
    Variant& var = variant(knobs);
    const quant::EvalOptions& eo = this->eo;
    const std::string network = knob_or(knobs, "format", s.groups.empty() ? "fp32" : "");
    bool quantized = network != "fp32" && !network.empty();
    for (const PrecisionGroup& pg : s.groups) quantized |= knobs.at("format." + pg.name) != "fp32";
    double v;
    if (!quantized) {
      v = quant::evaluate(var.graph, eo).value;
    } else {
      if (!var.calib) var.calib = quant::calibration_inputs(var.graph, eo, s.calib);
      const quant::Calibration& calib = *var.calib;
      const std::string method = knob_or(knobs, "method", "rtn");
      auto config = [&](const std::string& fmt) {
        quant::StudyOptions so;
        so.formats = {fmt};
        so.methods = {method};
        return quant::study_configs(so).at(0);
      };
      quant::PtqOptions base;
      base.threads = threads;
      if (quant::model_task(model) == "reconstruction" && calib.images.defined())
        base.importance = quant::esca_importance_map(calib.images);
      // The network's format (W8A8's settings when only groups are given: every layer is then set below).
      quant::PtqOptions o = quant::ptq_options(config(network.empty() || network == "fp32" ? "W8A8" : network), base);
      if (!s.groups.empty()) {
        for (const std::string& layer : quant::quantizable_layers(var.graph)) {
          std::string fmt = network.empty() ? "fp32" : network;
          for (const PrecisionGroup& pg : s.groups)
            if (layer.find(pg.match) != std::string::npos) {
              fmt = knobs.at("format." + pg.name);
              break;
            }
          quant::LayerSetting ls;
          if (fmt == "fp32") {
            ls.skip = true;
          } else {
            const quant::PtqOptions lo = quant::ptq_options(config(fmt), base);
            ls.weights = lo.weights;
            ls.acts = lo.acts;
            ls.float_acts = !lo.acts.has_value();
          }
          o.layers[layer] = ls;
        }
      }
      quant::PtqResult q = quant::quantize_model(var.graph, calib, o);
      v = quant::evaluate(q.graph, eo).value;
    }
    accuracy_cache[key] = v;
    ++measured;
    return v;
  }

  // The MAC mode ("INT8", "INT4") that runs every integer format of the point (the network's and its
  // groups'): the widest they need. Empty when the point has no format or one that is not integer
  // (fp32, MXFP4): the template's own precision then stays.
  std::string mac_mode(const std::map<std::string, std::string>& knobs) const {
    int bits = 0;
    bool any = false;
    for (const auto& [name, v] : knobs) {
      if (name != "format" && name.rfind("format.", 0) != 0) continue;
      const int b = quant::format_mac_bits(v);
      if (b == 0) return "";
      bits = std::max(bits, b);
      any = true;
    }
    return any ? format("INT%d", bits) : "";
  }

  // Maps the variant on the point's hardware; fills the hardware and carbon metrics (and `d`, if given).
  void hardware(const std::map<std::string, std::string>& knobs, PointRecord& r, int mapper_threads, PointDetail* d) {
    std::string spec = s.hw_template + "?";
    std::map<std::string, std::string> params = s.hw_fixed;
    for (const Knob& k : s.knobs)
      if (k.hardware) params[k.name] = knobs.at(k.name);
    if (derive_precision && !params.count("precision"))
      if (const std::string mode = mac_mode(knobs); !mode.empty()) params["precision"] = mode;
    for (const auto& [k, v] : params) spec += k + "=" + v + "&";
    spec.pop_back();
    hw::Architecture a = hw::build_template(spec);
    map::MapperOptions mo = s.mapper;
    mo.threads = mapper_threads;
    mo.seed = s.seed;
    map::NetworkMapping n = map::map_network(variant(knobs).layers, a, mo);
    const double f_hz = a.clock_mhz * 1e6;
    r.metrics["macs"] = static_cast<double>(n.macs);
    r.metrics["latency_s"] = f_hz > 0 ? static_cast<double>(n.cycles) / f_hz : NAN;
    r.metrics["energy_j"] = n.energy_pj * 1e-12;
    r.metrics["power_w"] = n.cycles > 0 && f_hz > 0 ? r.metrics["energy_j"] / r.metrics["latency_s"] : NAN;
    r.metrics["area_mm2"] = n.area_um2 * 1e-6;
    r.metrics["tops"] = 2.0 * static_cast<double>(a.compute.instances) * a.compute.ops_per_cycle * f_hz / 1e12;
    carbon::CarbonEstimate c = carbon::estimate(n.area_um2 * 1e-6, n.energy_pj, carbon);
    r.metrics["carbon_embodied_g"] = c.embodied_g;
    r.metrics["carbon_operational_g"] = c.operational_g;
    r.metrics["carbon_total_g"] = c.total_g;
    if (d) {
      d->arch_spec = spec;
      d->arch = std::move(a);
      d->mapping = std::move(n);
      d->carbon = c;
    }
  }

  PointRecord evaluate(const Point& p, int mapper_threads, PointDetail* d) {
    const auto t0 = std::chrono::steady_clock::now();
    PointRecord r;
    r.key = point_key(s, p);
    r.config_json = point_json(s, p);
    const auto knobs = knob_values(s, p);
    if (d) d->knobs = knobs;
    try {
      hardware(knobs, r, mapper_threads, d);
      if (needs_accuracy) r.metrics["accuracy"] = accuracy(knobs);
      std::string why;
      for (const Constraint& c : s.constraints) {
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
      if (d) throw;
      r.status = "infeasible";
      r.reason = e.what();
    }
    r.seconds = seconds_since(t0);
    return r;
  }
};

PointEvaluator::PointEvaluator(const ExploreSpec& s, int threads) : impl_(std::make_unique<Impl>(s, threads)) {}
PointEvaluator::~PointEvaluator() = default;

void PointEvaluator::remember(const PointRecord& r) {
  std::map<std::string, std::string> knobs;
  try {
    knobs = knob_values(impl_->s, point_of_key(impl_->s, r.key));
  } catch (const InvalidError&) {
    return;
  }
  auto it = r.metrics.find("accuracy");
  if (it != r.metrics.end()) impl_->accuracy_cache[precision_key(knobs)] = it->second;
}

void PointEvaluator::prepare(const Point& p) {
  const auto knobs = knob_values(impl_->s, p);
  try {
    impl_->variant(knobs);
    if (impl_->needs_accuracy) impl_->accuracy(knobs);
  } catch (const Error&) {  // evaluate() records it
  }
}

bool PointEvaluator::needs_accuracy() const { return impl_->needs_accuracy; }

std::string PointEvaluator::accuracy_key(const Point& p) const { return precision_key(knob_values(impl_->s, p)); }
std::string PointEvaluator::variant_key(const Point& p) const { return pruned_key(knob_values(impl_->s, p)); }

std::optional<double> PointEvaluator::cached_accuracy(const Point& p) const {
  std::lock_guard<std::recursive_mutex> lock(impl_->mu);
  auto it = impl_->accuracy_cache.find(accuracy_key(p));
  if (it == impl_->accuracy_cache.end()) return std::nullopt;
  return it->second;
}

void PointEvaluator::set_accuracy(const Point& p, double accuracy) {
  std::lock_guard<std::recursive_mutex> lock(impl_->mu);
  impl_->accuracy_cache[accuracy_key(p)] = accuracy;
}

size_t PointEvaluator::accuracies_measured() const {
  std::lock_guard<std::recursive_mutex> lock(impl_->mu);
  return impl_->measured;
}

PointRecord PointEvaluator::evaluate(const Point& p, int mapper_threads) { return impl_->evaluate(p, mapper_threads, nullptr); }

PointDetail PointEvaluator::detail(const Point& p, int mapper_threads) {
  PointDetail d;
  d.record = impl_->evaluate(p, mapper_threads, &d);
  return d;
}

ExploreSpec spec_of_store(const Store& db) {
  auto yaml = db.meta("spec_yaml");
  auto dir = db.meta("spec_dir");
  auto where = db.meta("spec_path");
  if (!yaml || !dir)
    throw InvalidError(db.path(), "the database holds no design-space spec (it was not written by `coda explore`)");
  return parse_spec(*yaml, where ? *where : db.path() + ": meta spec_yaml", *dir);
}

}  // namespace coda::dse
