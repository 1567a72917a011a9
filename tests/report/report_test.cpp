// report::collect / html_report on a real store written by dse::explore (the mlp fixture on the
// catransformers template): the front and the ideal-point choice recomputed by hand, one bar per
// compute layer, every layer under its roofline (also with limited DRAM bandwidth), energies and
// carbon that add up, a self-contained page; and the one-line errors of `coda report`.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>

#include "coda/core/error.h"
#include "coda/dse/explore.h"
#include "coda/exec/executor.h"
#include "coda/hw/templates.h"
#include "coda/onnx/import.h"
#include "coda/report/html.h"
#include "coda/report/svg.h"
#include "coda/workload/extract.h"
#include "../cli_util.h"

namespace coda::report {
namespace {

namespace fs = std::filesystem;

fs::path scratch() {
  static const fs::path d = [] {
    fs::path p = fs::temp_directory_path() / ("coda_report_" + std::to_string(getpid()));
    fs::create_directories(p);
    return p;
  }();
  static const struct Remove {
    ~Remove() {
      std::error_code ec;
      fs::remove_all(d, ec);
    }
  } remove;
  return d;
}

std::string spec_text(const std::string& model = std::string(CODA_SOURCE_DIR) + "/models/mlp.onnx") {
  return "model: " + model + "\n" +
         "accuracy: {limit: 500, calib: 64}\n"
         "pruning: {keep: [1, 0.5]}\n"
         "hardware:\n  template: catransformers\n  knobs: {clusters: [1, 2, 4], width: [32, 64, 128], depth: [2, 8, 32]}\n"
         "precision: {formats: [W8A8, W4A4], methods: [rtn]}\n"
         "objectives: [accuracy:max, latency_s:min, carbon_total_g:min]\n"
         "constraints: {area_mm2: {max: 31.990347}, tops: {max: 20.48}}\n"
         "optimizer: {name: nsga2, budget: 24, batch: 8, seed: 3}\n"
         "mapper: {samples: 300, refine: 300, exhaustive_limit: 2000}\n";
}

// A store explored once per test process.
const std::string& fixture_db() {
  static const std::string db = [] {
    fs::path spec = scratch() / "spec.yaml";
    std::ofstream(spec) << spec_text();
    dse::ExploreOptions o;
    o.db = (scratch() / "fixture.db").string();
    o.threads = 2;
    dse::explore(dse::load_spec(spec.string()), o);
    return o.db;
  }();
  return db;
}

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t p = text.find(what); p != std::string::npos; p = text.find(what, p + what.size())) ++n;
  return n;
}

// The <svg> element with id `id`.
std::string svg_of(const std::string& html, const std::string& id) {
  size_t at = html.find("id=\"" + id + "\"");
  if (at == std::string::npos) return "";
  size_t begin = html.rfind("<svg", at), end = html.find("</svg>", at);
  return html.substr(begin, end + 6 - begin);
}

bool near_rel(double a, double b, double rel = 1e-9) { return std::fabs(a - b) <= rel * std::max(std::fabs(a), std::fabs(b)); }

class ReportOnStore : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dse::Store db(fixture_db(), dse::Store::Open::existing);
    ReportOptions o;
    o.threads = 2;
    o.generated = "test";
    data_ = new ReportData(collect(db, o));
    html_ = new std::string(render_html(*data_));
  }
  static void TearDownTestSuite() {
    delete data_;
    delete html_;
  }
  static ReportData* data_;
  static std::string* html_;
};
ReportData* ReportOnStore::data_ = nullptr;
std::string* ReportOnStore::html_ = nullptr;

TEST_F(ReportOnStore, HeaderCountsAndTheFront) {
  const ReportData& d = *data_;
  ASSERT_EQ(d.points.size(), 24u);
  EXPECT_EQ(d.ok + d.infeasible + d.errors, 24u);
  EXPECT_NE(html_->find(format("24: %zu ok, %zu infeasible", d.ok, d.infeasible)), std::string::npos);
  ASSERT_EQ(d.objectives.size(), 3u);
  // The front by brute force: ok points no other ok point dominates.
  std::vector<const dse::PointRecord*> ok;
  for (const auto& p : d.points)
    if (p.status == "ok") ok.push_back(&p);
  auto v = [&](const dse::PointRecord& p, size_t k) {  // minimized
    double x = p.metrics.at(d.objectives[k].metric);
    return d.objectives[k].sense == dse::Sense::Maximize ? -x : x;
  };
  std::set<std::string> brute;
  for (const auto* a : ok) {
    bool dominated = false;
    for (const auto* b : ok) {
      bool no_worse = true, better = false;
      for (size_t k = 0; k < 3; ++k) {
        no_worse &= v(*b, k) <= v(*a, k);
        better |= v(*b, k) < v(*a, k);
      }
      dominated |= no_worse && better;
    }
    if (!dominated) brute.insert(a->key);
  }
  std::set<std::string> front;
  for (const auto& p : d.front) front.insert(p.key);
  EXPECT_EQ(front, brute);
  ASSERT_FALSE(front.empty());
  // Every front point is marked in each of the three pair charts, and listed in the table.
  EXPECT_EQ(count(*html_, "<svg"), 9u);  // 3 pairs + layer latency, layer energy, components, carbon + roofline + accuracy
  for (const char* id : {"pareto-0-1", "pareto-0-2", "pareto-1-2"}) {
    const std::string s = svg_of(*html_, id);
    ASSERT_FALSE(s.empty()) << id;
    EXPECT_EQ(count(s, "class=\"front\""), front.size()) << id;
    EXPECT_EQ(count(s, "class=\"chosen\""), 1u) << id;
    for (const std::string& k : front) EXPECT_NE(s.find(svg::escape(k)), std::string::npos) << id << " " << k;
  }
  EXPECT_EQ(count(*html_, "<tr class=\"chosen\">"), 1u);
}

TEST_F(ReportOnStore, DefaultPointIsTheIdealPointChoiceOfTheFront) {
  const ReportData& d = *data_;
  // SeQTO's rule by hand: min-max normalise each objective over the front (0 = best), nearest to 0.
  const size_t m = d.objectives.size();
  std::vector<double> lo(m, INFINITY), hi(m, -INFINITY);
  for (const auto& p : d.front)
    for (size_t k = 0; k < m; ++k) {
      lo[k] = std::min(lo[k], p.metrics.at(d.objectives[k].metric));
      hi[k] = std::max(hi[k], p.metrics.at(d.objectives[k].metric));
    }
  double best = INFINITY;
  std::string key;
  for (const auto& p : d.front) {
    double dist = 0;
    for (size_t k = 0; k < m; ++k) {
      if (hi[k] == lo[k]) continue;
      double t = (p.metrics.at(d.objectives[k].metric) - lo[k]) / (hi[k] - lo[k]);
      if (d.objectives[k].sense == dse::Sense::Maximize) t = 1 - t;
      dist += t * t;
    }
    if (dist < best) best = dist, key = p.key;
  }
  ASSERT_TRUE(d.chosen);
  EXPECT_EQ(d.chosen->key, key);
  ASSERT_TRUE(d.point) << d.point_note;
  EXPECT_TRUE(d.point->differences.empty()) << d.point->differences.front();
}

TEST_F(ReportOnStore, OneBarPerComputeLayer) {
  const ReportData& d = *data_;
  ASSERT_TRUE(d.point) << d.point_note;
  graph::Graph g = onnx::import_file(std::string(CODA_SOURCE_DIR) + "/models/mlp.onnx");
  exec::prepare(g);
  exec::specialize(g, 1);
  size_t compute = 0;
  for (const auto& l : workload::extract(g)) compute += l.problem.has_value();
  ASSERT_GT(compute, 0u);
  EXPECT_EQ(d.point->layers.size(), compute);  // pruning keeps the layers
  for (const char* id : {"layer-latency", "layer-energy"}) EXPECT_EQ(count(svg_of(*html_, id), "class=\"bar-row\""), compute) << id;
  // Latencies add up to the point's latency; each layer's components to its energy.
  double latency = 0, energy = 0;
  for (const LayerRow& l : d.point->layers) {
    latency += l.latency_s;
    energy += l.energy_pj;
    double parts = 0;
    for (double e : l.energy_pj_by_component) parts += e;
    EXPECT_TRUE(near_rel(parts, l.energy_pj)) << l.name;
  }
  EXPECT_TRUE(near_rel(latency, d.chosen->metrics.at("latency_s")));
  EXPECT_TRUE(near_rel(energy * 1e-12, d.chosen->metrics.at("energy_j")));
  // Energy by component and action adds up to the mapping's energy.
  double sum = 0, mac = 0;
  for (const ComponentEnergy& c : d.point->components) sum += c.total_pj();
  for (const auto& l : d.point->detail.mapping.layers) mac += l.result.cost.mac_energy_pj;
  EXPECT_TRUE(near_rel(sum, d.point->detail.mapping.energy_pj));
  EXPECT_TRUE(near_rel(d.point->components.front().compute_pj, mac));
  EXPECT_EQ(d.point->components.size(), 1 + d.point->detail.arch.levels.size());
  EXPECT_EQ(count(svg_of(*html_, "component-energy"), "class=\"bar-row\""), d.point->components.size());
}

TEST_F(ReportOnStore, CarbonPartsAddUpToTheTotal) {
  const ReportData& d = *data_;
  ASSERT_TRUE(d.point);
  const carbon::CarbonEstimate& c = d.point->detail.carbon;
  EXPECT_GT(c.embodied_chip_g, 0);
  EXPECT_GT(c.embodied_memory_g, 0);
  EXPECT_GT(c.operational_g, 0);
  EXPECT_TRUE(near_rel(c.embodied_chip_g + c.embodied_memory_g + c.operational_g, c.total_g));
  EXPECT_TRUE(near_rel(c.total_g, d.chosen->metrics.at("carbon_total_g")));
  EXPECT_EQ(count(svg_of(*html_, "carbon"), "class=\"bar\""), 3u);
}

// Each layer's achieved performance against min(peak, bandwidth x intensity), from the raw costs.
void expect_under_the_roof(const hw::Architecture& a, const map::NetworkMapping& m, const Roofline& r, bool* near_memory_roof) {
  const double f = a.clock_mhz * 1e6;
  EXPECT_DOUBLE_EQ(r.peak, 2.0 * static_cast<double>(a.compute.instances) * a.compute.ops_per_cycle * f);
  std::vector<LayerRow> rows = layer_rows(a, m, r);
  ASSERT_EQ(rows.size(), m.layers.size());
  const hw::StorageLevel& dram = a.levels.back();
  for (size_t i = 0; i < rows.size(); ++i) {
    const map::Cost& c = m.layers[i].result.cost;
    double words = 0;
    for (const map::DataSpaceCost& ds : c.levels.back().data_spaces)
      words += static_cast<double>((r.counts_reads ? ds.reads : 0) + (r.counts_writes ? ds.fills + ds.updates : 0)) *
               static_cast<double>(ds.instances);
    const double ops = 2.0 * static_cast<double>(c.macs);
    EXPECT_TRUE(near_rel(rows[i].intensity, ops / (words * dram.word_bits / 8.0))) << rows[i].name;
    EXPECT_TRUE(near_rel(rows[i].performance, ops / (static_cast<double>(c.cycles) / f))) << rows[i].name;
    const double roof = r.bandwidth > 0 ? std::min(r.peak, r.bandwidth * rows[i].intensity) : r.peak;
    EXPECT_LE(rows[i].performance, roof * (1 + 1e-9)) << rows[i].name << " above its roof";
    if (near_memory_roof && r.bandwidth > 0 && rows[i].performance > 0.5 * r.bandwidth * rows[i].intensity &&
        r.bandwidth * rows[i].intensity < r.peak)
      *near_memory_roof = true;
  }
}

TEST_F(ReportOnStore, EveryLayerSitsUnderTheRoofline) {
  const ReportData& d = *data_;
  ASSERT_TRUE(d.point);
  const PointReport& pr = *d.point;
  EXPECT_EQ(pr.roofline.bandwidth, 0);  // the template's DRAM is unlimited
  expect_under_the_roof(pr.detail.arch, pr.detail.mapping, pr.roofline, nullptr);
  const std::string s = svg_of(*html_, "roofline-chart");
  EXPECT_EQ(count(s, "class=\"roofline-point\""), pr.layers.size());
  EXPECT_EQ(count(s, "<polyline"), 1u);  // the compute roof alone
  EXPECT_NE(html_->find("bandwidth is unlimited"), std::string::npos);
}

TEST(Roofline, LimitedDramBandwidthKeepsLayersUnderTheMemoryRoof) {
  graph::Graph g = onnx::import_file(std::string(CODA_SOURCE_DIR) + "/models/mlp.onnx");
  exec::prepare(g);
  exec::specialize(g, 1);
  std::vector<workload::LayerWork> layers = workload::extract(g);
  hw::Architecture base = hw::build_template("catransformers?clusters=1&width=32&depth=8");
  map::MapperOptions mo;
  mo.samples = 300;
  mo.refine_steps = 300;
  mo.exhaustive_limit = 2000;
  mo.threads = 2;
  bool near = false;
  // Read and write bandwidth (their sum is the roof), read only, write only; tight enough to bind.
  for (auto [rb, wb] : std::vector<std::pair<double, double>>{{0.5, 0.25}, {0.25, 0}, {0, 0.05}, {16, 16}}) {
    hw::Architecture a = base;
    a.levels.back().read_bandwidth = rb;
    a.levels.back().write_bandwidth = wb;
    map::NetworkMapping m = map::map_network(layers, a, mo);
    Roofline r = roofline(a);
    const double f = a.clock_mhz * 1e6;
    EXPECT_DOUBLE_EQ(r.bandwidth, (rb > 0 && wb > 0 ? rb + wb : rb > 0 ? rb : wb) * f);  // 8-bit words
    EXPECT_EQ(r.counts_reads, rb > 0);
    EXPECT_EQ(r.counts_writes, wb > 0);
    expect_under_the_roof(a, m, r, &near);
  }
  EXPECT_TRUE(near) << "no layer came near a memory roof: the check above could not fail";
}

TEST_F(ReportOnStore, AccuracyByVariantAndPrecision) {
  const ReportData& d = *data_;
  ASSERT_TRUE(d.accuracy);
  const AccuracyTable& t = *d.accuracy;
  for (const auto& v : t.variants) EXPECT_TRUE(v == "keep 1" || v == "keep 0.5") << v;
  for (const auto& p : t.precisions) EXPECT_TRUE(p == "W8A8 rtn" || p == "W4A4 rtn") << p;
  if (t.variants.size() == 2) {
    EXPECT_EQ(t.variants[0], "keep 1");  // spec order
  }
  if (t.precisions.size() == 2) {
    EXPECT_EQ(t.precisions[0], "W8A8 rtn");
  }
  size_t points = 0;
  for (const auto& row : t.cells)
    for (const AccuracyCell& c : row) {
      points += c.points;
      if (c.points) {
        EXPECT_EQ(c.min, c.max);  // one measurement per variant
      }
    }
  size_t with_accuracy = 0;
  for (const auto& p : d.points) with_accuracy += p.metrics.count("accuracy");
  EXPECT_EQ(points, with_accuracy);
  EXPECT_NE(html_->find("Accuracy vs precision"), std::string::npos);
  // The chart: one marker per variant and precision measured, the chosen point's variant highlighted.
  const std::string s = svg_of(*html_, "accuracy-precision");
  size_t cells = 0;
  for (const auto& row : t.cells)
    for (const AccuracyCell& c : row) cells += c.points > 0;
  EXPECT_EQ(count(s, "class=\"variant"), cells);
  const std::string mine = accuracy_labels(d.chosen->config_json, &*d.spec).first;
  const size_t v = std::find(t.variants.begin(), t.variants.end(), mine) - t.variants.begin();
  ASSERT_LT(v, t.variants.size());
  size_t chosen_cells = 0;
  for (const AccuracyCell& c : t.cells[v]) chosen_cells += c.points > 0;
  EXPECT_EQ(count(s, "chosen-variant"), chosen_cells);
}

TEST_F(ReportOnStore, ThePageIsSelfContained) {
  const std::string& h = *html_;
  EXPECT_EQ(h.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_EQ(h.find("<script"), std::string::npos);
  EXPECT_EQ(h.find("<link"), std::string::npos);
  EXPECT_EQ(h.find("<img"), std::string::npos);
  EXPECT_EQ(h.find("@import"), std::string::npos);
  const std::regex url("url\\((?!#)");
  EXPECT_FALSE(std::regex_search(h, url));
  std::string rest = h;
  for (size_t p; (p = rest.find("http://www.w3.org/2000/svg")) != std::string::npos;) rest.erase(p, 26);
  EXPECT_EQ(rest.find("http://"), std::string::npos);
  EXPECT_EQ(rest.find("https://"), std::string::npos);
  EXPECT_EQ(count(h, "<svg"), count(h, "</svg>"));
}

TEST(Report, PointOptionAndErrors) {
  dse::Store db(fixture_db(), dse::Store::Open::existing);
  std::string other;
  for (const auto& p : db.all())
    if (p.status == "infeasible" || other.empty()) other = p.key;
  ReportOptions o;
  o.point = other;
  o.reevaluate = false;
  ReportData d = collect(db, o);
  ASSERT_TRUE(d.chosen);
  EXPECT_EQ(d.chosen->key, other);
  EXPECT_FALSE(d.point);
  const std::string h = render_html(d);
  EXPECT_EQ(count(h, "<svg"), 4u);  // the pair charts and accuracy by precision
  o.point = "clusters=9;nope";
  try {
    collect(db, o);
    ADD_FAILURE() << "no error for an unknown --point";
  } catch (const InvalidError& e) {
    EXPECT_EQ(e.where(), "--point");
    EXPECT_NE(e.message().find("clusters=9;nope"), std::string::npos);
  }
  dse::Store empty((scratch() / "empty.db").string());
  EXPECT_THROW(collect(empty, ReportOptions{}), InvalidError);
}

TEST(Report, StoreWithoutSpecOrAccuracyStillRenders) {
  dse::Store db((scratch() / "bare.db").string());
  db.set_meta("objectives", "latency_s:min,carbon_total_g:min");
  for (int i = 0; i < 6; ++i) {
    dse::PointRecord p;
    p.key = "p" + std::to_string(i);
    p.config_json = "{\"width\": \"" + std::to_string(i) + "\"}";
    p.metrics = {{"latency_s", 1e-6 * (i + 1)}, {"carbon_total_g", 300.0 - 10 * i * (i % 2)}};
    db.put(p);
  }
  ReportData d = collect(db, ReportOptions{});
  EXPECT_FALSE(d.spec);
  EXPECT_FALSE(d.point);
  EXPECT_FALSE(d.accuracy);
  EXPECT_FALSE(d.point_note.empty());
  const std::string h = render_html(d);
  EXPECT_EQ(count(h, "<svg"), 1u);
  EXPECT_NE(h.find("no accuracy metric"), std::string::npos);
  EXPECT_NE(h.find(d.point_note), std::string::npos);
}

TEST(Report, AChosenPointThatCannotBeReevaluatedLeavesANote) {
  dse::Store src(fixture_db(), dse::Store::Open::existing);
  dse::Store db((scratch() / "moved.db").string());
  for (const auto& [k, v] : src.all_meta()) db.set_meta(k, v);
  db.set_meta("spec_yaml", spec_text((scratch() / "gone" / "mlp.onnx").string()));
  for (auto p : src.all()) db.put(p);
  ReportData d;
  ASSERT_NO_THROW(d = collect(db, ReportOptions{}));
  ASSERT_TRUE(d.chosen);
  EXPECT_FALSE(d.point);
  EXPECT_NE(d.point_note.find("mlp.onnx"), std::string::npos) << d.point_note;
  const std::string h = render_html(d);
  EXPECT_EQ(count(h, "<svg"), 4u);
  EXPECT_NE(h.find(svg::escape(d.point_note)), std::string::npos);
}

TEST(ReportCli, WritesThePageAndGivesOneLineErrors) {
  using coda::test::expect_one_line_error;
  using coda::test::run_coda;
  const fs::path out = scratch() / "cli.html";
  auto r = run_coda("report " + fixture_db() + " -o " + out.string() + " --threads 2");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("wrote " + out.string()), std::string::npos) << r.out;
  EXPECT_EQ(test::slurp(out).rfind("<!DOCTYPE html>", 0), 0u);
  expect_one_line_error(run_coda("report /nonexistent/x.db -o " + out.string()), "/nonexistent/x.db", "");
  expect_one_line_error(run_coda("report " + fixture_db() + " --point nope -o " + out.string()), "--point", "'nope'");
  expect_one_line_error(run_coda("report " + fixture_db() + " --no-detail -o /nonexistent/dir/r.html"),
                        "/nonexistent/dir/r.html", "cannot write");
  const fs::path empty = scratch() / "empty_cli.db";
  { dse::Store make(empty.string()); }
  expect_one_line_error(run_coda("report " + empty.string() + " -o " + out.string()), empty.string(), "no points");
  const fs::path text = coda::test::cli_file("notes.txt", "not a database\n");
  expect_one_line_error(run_coda("report " + text.string() + " -o " + out.string()), text.string(), "");
}

}  // namespace
}  // namespace coda::report
