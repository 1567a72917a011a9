// `coda results DB`: the points of a results database (what `coda explore --db` writes) as a table, CSV
// or JSON; `--pareto` keeps the ok points on the Pareto front of the objectives (--objectives, else the
// database's meta "objectives"). The database is opened without creating or changing it.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "coda/core/error.h"
#include "coda/dse/store.h"

namespace coda::cli {

namespace {

using ojson = nlohmann::ordered_json;

struct ResultsOptions {
  std::string db, objectives;
  bool pareto = false, csv = false, json = false;
};

// The shortest text that reads back as the same double ("nan", "inf" for those).
std::string exact(double v) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

// A configuration's knobs as flat columns: nested objects join their keys with '.', arrays stay JSON,
// strings are bare. Text that is not a JSON object becomes one column "config".
std::vector<std::pair<std::string, std::string>> flatten_config(const std::string& text) {
  std::vector<std::pair<std::string, std::string>> out;
  ojson j = ojson::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    out.emplace_back("config", text);
    return out;
  }
  auto walk = [&](auto&& self, const ojson& v, const std::string& prefix) -> void {
    for (auto it = v.begin(); it != v.end(); ++it) {
      std::string name = prefix.empty() ? it.key() : prefix + "." + it.key();
      if (it->is_object()) self(self, *it, name);
      else if (it->is_string()) out.emplace_back(name, it->get<std::string>());
      else if (it->is_null()) out.emplace_back(name, "");
      else out.emplace_back(name, it->dump());
    }
  };
  walk(walk, j, "");
  return out;
}

ojson config_json(const std::string& text) {
  ojson j = ojson::parse(text, nullptr, false);
  return j.is_discarded() ? ojson(text) : j;
}

// Metric columns: the objectives' metrics first, then the others by name.
std::vector<std::string> metric_columns(const std::vector<dse::PointRecord>& points,
                                        const std::vector<dse::MetricObjective>& objectives) {
  std::set<std::string> names;
  for (const dse::PointRecord& p : points)
    for (const auto& m : p.metrics) names.insert(m.first);
  std::vector<std::string> cols;
  for (const dse::MetricObjective& o : objectives)
    if (names.erase(o.metric)) cols.push_back(o.metric);
  cols.insert(cols.end(), names.begin(), names.end());
  return cols;
}

void print_csv(const std::vector<dse::PointRecord>& points, const std::vector<std::string>& metrics) {
  std::vector<std::vector<std::pair<std::string, std::string>>> knobs;
  std::vector<std::string> knob_cols;  // in order of first appearance
  std::set<std::string> taken = {"key", "status", "reason", "seconds"};
  taken.insert(metrics.begin(), metrics.end());
  std::map<std::string, std::string> column_of;  // knob -> its column name (prefixed "config." if it clashes)
  for (const dse::PointRecord& p : points) {
    knobs.push_back(flatten_config(p.config_json));
    for (const auto& [name, value] : knobs.back())
      if (!column_of.count(name)) {
        std::string col = taken.count(name) ? "config." + name : name;
        column_of[name] = col;
        knob_cols.push_back(name);
        taken.insert(col);
      }
  }
  std::string line = "key,status,reason,seconds";
  for (const std::string& m : metrics) line += "," + csv_field(m);
  for (const std::string& k : knob_cols) line += "," + csv_field(column_of[k]);
  std::printf("%s\n", line.c_str());
  for (size_t i = 0; i < points.size(); ++i) {
    const dse::PointRecord& p = points[i];
    line = csv_field(p.key) + "," + p.status + "," + csv_field(p.reason) + "," + exact(p.seconds);
    for (const std::string& m : metrics) {
      auto it = p.metrics.find(m);
      line += "," + (it == p.metrics.end() ? std::string() : exact(it->second));
    }
    std::map<std::string, std::string> values(knobs[i].begin(), knobs[i].end());
    for (const std::string& k : knob_cols) {
      auto it = values.find(k);
      line += "," + (it == values.end() ? std::string() : csv_field(it->second));
    }
    std::printf("%s\n", line.c_str());
  }
}

void print_json(const std::string& db, const std::vector<dse::PointRecord>& points,
                const std::vector<dse::MetricObjective>& objectives, bool pareto) {
  ojson out;
  out["database"] = db;
  out["objectives"] = objectives.empty() ? ojson(nullptr) : ojson(dse::format_objectives(objectives));
  out["pareto"] = pareto;
  ojson list = ojson::array();
  for (const dse::PointRecord& p : points) {
    ojson j;
    j["seq"] = p.seq;
    j["key"] = p.key;
    j["status"] = p.status;
    j["reason"] = p.reason;
    j["seconds"] = p.seconds;  // NaN is written as null
    ojson m = ojson::object();
    for (const auto& [name, value] : p.metrics) m[name] = value;
    j["metrics"] = m;
    j["config"] = config_json(p.config_json);
    list.push_back(std::move(j));
  }
  out["points"] = std::move(list);
  std::printf("%s\n", out.dump(2).c_str());
}

void print_table(const std::vector<dse::PointRecord>& points, const std::vector<std::string>& metrics) {
  std::vector<std::string> head = {"key", "status"};
  head.insert(head.end(), metrics.begin(), metrics.end());
  head.push_back("seconds");
  head.push_back("config");
  head.push_back("reason");
  std::vector<std::vector<std::string>> rows;
  for (const dse::PointRecord& p : points) {
    std::vector<std::string> r = {p.key, p.status};
    for (const std::string& m : metrics) {
      auto it = p.metrics.find(m);
      r.push_back(it == p.metrics.end() ? "-" : format("%.6g", it->second));
    }
    r.push_back(format("%.3f", p.seconds));
    r.push_back(p.config_json);
    r.push_back(p.reason);
    rows.push_back(std::move(r));
  }
  std::vector<size_t> width(head.size());
  for (size_t c = 0; c < head.size(); ++c) {
    width[c] = head[c].size();
    for (const auto& r : rows) width[c] = std::max(width[c], r[c].size());
  }
  bool any_reason = false;
  for (const dse::PointRecord& p : points) any_reason |= !p.reason.empty();
  size_t ncols = head.size() - (any_reason ? 0 : 1);
  auto print_row = [&](const std::vector<std::string>& r) {
    std::string line;
    for (size_t c = 0; c < ncols; ++c) {
      bool last = c + 1 == ncols, numeric = c >= 2 && c < 2 + metrics.size() + 1;
      std::string pad(width[c] - r[c].size(), ' ');
      line += numeric ? pad + r[c] : (last ? r[c] : r[c] + pad);
      if (!last) line += "  ";
    }
    line.erase(line.find_last_not_of(' ') + 1);
    std::printf("%s\n", line.c_str());
  };
  print_row(head);
  for (const auto& r : rows) print_row(r);
}

int run_results(const ResultsOptions& o) {
  dse::Store db(o.db, dse::Store::Open::existing);
  std::vector<dse::MetricObjective> objectives;
  std::string where;
  if (!o.objectives.empty()) {
    where = "--objectives";
    objectives = dse::parse_objectives(o.objectives, where);
  } else if (std::optional<std::string> m = db.meta("objectives")) {
    where = o.db + ": meta objectives";
    objectives = dse::parse_objectives(*m, where);
  }
  if (o.pareto && objectives.empty())
    throw InvalidError(o.db, "--pareto needs objectives: the database has no 'objectives' meta; give --objectives, "
                             "e.g. \"accuracy:max,latency_s:min\"");
  std::vector<dse::PointRecord> points = db.all();

  std::set<std::string> known;
  for (const dse::PointRecord& p : points)
    for (const auto& m : p.metrics) known.insert(m.first);
  if (!points.empty() && (o.pareto || !o.objectives.empty()))  // a plain listing works with any points
    for (const dse::MetricObjective& ob : objectives)
      if (!known.count(ob.metric)) {
        std::string list;
        for (const std::string& k : known) list += (list.empty() ? "" : ", ") + k;
        throw InvalidError(where, "objective '" + ob.metric + "' is not a metric of any point in " + o.db +
                                      " (metrics: " + (list.empty() ? "none" : list) + ")");
      }

  size_t total = points.size(), ok = 0, infeasible = 0, failed = 0, lacking = 0;
  for (const dse::PointRecord& p : points)
    (p.status == "ok" ? ok : p.status == "infeasible" ? infeasible : failed)++;
  if (o.pareto) {
    points = dse::pareto_points(points, objectives, &lacking);
    // Best first on the first objective, ties in insertion order.
    const dse::MetricObjective& first = objectives.front();
    std::stable_sort(points.begin(), points.end(), [&](const dse::PointRecord& a, const dse::PointRecord& b) {
      double x = a.metrics.at(first.metric), y = b.metrics.at(first.metric);
      return first.sense == dse::Sense::Maximize ? x > y : x < y;
    });
  }
  std::vector<std::string> metrics = metric_columns(points, objectives);

  if (o.csv) {
    print_csv(points, metrics);
  } else if (o.json) {
    print_json(o.db, points, objectives, o.pareto);
  } else {
    print_table(points, metrics);
    if (o.pareto)
      std::printf("%zu points on the Pareto front of %s (of %zu ok points%s)\n", points.size(),
                  dse::format_objectives(objectives).c_str(), ok,
                  lacking ? format("; %zu lack an objective metric", lacking).c_str() : "");
    else
      std::printf("%zu points: %zu ok, %zu infeasible, %zu error\n", total, ok, infeasible, failed);
  }
  return 0;
}

}  // namespace

Action add_results(CLI::App& app) {
  auto o = std::make_shared<ResultsOptions>();
  auto* sub = app.add_subcommand("results", "List or export the points of a results database (coda explore --db)");
  sub->add_option("DB", o->db, "the results database (SQLite); never created or changed")->required();
  sub->add_flag("--pareto", o->pareto, "only the ok points on the Pareto front of the objectives");
  auto* csv = sub->add_flag("--csv", o->csv, "CSV: key,status,reason,seconds,<metrics>,<config knobs>");
  sub->add_flag("--json", o->json, "JSON: {database, objectives, pareto, points: [{seq, key, status, reason, seconds, "
                                   "metrics, config}]}")
      ->excludes(csv);
  sub->add_option("--objectives", o->objectives,
                  "e.g. \"accuracy:max,latency_s:min\" (default: the database's meta 'objectives')");
  return [o] { return run_results(*o); };
}

}  // namespace coda::cli
