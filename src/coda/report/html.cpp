// The page: stylesheet, header, section 1 (Pareto fronts) and section 4 (accuracy by variant).
#include "coda/report/html.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <set>

#include "coda/core/error.h"
#include "coda/report/format.h"
#include "coda/report/html_parts.h"
#include "coda/report/svg.h"

namespace coda::report {

namespace detail {

std::string note(const std::string& text) { return "<p class=\"note\">" + html_escape(text) + "</p>"; }

std::string figure(const std::string& svg) { return "<figure class=\"chart\">" + svg + "</figure>"; }

std::string code(const std::string& text) { return "<code>" + html_escape(text) + "</code>"; }

std::string table(const std::vector<std::string>& head, const std::vector<std::vector<std::string>>& rows,
                  const std::vector<bool>& numeric, const std::string& cls, const std::vector<size_t>& marked) {
  auto num = [&](size_t c) { return c < numeric.size() && numeric[c]; };
  std::string s = "<table" + (cls.empty() ? std::string() : " class=\"" + cls + "\"") + "><thead><tr>";
  for (size_t c = 0; c < head.size(); ++c) s += std::string("<th") + (num(c) ? " class=\"n\"" : "") + ">" + head[c] + "</th>";
  s += "</tr></thead><tbody>";
  for (size_t r = 0; r < rows.size(); ++r) {
    const bool mark = std::find(marked.begin(), marked.end(), r) != marked.end();
    s += mark ? "<tr class=\"chosen\">" : "<tr>";
    for (size_t c = 0; c < rows[r].size(); ++c) s += std::string("<td") + (num(c) ? " class=\"n\"" : "") + ">" + rows[r][c] + "</td>";
    s += "</tr>";
  }
  return s + "</tbody></table>";
}

}  // namespace detail

namespace {

using namespace detail;

constexpr const char* kCss = R"css(
:root{--ink:#1f2937;--muted:#6b7280;--line:#e5e7eb;--bg:#f4f5f7;--accent:#2563eb;--chosen:#ea580c}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
.wrap{max-width:1200px;margin:0 auto;padding:0 24px}
header{background:#111827;color:#f9fafb;padding:26px 0 22px}
header h1{font-size:24px;margin:0;font-weight:650;letter-spacing:-.01em}
header .sub{color:#cbd5e1;margin-top:2px;word-break:break-all}
dl.meta{display:grid;grid-template-columns:repeat(4,minmax(0,1fr));gap:12px 28px;margin:18px 0 0}
dl.meta dt{font-size:11px;text-transform:uppercase;letter-spacing:.07em;color:#94a3b8}
dl.meta dd{margin:1px 0 0;font-weight:500;overflow-wrap:anywhere}
nav{margin-top:16px;display:flex;gap:18px;flex-wrap:wrap;font-size:13px}
nav a{color:#93c5fd;text-decoration:none}
section{background:#fff;border:1px solid var(--line);border-radius:10px;padding:20px 24px 22px;margin:20px 0}
h2{font-size:19px;margin:0 0 4px;font-weight:650}
h2 .no{color:var(--accent);margin-right:8px}
h3{font-size:14.5px;margin:22px 0 8px;font-weight:650}
p.lead{color:var(--muted);margin:0 0 14px;max-width:1000px}
.grid1,.grid2,.grid3{display:grid;gap:14px;align-items:start}
.grid2{grid-template-columns:repeat(2,minmax(0,1fr))}
.grid3{grid-template-columns:repeat(3,minmax(0,1fr))}
.split{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1.3fr);gap:18px;align-items:start}
table.compact{font-size:12px}
table.compact td,table.compact th{padding:4px 5px}
table.params td:first-child{white-space:nowrap;color:var(--muted)}
.wide{display:grid;grid-template-columns:minmax(0,1.75fr) minmax(0,1fr);gap:18px;align-items:start}
figure.chart{margin:0;border:1px solid var(--line);border-radius:8px;padding:4px;background:#fff}
figure.chart svg{display:block;width:100%;height:auto}
table{border-collapse:collapse;width:100%;font-size:13px;font-variant-numeric:tabular-nums}
th{text-align:left;font-weight:600;color:var(--muted);font-size:11px;text-transform:uppercase;letter-spacing:.05em;border-bottom:1px solid var(--line);padding:6px 8px;white-space:nowrap;background:#fff;position:sticky;top:0}
td{padding:4px 8px;border-bottom:1px solid #f0f1f3}
.n{text-align:right;white-space:nowrap}
tbody tr:hover td{background:#f8fafc}
tr.chosen td{background:#fff7ed}
tr.chosen td:first-child{box-shadow:inset 3px 0 0 var(--chosen)}
.scroll{max-height:440px;overflow:auto;border:1px solid var(--line);border-radius:8px}
.note{background:#fffbeb;border:1px solid #fde68a;color:#92400e;padding:8px 12px;border-radius:6px;margin:10px 0}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px;background:#f3f4f6;padding:1px 5px;border-radius:4px;overflow-wrap:anywhere}
.kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(128px,1fr));gap:10px;margin:14px 0 4px}
.kpi{border:1px solid var(--line);border-radius:8px;padding:9px 12px}
.kpi .v{font-size:17px;white-space:nowrap;font-weight:650;font-variant-numeric:tabular-nums}
.kpi .l{font-size:11.5px;color:var(--muted);white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.kpi.obj{border-color:#bfdbfe;background:#f8fbff}
.legend{display:flex;flex-wrap:wrap;gap:6px 20px;font-size:12.5px;color:var(--ink);margin:0 0 12px}
.legend span{display:inline-flex;align-items:center;gap:6px}
.sw{display:inline-block;width:11px;height:11px;border-radius:50%;font-style:normal;line-height:11px;text-align:center}
.sw.ok{background:#9aa3af}.sw.front{background:#2563eb}.sw.ring{border:2px solid #1e3a8a;width:13px;height:13px}
.sw.inf{color:#9aa3af;font-weight:700;width:auto}.sw.star{color:#ea580c;width:auto;font-size:15px}
.sw.line{border-radius:0;height:0;width:20px;border-top:2px dashed #1e3a8a}
table.heat{width:100%}
.split2{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:18px;align-items:start}
table.heat td{padding:5px 10px}
table.heat td.cell{text-align:center;font-weight:600;min-width:84px}
table.heat td.cell small{font-weight:400;color:#475569;font-size:11px;margin-left:6px}
.muted{color:var(--muted)}
footer{color:var(--muted);font-size:12px;padding:4px 0 30px}
)css";

svg::Axis metric_axis(const std::string& metric, const std::vector<double>& values) {
  MetricInfo m = metric_info(metric);
  svg::Axis a = svg::axis(m.label, m.unit);
  if (metric == "accuracy") {
    bool fraction = true;
    for (double v : values) fraction &= !(v > 1);
    if (fraction) {
      a.unit = "%";
      a.format = [](double v) { return svg::si(v * 100, 4); };
    } else {
      a.label = "Accuracy (PSNR)";
      a.unit = "dB";
    }
  }
  a.log = svg::spans_decades(values, 2);
  return a;
}

std::optional<double> metric(const dse::PointRecord& p, const std::string& name) {
  auto it = p.metrics.find(name);
  if (it == p.metrics.end() || !std::isfinite(it->second)) return std::nullopt;
  return it->second;
}

std::string tip(const dse::PointRecord& p, const std::string& mx, double x, const std::string& my, double y) {
  std::string t = p.key + "\n" + metric_info(mx).label + ": " + metric_text(mx, x) + "\n" + metric_info(my).label + ": " +
                  metric_text(my, y);
  if (p.status != "ok") t += "\n" + p.status + (p.reason.empty() ? "" : ": " + p.reason);
  return t;
}

// The chart of objectives i (x) and j (y).
std::string pair_chart(const ReportData& d, size_t i, size_t j, double width, double height) {
  const dse::MetricObjective &ox = d.objectives[i], &oy = d.objectives[j];
  std::set<std::string> front;
  for (const dse::PointRecord& p : d.front) front.insert(p.key);
  svg::Series inf{.name = "", .color = kInfeasible, .shape = svg::Shape::cross, .size = 3.2, .opacity = 1, .points = {}, .css_class = "infeasible"};
  svg::Series ok{.name = "", .color = kGreyPoint, .shape = svg::Shape::circle, .size = 3.1, .opacity = 0.75, .points = {}, .css_class = "ok"};
  svg::Series all{.name = "", .color = kFront, .shape = svg::Shape::circle, .size = 3.9, .opacity = 1, .points = {}, .css_class = "front"};
  svg::Series ring{.name = "", .color = kFront2d, .shape = svg::Shape::ring, .size = 6.6, .opacity = 1, .points = {}, .css_class = "front2d"};
  svg::Series chosen{.name = "", .color = kChosen, .shape = svg::Shape::star, .size = 5, .opacity = 1, .points = {}, .css_class = "chosen"};
  std::vector<double> xs, ys;
  std::vector<std::vector<double>> okv;
  std::vector<svg::Point> okp;
  size_t unplotted = 0;
  for (const dse::PointRecord& p : d.points) {
    auto x = metric(p, ox.metric), y = metric(p, oy.metric);
    if (!x || !y) {
      unplotted += p.status != "ok";
      continue;
    }
    xs.push_back(*x);
    ys.push_back(*y);
    svg::Point pt{*x, *y, tip(p, ox.metric, *x, oy.metric, *y)};
    if (p.status != "ok") {
      inf.points.push_back(pt);
      continue;
    }
    okv.push_back({*x, *y});
    okp.push_back(pt);
    (front.count(p.key) ? all : ok).points.push_back(pt);
    if (d.chosen && d.chosen->key == p.key) chosen.points.push_back(pt);
  }
  if (d.chosen && chosen.points.empty()) {  // an infeasible chosen point
    auto x = metric(*d.chosen, ox.metric), y = metric(*d.chosen, oy.metric);
    if (x && y) chosen.points.push_back({*x, *y, tip(*d.chosen, ox.metric, *x, oy.metric, *y)});
  }
  std::vector<size_t> f2 = dse::pareto_front(okv, {ox.sense, oy.sense});
  std::vector<std::pair<double, double>> stairs;
  std::sort(f2.begin(), f2.end(), [&](size_t a, size_t b) { return okv[a] < okv[b]; });
  auto worse = [](double a, double b, dse::Sense s) { return s == dse::Sense::Minimize ? std::max(a, b) : std::min(a, b); };
  for (size_t k = 0; k < f2.size(); ++k) {
    const auto& p = okv[f2[k]];
    if (k > 0) {
      const auto& q = okv[f2[k - 1]];
      stairs.emplace_back(worse(q[0], p[0], ox.sense), worse(q[1], p[1], oy.sense));
    }
    stairs.emplace_back(p[0], p[1]);
    ring.points.push_back(okp[f2[k]]);
  }
  svg::XYChart c;
  c.id = "pareto-" + std::to_string(i) + "-" + std::to_string(j);
  c.x = metric_axis(ox.metric, xs);
  c.y = metric_axis(oy.metric, ys);
  c.title = c.y.label + " vs " + c.x.label;
  const char* xb = ox.sense == dse::Sense::Minimize ? "←" : "→";
  const char* yb = oy.sense == dse::Sense::Minimize ? "↓" : "↑";
  c.subtitle = std::string("better: ") + xb + " " + yb + " · 2-D front " + std::to_string(f2.size()) + " of " +
               std::to_string(okv.size()) + " ok" + (unplotted ? " · " + std::to_string(unplotted) + " without metrics" : "");
  c.frame.width = width;
  c.frame.height = height;
  c.frame.top = 50;
  c.frame.left = 62;
  c.lines.push_back({.name = "", .color = kFront2d, .width = 1.3, .dash = "4 3", .points = stairs});
  c.series = {inf, ok, all, ring, chosen};
  return svg::xy_chart(c);
}

std::string objectives_text(const std::vector<dse::MetricObjective>& obs) {
  std::string s;
  for (const dse::MetricObjective& o : obs)
    s += (s.empty() ? "" : ", ") + o.metric + (o.sense == dse::Sense::Maximize ? " ↑max" : " ↓min");
  return s;
}

std::string header(const ReportData& d) {
  std::string s = "<header><div class=\"wrap\"><h1>coda design-space report</h1><div class=\"sub\">" +
                  html_escape(d.spec_path.empty() ? d.database : d.spec_path) + "</div><dl class=\"meta\">";
  auto item = [&](const std::string& k, const std::string& v) { s += "<div><dt>" + k + "</dt><dd>" + v + "</dd></div>"; };
  item("database", html_escape(d.database));
  item("spec", html_escape(d.spec_path.empty() ? "–" : d.spec_path));
  item("model", html_escape(d.model.empty() ? "–" : d.model));
  item("hardware template", html_escape(d.hw_template.empty() ? "–" : d.hw_template));
  item("points", format("%zu: %zu ok, %zu infeasible", d.points.size(), d.ok, d.infeasible) +
                     (d.errors ? format(", %zu error", d.errors) : "") +
                     format("<br><span style=\"color:#94a3b8\">%.0f s evaluating them</span>", d.evaluation_seconds));
  item("objectives", html_escape(d.objectives.empty() ? "–" : objectives_text(d.objectives)));
  item("Pareto front", d.objectives.empty() ? "–" : format("%zu points", d.front.size()));
  item("generated", html_escape(d.generated));
  s += "</dl><nav><a href=\"#front\">1 Pareto fronts</a><a href=\"#point\">2 Chosen point</a><a href=\"#roofline\">3 Roofline</a>"
       "<a href=\"#accuracy\">4 Accuracy vs precision</a></nav></div></header>";
  return s;
}

std::vector<std::string> extra_metrics(const ReportData& d) {
  std::vector<std::string> out;
  for (const char* m : {"energy_j", "area_mm2"}) {
    bool objective = false, present = false;
    for (const dse::MetricObjective& o : d.objectives) objective |= o.metric == m;
    for (const dse::PointRecord& p : d.front) present |= p.metrics.count(m) > 0;
    if (!objective && present) out.push_back(m);
  }
  return out;
}

std::string front_table(const ReportData& d) {
  std::vector<size_t> order(d.front.size());
  for (size_t k = 0; k < order.size(); ++k) order[k] = k;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {  // best first, objective by objective
    for (const dse::MetricObjective& o : d.objectives) {
      double x = d.front[a].metrics.at(o.metric), y = d.front[b].metrics.at(o.metric);
      if (x != y) return o.sense == dse::Sense::Maximize ? x > y : x < y;
    }
    return false;
  });
  std::vector<std::string> extra = extra_metrics(d);
  // Knobs with one value over the whole front are said once, above the table.
  std::vector<std::vector<std::pair<std::string, std::string>>> knobs;
  for (const dse::PointRecord& p : d.front) knobs.push_back(config_knobs(p.config_json));
  auto value = [&](size_t point, const std::string& name) {
    for (const auto& [k, v] : knobs[point])
      if (k == name) return v;
    return std::string();
  };
  std::vector<std::string> varying, constant;
  for (const std::string& k : d.knobs) {
    bool same = true;
    for (size_t i = 1; i < d.front.size(); ++i) same &= value(i, k) == value(0, k);
    if (same && d.front.size() > 1) constant.push_back(html_escape(k) + " = " + code(value(0, k)));
    else varying.push_back(k);
  }
  std::vector<std::string> head = {"rank"};
  std::vector<bool> numeric = {true};
  for (const std::string& k : varying) {
    head.push_back(html_escape(k));
    numeric.push_back(false);
  }
  for (const dse::MetricObjective& o : d.objectives) {
    head.push_back(html_escape(metric_info(o.metric).label) + (o.sense == dse::Sense::Maximize ? " ↑" : " ↓"));
    numeric.push_back(true);
  }
  for (const std::string& m : extra) {
    head.push_back(m == std::string("energy_j") ? "Energy" : html_escape(metric_info(m).label));
    numeric.push_back(true);
  }
  std::vector<std::vector<std::string>> rows;
  std::vector<size_t> marked;
  for (size_t k : order) {
    const dse::PointRecord& p = d.front[k];
    std::vector<std::string> r = {std::to_string(d.front_rank[k] + 1)};
    for (const std::string& name : varying) r.push_back(html_escape(value(k, name)));
    for (const dse::MetricObjective& o : d.objectives) r.push_back(html_escape(metric_text(o.metric, p.metrics.at(o.metric))));
    for (const std::string& m : extra) {
      auto it = p.metrics.find(m);
      r.push_back(it == p.metrics.end() ? "–" : html_escape(metric_text(m, it->second)));
    }
    if (d.chosen && d.chosen->key == p.key) marked.push_back(rows.size());
    rows.push_back(std::move(r));
  }
  std::string same;
  for (const std::string& c : constant) same += (same.empty() ? "" : ", ") + c;
  return (same.empty() ? "" : "<p class=\"muted\">The same on every front point: " + same + ".</p>") +
         "<div class=\"scroll\">" + table(head, rows, numeric, "front compact", marked) + "</div>";
}

std::string front_section(const ReportData& d) {
  std::string s = "<section id=\"front\"><h2><span class=\"no\">1</span>Pareto fronts</h2>";
  if (d.objectives.size() < 2) {
    s += note(d.objectives.empty() ? "The database names no objectives, so there is no Pareto front to draw."
                                   : "A single objective: there is no pair of objectives to project.");
    for (const std::string& n : d.notes) s += note(n);
    return s + "</section>";
  }
  const size_t n = d.objectives.size(), pairs = n * (n - 1) / 2;
  s += "<p class=\"lead\">Every pair of the " + std::to_string(n) + " objectives (" + html_escape(objectives_text(d.objectives)) +
       "), one chart each, over all " + std::to_string(d.points.size()) +
       " stored points. The front is the set of ok points no other ok point beats in every objective at once; "
       "a pair's 2-D front only looks at that pair. Axes switch to log scale where a metric spans more than two "
       "decades. Hover a marker for its point.</p>";
  s += "<div class=\"legend\"><span><i class=\"sw ok\"></i>ok point</span><span><i class=\"sw inf\">×</i>infeasible "
       "(broken constraint)</span><span><i class=\"sw front\"></i>on the Pareto front of all " +
       std::to_string(n) + " objectives</span><span><i class=\"sw ring\"></i>on the pair's 2-D front</span><span><i "
       "class=\"sw line\"></i>2-D front's attainment staircase</span><span><i class=\"sw star\">★</i>chosen point</span></div>";
  const bool three = pairs % 3 == 0;
  const std::string grid = pairs == 1 ? "grid1" : three ? "grid3" : "grid2";
  const double w = pairs == 1 ? 760 : three ? 380 : 560, h = pairs == 1 ? 440 : three ? 330 : 380;
  s += "<div class=\"" + grid + "\">";
  for (size_t i = 0; i < n; ++i)
    for (size_t j = i + 1; j < n; ++j) s += figure(pair_chart(d, i, j, w, h));
  s += "</div>";
  for (const std::string& m : d.notes) s += note(m);
  if (!d.front.empty()) {
    s += "<h3>The front: " + std::to_string(d.front.size()) + " points, best " + html_escape(metric_info(d.objectives[0].metric).label) +
         " first</h3><p class=\"lead\">Ideal rank: the order of SeQTO's ideal-point ranking (distance to the ideal point after "
         "min-max normalising each objective over the front); rank 1 is the default chosen point (highlighted).</p>";
    s += front_table(d);
  } else {
    s += note("No ok point has every objective metric: the front is empty.");
  }
  return s + "</section>";
}

// One line per pruning variant across the precisions (a slope chart); the chosen point's variant in orange.
std::string accuracy_chart(const ReportData& d) {
  const AccuracyTable& t = *d.accuracy;
  const dse::ExploreSpec* spec = d.spec ? &*d.spec : nullptr;
  const std::string chosen = d.chosen ? accuracy_labels(d.chosen->config_json, spec).first : "";
  svg::XYChart c;
  c.id = "accuracy-precision";
  c.title = "Accuracy by precision";
  c.subtitle = "one line per pruning variant; orange: the chosen point's variant";
  c.frame.width = 560;
  c.frame.height = 420;
  c.frame.bottom = 56;
  std::vector<double> all;
  for (const auto& row : t.cells)
    for (const AccuracyCell& cell : row)
      if (cell.points) all.push_back(cell.value);
  c.y = metric_axis("accuracy", all);
  c.y.log = false;
  c.x = svg::axis("Precision", "");
  c.x.min = -0.4;
  c.x.max = static_cast<double>(t.precisions.size()) - 0.6;
  for (size_t i = 0; i < t.precisions.size(); ++i) c.x.ticks.push_back({static_cast<double>(i), true, t.precisions[i]});
  svg::Series others{.name = "", .color = "#64748b", .shape = svg::Shape::circle, .size = 3.4, .opacity = 0.9, .points = {}, .css_class = "variant"};
  svg::Series mine{.name = "", .color = kChosen, .shape = svg::Shape::circle, .size = 4.4, .opacity = 1, .points = {}, .css_class = "variant chosen-variant"};
  svg::Line highlight;
  for (size_t v = 0; v < t.variants.size(); ++v) {
    const bool is_chosen = t.variants[v] == chosen;
    svg::Line line{.name = "", .color = is_chosen ? kChosen : "#a5b4c8", .width = is_chosen ? 2.6 : 1.3, .dash = "", .points = {}};
    for (size_t p = 0; p < t.precisions.size(); ++p) {
      const AccuracyCell& cell = t.cells[v][p];
      if (!cell.points) continue;
      line.points.emplace_back(static_cast<double>(p), cell.value);
      (is_chosen ? mine : others).points.push_back({static_cast<double>(p), cell.value,
                                                    t.variants[v] + " · " + t.precisions[p] + ": " + metric_text("accuracy", cell.value)});
    }
    if (is_chosen) highlight = line;
    else c.lines.push_back(line);
  }
  if (!highlight.points.empty()) c.lines.push_back(highlight);
  c.series = {others, mine};
  return svg::xy_chart(c);
}

std::string accuracy_section(const ReportData& d) {
  std::string s = "<section id=\"accuracy\"><h2><span class=\"no\">4</span>Accuracy vs precision</h2>";
  if (!d.accuracy) return s + note("The store holds no accuracy metric: this section is skipped.") + "</section>";
  const AccuracyTable& t = *d.accuracy;
  s += "<p class=\"lead\">The accuracy of each model variant as the store holds it: coda measures it once per variant "
       "(pruning x number format x quantization method) on the test set and every point of the variant reuses it. "
       "Cells are shaded from the lowest (white) to the highest (blue); ×n: the points stored with that variant.</p>";
  double lo = INFINITY, hi = -INFINITY;
  for (const auto& row : t.cells)
    for (const AccuracyCell& c : row)
      if (c.points) {
        lo = std::min(lo, c.value);
        hi = std::max(hi, c.value);
      }
  std::vector<std::string> head = {"pruning \\ precision"};
  for (const std::string& p : t.precisions) head.push_back(html_escape(p));
  s += "<div class=\"split2\"><div><table class=\"heat\"><thead><tr>";
  for (size_t c = 0; c < head.size(); ++c) s += std::string("<th") + (c ? " style=\"text-align:center\"" : "") + ">" + head[c] + "</th>";
  s += "</tr></thead><tbody>";
  for (size_t v = 0; v < t.variants.size(); ++v) {
    s += "<tr><td>" + html_escape(t.variants[v]) + "</td>";
    for (const AccuracyCell& c : t.cells[v]) {
      if (!c.points) {
        s += "<td class=\"cell muted\">–</td>";
        continue;
      }
      const double f = hi > lo ? (c.value - lo) / (hi - lo) : 1;
      const int r = static_cast<int>(std::lround(255 + f * (0x93 - 255))), g = static_cast<int>(std::lround(255 + f * (0xc5 - 255)));
      const std::string bg = format("#%02x%02xff", r, g);
      std::string extra = c.min < c.max ? " (varies: " + metric_text("accuracy", c.min) + " – " + metric_text("accuracy", c.max) + ")" : "";
      s += "<td class=\"cell\" style=\"background:" + bg + "\" title=\"" + std::to_string(c.points) +
           (c.points == 1 ? " point" : " points") + " stored with this variant\">" + html_escape(metric_text("accuracy", c.value)) +
           "<small>×" + std::to_string(c.points) + html_escape(extra) + "</small></td>";
    }
    s += "</tr>";
  }
  return s + "</tbody></table></div>" + figure(accuracy_chart(d)) + "</div></section>";
}

}  // namespace

std::string render_html(const ReportData& d) {
  std::string s = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
                  "content=\"width=device-width, initial-scale=1\"><title>coda report: " +
                  html_escape(d.spec_path.empty() ? d.database : d.spec_path) + "</title><style>" + kCss + "</style></head><body>";
  s += header(d);
  s += "<main class=\"wrap\">";
  s += front_section(d);
  s += point_section(d);
  s += roofline_section(d);
  s += accuracy_section(d);
  s += "</main><footer class=\"wrap\">Written by coda 0.1.0 from " + html_escape(d.database) +
       ". Self-contained: no script, font, stylesheet or image is loaded; every chart is inline SVG. "
       "docs/report.md explains how each number is computed.</footer></body></html>\n";
  return s;
}

std::string html_report(const dse::Store& db, const ReportOptions& o) { return render_html(collect(db, o)); }

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw IoError(path, std::string("cannot write: ") + std::strerror(errno));
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  out.close();
  if (!out) throw IoError(path, std::string("cannot write: ") + std::strerror(errno));
}

}  // namespace coda::report
