// Sections 2 (the chosen point: knobs, metrics, per-layer cost, energy by component and action, carbon)
// and 3 (its roofline).
#include <algorithm>
#include <cmath>
#include <set>

#include "coda/carbon/carbon.h"
#include "coda/core/error.h"
#include "coda/report/format.h"
#include "coda/report/html_parts.h"
#include "coda/report/svg.h"

namespace coda::report::detail {

namespace {

std::string kpi(const std::string& label, const std::string& value, bool objective) {
  return std::string("<div class=\"kpi") + (objective ? " obj\" title=\"an objective of the search" : "") +
         "\"><div class=\"v\">" + html_escape(value) +
         "</div><div class=\"l\">" + html_escape(label) + "</div></div>";
}

std::string kpis(const ReportData& d, const dse::PointRecord& p) {
  std::string s = "<div class=\"kpis\">";
  std::set<std::string> done;
  for (const dse::MetricObjective& o : d.objectives) {
    auto it = p.metrics.find(o.metric);
    if (it == p.metrics.end()) continue;
    s += kpi(metric_info(o.metric).label + (o.sense == dse::Sense::Maximize ? " ↑" : " ↓"),
             metric_text(o.metric, it->second), true);
    done.insert(o.metric);
  }
  for (const char* m : {"accuracy", "latency_s", "energy_j", "power_w", "area_mm2", "tops", "carbon_total_g"}) {
    auto it = p.metrics.find(m);
    if (it == p.metrics.end() || done.count(m)) continue;
    s += kpi(metric_info(m).label, metric_text(m, it->second), false);
  }
  return s + "</div>";
}

std::string knob_and_metric_tables(const ReportData& d, const dse::PointRecord& p) {
  std::vector<std::vector<std::string>> knobs;
  for (const auto& [k, v] : config_knobs(p.config_json)) {
    const std::string kind = knob_kind(k, d.spec ? &*d.spec : nullptr);
    knobs.push_back({html_escape(k), code(v), "<span class=\"muted\">" + kind + "</span>"});
  }
  if (d.point) knobs.push_back({"architecture", code(d.point->detail.arch_spec), "<span class=\"muted\">built</span>"});
  std::vector<std::vector<std::string>> metrics;
  for (const auto& [name, v] : p.metrics) {
    std::string again = "–";
    if (d.point) {
      auto it = d.point->detail.record.metrics.find(name);
      if (it != d.point->detail.record.metrics.end()) again = metric_text(name, it->second);
    }
    metrics.push_back({html_escape(metric_info(name).label) + " <span class=\"muted\">" + html_escape(name) + "</span>",
                       html_escape(metric_text(name, v)), html_escape(again)});
  }
  return "<div class=\"grid2\"><div><h3>Knobs</h3>" + table({"knob", "value", "kind"}, knobs, {false, false, false}) +
         "</div><div><h3>Metrics</h3>" + table({"metric", "stored", "re-evaluated"}, metrics, {false, true, true}) + "</div></div>";
}

std::string layer_charts(const PointReport& pr) {
  const auto& layers = pr.layers;
  const bool clock = pr.roofline.clock_hz > 0;
  double max_lat = 0, max_e = 0;
  for (const LayerRow& l : layers) {
    max_lat = std::max(max_lat, clock ? l.latency_s : static_cast<double>(l.cycles));
    max_e = std::max(max_e, l.energy_pj * 1e-12);
  }
  const Unit tu = clock ? pick_unit(max_lat, "s") : Unit{1, "cycles"};
  const Unit eu = pick_unit(max_e, "J");
  const double rh = layers.size() > 40 ? 15 : 18;
  svg::BarChart lat;
  lat.id = "layer-latency";
  lat.title = "Latency per layer";
  lat.subtitle = clock ? format("cycles / %g MHz; layers run one after another", pr.roofline.clock_hz / 1e6) : "cycles (no clock)";
  lat.x = svg::axis("Latency", tu.name);
  lat.segments = {""};
  lat.colors = {kFront};
  lat.row_height = rh;
  lat.label_width = 200;
  lat.top = 66;  // as the energy chart, whose legend needs it: the rows line up
  svg::BarChart en = lat;
  en.id = "layer-energy";
  en.title = "Energy per layer, by component";
  en.subtitle = "all actions of each storage level, and the MACs";
  en.x = svg::axis("Energy", eu.name);
  en.segments.clear();
  for (const ComponentEnergy& c : pr.components) en.segments.push_back(c.name);
  en.colors = kComponentColors;
  for (const LayerRow& l : layers) {
    std::string tip = format("%s MACs, %lld cycles", with_unit(static_cast<double>(l.macs), "", 4).c_str(), static_cast<long long>(l.cycles));
    if (l.shared) tip += "\nsame shape as an earlier layer: its mapping is reused";
    lat.rows.push_back({l.name, {(clock ? l.latency_s : static_cast<double>(l.cycles)) / tu.factor}, tip, false});
    std::vector<double> parts;
    for (double e : l.energy_pj_by_component) parts.push_back(e * 1e-12 / eu.factor);
    en.rows.push_back({l.name, parts, tip, false});
  }
  return "<div class=\"grid2\">" + figure(svg::bar_chart(lat)) + figure(svg::bar_chart(en)) + "</div>";
}

std::string component_section(const PointReport& pr) {
  double total = 0, max_c = 0;
  for (const ComponentEnergy& c : pr.components) {
    total += c.total_pj();
    max_c = std::max(max_c, c.total_pj());
  }
  const Unit u = pick_unit(max_c * 1e-12, "J");
  auto v = [&](double pj) { return pj * 1e-12 / u.factor; };
  svg::BarChart b;
  b.id = "component-energy";
  b.title = "Energy by component and action";
  b.subtitle = "summed over the layers";
  b.x = svg::axis("Energy", u.name);
  b.segments = {"read", "fill", "update", "network", "compute"};
  b.colors = kActionColors;
  b.row_height = 26;
  b.label_width = 120;
  std::vector<std::vector<std::string>> rows;
  auto fixed = [&](double pj) { return format("%.4g", v(pj)); };  // in the table's unit, no prefix
  auto cell = [&](double pj) { return pj > 0 ? fixed(pj) : std::string("–"); };
  for (const ComponentEnergy& c : pr.components) {
    b.rows.push_back({c.name, {v(c.read_pj), v(c.fill_pj), v(c.update_pj), v(c.network_pj), v(c.compute_pj)}, "", false});
    rows.push_back({html_escape(c.name), cell(c.read_pj), cell(c.fill_pj), cell(c.update_pj), cell(c.network_pj),
                    cell(c.compute_pj), fixed(c.total_pj()), format("%.1f%%", total > 0 ? 100 * c.total_pj() / total : 0)});
  }
  rows.push_back({"<b>total</b>", "", "", "", "", "", "<b>" + fixed(total) + "</b>", "100%"});
  std::string s = "<h3>Energy by component and action</h3><p class=\"lead\">Each storage level's read, fill (write from "
                  "the level above), update (partial-sum write from below) and network energy, and the MACs' compute "
                  "energy, from the cost model of every layer's mapping, summed over the layers (values in " +
                  html_escape(u.name) + ").</p>";
  s += "<div class=\"split\">" + figure(svg::bar_chart(b)) + "<div>" +
       table({"component", "read", "fill", "update", "network", "compute", "total", "share"}, rows,
             {false, true, true, true, true, true, true, true}, "compact") +
       "<p class=\"muted\" style=\"margin-top:8px\">" +
       html_escape(format("Sum %s = the mapping's energy per inference %s.", with_unit(total * 1e-12, "J").c_str(),
                          with_unit(pr.detail.mapping.energy_pj * 1e-12, "J").c_str())) +
       "</p></div></div>";
  return s;
}

std::string carbon_section(const ReportData& d, const PointReport& pr) {
  const carbon::CarbonEstimate& c = pr.detail.carbon;
  svg::BarChart b;
  b.id = "carbon";
  b.title = "Carbon footprint";
  b.subtitle = "embodied (chip, memory) + operational over the lifetime";
  b.x = svg::axis("Carbon", "gCO₂e");
  b.segments = {"embodied: chip", "embodied: memory", "operational"};
  b.colors = kCarbonColors;
  b.row_height = 34;
  b.label_width = 80;
  b.rows.push_back({"total", {c.embodied_chip_g, c.embodied_memory_g, c.operational_g}, "", false});
  std::string inferences, grid;
  if (d.spec) try {
      carbon::Preset p = carbon::preset(d.spec->carbon_preset);
      inferences = with_unit(p.options.inferences, "", 4);
      grid = format("%g gCO₂/kWh", p.options.grid_gco2_per_kwh);
    } catch (const Error&) {
    }
  auto share = [&](double g) { return format("%.1f%%", c.total_g > 0 ? 100 * g / c.total_g : 0); };
  std::vector<std::vector<std::string>> rows = {
      {"embodied: chip", html_escape(with_unit(c.embodied_chip_g, "gCO₂e")), share(c.embodied_chip_g),
       html_escape(format("%.6g cm² x %.6g g/cm²", c.area_cm2, c.chip_g_per_cm2))},
      {"embodied: memory", html_escape(with_unit(c.embodied_memory_g, "gCO₂e")), share(c.embodied_memory_g),
       html_escape(format("DRAM %.6g g + SSD %.6g g", c.embodied_dram_g, c.embodied_ssd_g))},
      {"operational", html_escape(with_unit(c.operational_g, "gCO₂e")), share(c.operational_g),
       html_escape(format("%.4g kWh/inference x %s inferences x %s", c.energy_kwh_per_inference,
                          inferences.empty() ? "?" : inferences.c_str(), grid.empty() ? "grid" : grid.c_str()))},
      {"<b>total</b>", "<b>" + html_escape(with_unit(c.total_g, "gCO₂e")) + "</b>", share(c.total_g), "chip + memory + operational"},
  };
  std::string s = "<h3>Carbon</h3><p class=\"lead\">ACT's model (carbon/carbon.h) with the spec's preset " +
                  code(d.spec ? d.spec->carbon_preset : "?") +
                  ": embodied chip carbon from the area, embodied memory carbon per GB of DRAM/SSD, operational carbon "
                  "from the energy per inference over the lifetime's inferences.</p>";
  s += "<div class=\"grid2\">" + figure(svg::bar_chart(b)) + "<div>" +
       table({"part", "gCO₂e", "share", "how"}, rows, {false, true, true, false}) + "</div></div>";
  return s;
}

}  // namespace

std::string point_section(const ReportData& d) {
  std::string s = "<section id=\"point\"><h2><span class=\"no\">2</span>The chosen point</h2>";
  if (!d.chosen) return s + note(d.point_note) + "</section>";
  const dse::PointRecord& p = *d.chosen;
  s += "<p class=\"lead\">" + code(p.key) + " — " + html_escape(d.chosen_by) + ". Pass <code>--point KEY</code> to detail another.";
  if (p.status != "ok") s += " Status <b>" + html_escape(p.status) + "</b>: " + html_escape(p.reason) + ".";
  s += " Blue cards: the objectives (↑ maximised, ↓ minimised).</p>";
  s += kpis(d, p);
  if (!d.point) s += note(d.point_note);
  if (d.point && !d.point->differences.empty()) {
    std::string t = "The re-evaluation does not reproduce the stored metrics (the code or data changed since the run?): ";
    for (size_t i = 0; i < d.point->differences.size(); ++i) t += (i ? "; " : "") + d.point->differences[i];
    s += note(t);
  }
  s += knob_and_metric_tables(d, p);
  if (d.point) {
    const PointReport& pr = *d.point;
    s += "<h3>Per-layer latency and energy</h3><p class=\"lead\">" + std::to_string(pr.layers.size()) +
         " compute layers, each mapped by coda's mapper on " + code(pr.detail.arch_spec) +
         " (the point re-evaluated from the spec stored in the database). Layers of the same shape share one mapping.</p>";
    s += layer_charts(pr);
    s += component_section(pr);
    s += carbon_section(d, pr);
  }
  return s + "</section>";
}

std::string roofline_section(const ReportData& d) {
  std::string s = "<section id=\"roofline\"><h2><span class=\"no\">3</span>Roofline of the chosen accelerator</h2>";
  if (!d.point) return s + note(d.point_note.empty() ? "No chosen point." : d.point_note) + "</section>";
  const PointReport& pr = *d.point;
  const Roofline& r = pr.roofline;
  const hw::Architecture& a = pr.detail.arch;
  const bool clock = r.clock_hz > 0;
  const std::string perf_unit = clock ? "ops/s" : "ops/cycle", bw_unit = clock ? "B/s" : "B/cycle";
  const bool memory = r.bandwidth > 0;
  const double ridge = memory ? r.peak / r.bandwidth : NAN;
  svg::RooflineChart c;
  c.id = "roofline-chart";
  c.title = "Roofline: " + (a.name.empty() ? std::string("accelerator") : a.name);
  c.subtitle = std::string("one marker per compute layer (layers of one shape coincide)") +
               (memory ? "" : "; " + r.level + " bandwidth unlimited: compute roof only");
  c.frame.width = 760;
  c.frame.height = 460;
  c.frame.left = 70;
  c.frame.top = 66;
  c.peak = r.peak;
  c.bandwidth = r.bandwidth;
  c.performance_unit = perf_unit;
  c.intensity_unit = "ops/byte";
  c.peak_label = "peak " + with_unit(r.peak, perf_unit);
  if (memory) c.bandwidth_label = r.level + " " + with_unit(r.bandwidth, bw_unit);
  std::vector<std::vector<std::string>> rows;
  size_t memory_bound = 0, unplaced = 0;
  double best = 0;
  for (const LayerRow& l : pr.layers) {
    const double attainable = memory ? std::min(r.peak, r.bandwidth * l.intensity) : r.peak;
    const double frac = attainable > 0 ? l.performance / attainable : 0;
    if (!std::isfinite(l.intensity) || !(l.performance > 0)) {
      ++unplaced;
    } else {
      c.points.push_back({l.name, l.intensity, l.performance,
                          l.name + "\n" + format("intensity %.4g ops/byte, %s (%.1f%% of the roof above it)", l.intensity,
                                                 with_unit(l.performance, perf_unit).c_str(), 100 * frac)});
    }
    if (memory && l.intensity < ridge) ++memory_bound;
    best = std::max(best, frac);
    rows.push_back({html_escape(l.name), with_unit(static_cast<double>(l.macs), "", 4), std::to_string(l.cycles),
                    with_unit(l.outer_bytes, "B"), std::isfinite(l.intensity) ? format("%.4g", l.intensity) : "∞",
                    with_unit(l.performance, perf_unit), format("%.1f%%", 100 * frac)});
  }
  const hw::StorageLevel* outer = a.levels.empty() ? nullptr : &a.levels.back();
  std::vector<std::vector<std::string>> params = {
      {"clock", clock ? format("%g MHz", r.clock_hz / 1e6) : "unknown (per-cycle units)"},
      {"MAC units x MACs/cycle", format("%lld x %d", static_cast<long long>(a.compute.instances), a.compute.ops_per_cycle)},
      {"peak compute", html_escape(with_unit(r.peak, perf_unit)) + " <span class=\"muted\">= 2 ops/MAC x units x MACs/cycle x clock</span>"},
      {"outermost level", outer ? html_escape(outer->name + format(" (%s, %d-bit words)", outer->kind.c_str(), outer->word_bits)) : "–"},
      {"memory bandwidth", memory ? html_escape(with_unit(r.bandwidth, bw_unit)) : "unlimited"},
      {"bandwidth basis", html_escape(r.basis)},
      {"ridge point", memory ? format("%.4g ops/byte", ridge) : "–"},
      {"layers left of the ridge", memory ? format("%zu of %zu (memory-bound side)", memory_bound, pr.layers.size()) : "–"},
      {"best layer", format("%.1f%% of its roof", 100 * best)},
  };
  s += "<p class=\"lead\">Each layer at operational intensity = 2 x MACs / bytes moved at the outermost level " +
       std::string("(its reads, fills and updates from the cost model x word bytes) and achieved performance = 2 x MACs / ") +
       (clock ? "(cycles / clock)" : "cycles") + ". Log-log axes.</p>";
  if (!memory) s += note(r.level + "'s bandwidth is unlimited (0 words/cycle) in this architecture: only the compute roof is drawn.");
  if (unplaced) s += note(format("%zu layers move no bytes at the outermost level (infinite intensity) and are not drawn.", unplaced));
  s += "<div class=\"wide\">" + figure(svg::roofline_chart(c)) + "<div>" + table({"", ""}, params, {false, false}, "params") + "</div></div>";
  s += "<details style=\"margin-top:12px\"><summary>Per-layer numbers (" + std::to_string(rows.size()) + " layers)</summary>" +
       table({"layer", "MACs", "cycles", "bytes at " + html_escape(r.level), "ops/byte", "achieved", "of roof"}, rows,
             {false, true, true, true, true, true, true}) +
       "</details>";
  return s + "</section>";
}

}  // namespace coda::report::detail
