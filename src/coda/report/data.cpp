#include "coda/report/data.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <map>

#include <nlohmann/json.hpp>

#include "coda/core/error.h"

namespace coda::report {

MetricInfo metric_info(const std::string& metric) {
  static const std::map<std::string, MetricInfo> known = {
      {"accuracy", {"Accuracy", ""}},
      {"latency_s", {"Latency", "s"}},
      {"energy_j", {"Energy per inference", "J"}},
      {"power_w", {"Power", "W"}},
      {"area_mm2", {"Area", "mm²"}},
      {"tops", {"Peak throughput", "TOPS"}},
      {"macs", {"MACs", ""}},
      {"carbon_embodied_g", {"Embodied carbon", "gCO₂e"}},
      {"carbon_operational_g", {"Operational carbon", "gCO₂e"}},
      {"carbon_total_g", {"Total carbon", "gCO₂e"}},
  };
  auto it = known.find(metric);
  return it == known.end() ? MetricInfo{metric, ""} : it->second;
}

Roofline roofline(const hw::Architecture& a) {
  Roofline r;
  r.clock_hz = a.clock_mhz > 0 ? a.clock_mhz * 1e6 : 0;
  const double per = r.clock_hz > 0 ? r.clock_hz : 1;
  r.peak = 2.0 * static_cast<double>(a.compute.instances) * a.compute.ops_per_cycle * per;
  if (a.levels.empty()) return r;
  const hw::StorageLevel& l = a.levels.back();
  r.level = l.name;
  const double bytes = l.word_bits / 8.0, n = static_cast<double>(std::max<int64_t>(1, l.instances));
  const std::string inst = n > 1 ? format(" x %lld instances", static_cast<long long>(l.instances)) : "";
  const std::string unit = r.clock_hz > 0 ? format(" x %g MHz", a.clock_mhz) : " per cycle";
  if (l.read_bandwidth > 0 && l.write_bandwidth > 0) {
    r.bandwidth = (l.read_bandwidth + l.write_bandwidth) * n * bytes * per;
    r.basis = format("(read %g + write %g) words/cycle%s x %g bytes/word%s; traffic = reads + fills + updates",
                     l.read_bandwidth, l.write_bandwidth, inst.c_str(), bytes, unit.c_str());
  } else if (l.read_bandwidth > 0) {
    r.bandwidth = l.read_bandwidth * n * bytes * per;
    r.counts_writes = false;
    r.basis = format("read %g words/cycle%s x %g bytes/word%s; writes are unlimited, so traffic = reads",
                     l.read_bandwidth, inst.c_str(), bytes, unit.c_str());
  } else if (l.write_bandwidth > 0) {
    r.bandwidth = l.write_bandwidth * n * bytes * per;
    r.counts_reads = false;
    r.basis = format("write %g words/cycle%s x %g bytes/word%s; reads are unlimited, so traffic = fills + updates",
                     l.write_bandwidth, inst.c_str(), bytes, unit.c_str());
  } else {
    r.basis = l.name + " bandwidth is unlimited (read_bandwidth = write_bandwidth = 0): compute roof only; "
                       "traffic = reads + fills + updates";
  }
  return r;
}

std::vector<ComponentEnergy> component_energy(const hw::Architecture& a, const map::NetworkMapping& m) {
  std::vector<ComponentEnergy> out(1 + a.levels.size());
  out[0].name = a.compute.name.empty() ? "MAC" : a.compute.name;
  for (size_t i = 0; i < a.levels.size(); ++i) out[i + 1].name = a.levels[i].name;
  for (const map::LayerMapping& l : m.layers) {
    const map::Cost& c = l.result.cost;
    out[0].compute_pj += c.mac_energy_pj;
    for (size_t i = 0; i < c.levels.size() && i + 1 < out.size(); ++i) {
      out[i + 1].read_pj += c.levels[i].read_energy_pj;
      out[i + 1].fill_pj += c.levels[i].fill_energy_pj;
      out[i + 1].update_pj += c.levels[i].update_energy_pj;
      out[i + 1].network_pj += c.levels[i].network_energy_pj;
    }
  }
  return out;
}

std::vector<LayerRow> layer_rows(const hw::Architecture& a, const map::NetworkMapping& m, const Roofline& r) {
  std::vector<LayerRow> rows;
  const double bytes = a.levels.empty() ? 1 : a.levels.back().word_bits / 8.0;
  for (const map::LayerMapping& l : m.layers) {
    const map::Cost& c = l.result.cost;
    LayerRow row;
    row.name = l.name;
    row.macs = c.macs;
    row.cycles = c.cycles;
    row.latency_s = r.clock_hz > 0 ? static_cast<double>(c.cycles) / r.clock_hz : 0;
    row.energy_pj = c.energy_pj;
    row.shared = l.cached;
    row.energy_pj_by_component.push_back(c.mac_energy_pj);
    for (const map::LevelCost& lc : c.levels) row.energy_pj_by_component.push_back(lc.energy_pj);
    if (!c.levels.empty()) {
      const map::LevelCost& outer = c.levels.back();
      const double words = (r.counts_reads ? static_cast<double>(outer.reads()) : 0) +
                           (r.counts_writes ? static_cast<double>(outer.fills() + outer.updates()) : 0);
      row.outer_bytes = words * bytes;
    }
    const double ops = 2.0 * static_cast<double>(c.macs);
    row.intensity = row.outer_bytes > 0 ? ops / row.outer_bytes : INFINITY;
    const double seconds = r.clock_hz > 0 ? static_cast<double>(c.cycles) / r.clock_hz : static_cast<double>(c.cycles);
    row.performance = seconds > 0 ? ops / seconds : 0;
    rows.push_back(std::move(row));
  }
  return rows;
}

std::vector<std::pair<std::string, std::string>> config_knobs(const std::string& config_json) {
  std::vector<std::pair<std::string, std::string>> out;
  nlohmann::ordered_json j = nlohmann::ordered_json::parse(config_json, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return out;
  for (auto it = j.begin(); it != j.end(); ++it)
    out.emplace_back(it.key(), it->is_string() ? it->get<std::string>() : it->dump());
  return out;
}

namespace {

std::string knob(const std::vector<std::pair<std::string, std::string>>& knobs, const std::string& name) {
  for (const auto& [k, v] : knobs)
    if (k == name) return v;
  return "";
}

// Position of `value` among the spec's values of knob `name` (values not in the spec go last, by text).
struct KnobOrder {
  const dse::ExploreSpec* spec;
  size_t rank(const std::string& name, const std::string& value) const {
    if (spec)
      for (const dse::Knob& k : spec->knobs)
        if (k.name == name) {
          auto it = std::find(k.values.begin(), k.values.end(), value);
          if (it != k.values.end()) return static_cast<size_t>(it - k.values.begin());
        }
    return 1000;
  }
};

std::string now_utc() {
  std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buf;
}

std::vector<std::vector<double>> objective_values(const std::vector<dse::PointRecord>& pts,
                                                  const std::vector<dse::MetricObjective>& objectives) {
  std::vector<std::vector<double>> v;
  for (const dse::PointRecord& p : pts) {
    std::vector<double> row;
    for (const dse::MetricObjective& o : objectives) row.push_back(p.metrics.at(o.metric));
    v.push_back(std::move(row));
  }
  return v;
}

std::vector<std::string> differences(const dse::PointRecord& stored, const dse::PointRecord& again) {
  std::vector<std::string> out;
  for (const auto& [name, v] : stored.metrics) {
    auto it = again.metrics.find(name);
    if (it == again.metrics.end()) continue;
    const double w = it->second;
    if (std::isnan(v) && std::isnan(w)) continue;
    if (std::fabs(v - w) > 1e-9 * std::max(std::fabs(v), std::fabs(w)))
      out.push_back(format("%s: stored %.6g, re-evaluated %.6g", name.c_str(), v, w));
  }
  if (stored.status != again.status)
    out.push_back("status: stored " + stored.status + ", re-evaluated " + again.status +
                  (again.reason.empty() ? "" : " (" + again.reason + ")"));
  return out;
}

}  // namespace

std::string knob_kind(const std::string& name, const dse::ExploreSpec* spec) {
  const std::string base = name.substr(0, name.find('.'));
  const bool precision = base == "format" || base == "method";
  if (spec)
    for (const dse::Knob& k : spec->knobs)
      if (k.name == name) return k.hardware ? "hardware" : precision ? "precision" : "pruning";
  if (precision) return "precision";
  if (base == "keep" || base == "layers" || base == "heads") return "pruning";
  return "hardware";
}

namespace {

struct Label {
  std::string text;
  std::vector<size_t> order;  // spec ranks of the knob values, for sorting
};

void label_variant(const std::string& config_json, const dse::ExploreSpec* spec, Label& var, Label& prec) {
  const KnobOrder order{spec};
  const auto knobs = config_knobs(config_json);
  const bool fp32 = knob(knobs, "format") == "fp32";
  for (const auto& [name, value] : knobs) {
    const std::string kind = knob_kind(name, spec);
    if (kind == "hardware") continue;
    Label& l = kind == "pruning" ? var : prec;
    if (name == "method" && fp32) continue;  // fp32 runs no quantization method
    std::string part = kind == "pruning" ? name + " " + value
                       : name.find('.') == std::string::npos ? value
                                                              : name.substr(name.find('.') + 1) + ": " + value;
    l.text += (l.text.empty() ? "" : kind == "pruning" ? ", " : name == "method" ? " " : " · ") + part;
    l.order.push_back(order.rank(name, value));
  }
  if (var.text.empty()) var.text = "unpruned";
  if (prec.text.empty()) prec.text = "fp32";
}

}  // namespace

std::pair<std::string, std::string> accuracy_labels(const std::string& config_json, const dse::ExploreSpec* spec) {
  Label var, prec;
  label_variant(config_json, spec, var, prec);
  return {var.text, prec.text};
}

std::optional<AccuracyTable> accuracy_table(const std::vector<dse::PointRecord>& points, const dse::ExploreSpec* spec) {
  std::map<std::pair<std::string, std::string>, std::vector<double>> values;  // (variant, precision) -> values
  std::map<std::string, std::vector<size_t>> variant_order, precision_order;
  for (const dse::PointRecord& p : points) {
    auto it = p.metrics.find("accuracy");
    if (it == p.metrics.end() || std::isnan(it->second)) continue;
    Label var, prec;
    label_variant(p.config_json, spec, var, prec);
    variant_order[var.text] = var.order;
    precision_order[prec.text] = prec.order;
    values[{var.text, prec.text}].push_back(it->second);
  }
  if (values.empty()) return std::nullopt;
  AccuracyTable t;
  auto sorted = [](const std::map<std::string, std::vector<size_t>>& m) {
    std::vector<std::pair<std::vector<size_t>, std::string>> v;
    for (const auto& [text, ord] : m) v.emplace_back(ord, text);
    std::sort(v.begin(), v.end());
    std::vector<std::string> out;
    for (auto& e : v) out.push_back(e.second);
    return out;
  };
  t.variants = sorted(variant_order);
  t.precisions = sorted(precision_order);
  for (const std::string& v : t.variants) {
    std::vector<AccuracyCell> row;
    for (const std::string& p : t.precisions) {
      AccuracyCell c;
      auto it = values.find({v, p});
      if (it != values.end()) {
        c.points = it->second.size();
        c.min = *std::min_element(it->second.begin(), it->second.end());
        c.max = *std::max_element(it->second.begin(), it->second.end());
        c.value = it->second.front();
      }
      row.push_back(c);
    }
    t.cells.push_back(std::move(row));
  }
  return t;
}

ReportData collect(const dse::Store& db, const ReportOptions& o) {
  ReportData d;
  d.database = db.path();
  d.generated = o.generated.empty() ? now_utc() : o.generated;
  d.points = db.all();
  if (d.points.empty()) throw InvalidError(db.path(), "the database holds no points (run `coda explore --db` first)");
  for (const dse::PointRecord& p : d.points) {
    (p.status == "ok" ? d.ok : p.status == "infeasible" ? d.infeasible : d.errors)++;
    if (std::isfinite(p.seconds)) d.evaluation_seconds += p.seconds;
  }
  d.spec_path = db.meta("spec_path").value_or("");
  try {
    d.spec = dse::spec_of_store(db);
    d.model = d.spec->model;
    d.hw_template = d.spec->hw_template;
    for (const dse::Knob& k : d.spec->knobs) d.knobs.push_back(k.name);
  } catch (const Error& e) {
    d.notes.push_back(std::string("no design-space spec: ") + e.what());
  }
  if (d.knobs.empty())
    for (const auto& [k, v] : config_knobs(d.points.front().config_json)) d.knobs.push_back(k);

  if (auto m = db.meta("objectives")) {
    d.objectives = dse::parse_objectives(*m, db.path() + ": meta objectives");
    size_t lacking = 0;
    d.front = dse::pareto_points(d.points, d.objectives, &lacking);
    if (lacking) d.notes.push_back(format("%zu ok points lack an objective metric and are left out of the front", lacking));
    if (!d.front.empty()) {
      std::vector<dse::Sense> senses;
      for (const dse::MetricObjective& ob : d.objectives) senses.push_back(ob.sense);
      std::vector<size_t> ranking = dse::ideal_point_ranking(objective_values(d.front, d.objectives), senses);
      d.front_rank.assign(d.front.size(), 0);
      for (size_t r = 0; r < ranking.size(); ++r) d.front_rank[ranking[r]] = r;
    }
  } else {
    d.notes.push_back("the database names no objectives (meta 'objectives'): no Pareto front");
  }

  if (!o.point.empty()) {
    d.chosen = db.get(o.point);
    if (!d.chosen)
      throw InvalidError("--point", "'" + o.point + "' is not a point of " + db.path() + " (`coda results " + db.path() +
                                        "` lists the keys)");
    d.chosen_by = "chosen with --point";
  } else if (!d.front.empty()) {
    size_t best = std::find(d.front_rank.begin(), d.front_rank.end(), 0) - d.front_rank.begin();
    d.chosen = d.front[best];
    d.chosen_by = "the ideal-point choice of the front (SeQTO: closest to the ideal point after min-max normalising each objective over the front)";
  } else {
    for (const dse::PointRecord& p : d.points)
      if (p.status == "ok") {
        d.chosen = p;
        d.chosen_by = "the first ok point (there is no Pareto front)";
        break;
      }
    if (!d.chosen) d.point_note = "no ok point to detail; pass --point KEY to detail an infeasible one";
  }

  d.accuracy = accuracy_table(d.points, d.spec ? &*d.spec : nullptr);

  if (d.chosen && !o.reevaluate) d.point_note = "re-evaluation switched off";
  if (d.chosen && o.reevaluate) {
    if (!d.spec) {
      d.point_note = "the database holds no design-space spec to re-evaluate the point from";
    } else {
      try {
        dse::PointEvaluator ev(*d.spec, o.threads);
        for (const dse::PointRecord& p : d.points) ev.remember(p);  // accuracy comes from the store
        PointReport pr;
        pr.detail = ev.detail(dse::point_of_key(*d.spec, d.chosen->key), o.threads);
        pr.roofline = roofline(pr.detail.arch);
        pr.components = component_energy(pr.detail.arch, pr.detail.mapping);
        pr.layers = layer_rows(pr.detail.arch, pr.detail.mapping, pr.roofline);
        pr.differences = differences(*d.chosen, pr.detail.record);
        d.point = std::move(pr);
      } catch (const Error& e) {
        d.point_note = std::string("the point could not be re-evaluated: ") + e.what();
      }
    }
  }
  return d;
}

}  // namespace coda::report
