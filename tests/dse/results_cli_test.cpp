// `coda results`: runs the built binary on stores written through dse::Store and checks the table, the
// CSV and JSON (values exact), the Pareto filter against brute force, and the one-line errors.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "coda/dse/store.h"
#include "../cli_util.h"

namespace fs = std::filesystem;
using coda::dse::PointRecord;
using coda::dse::Store;
using namespace coda::test;

namespace {

// The scratch files go when the test process ends.
struct RemoveScratch {
  ~RemoveScratch() {
    std::error_code ec;
    fs::remove_all(fs::temp_directory_path() / ("coda_results_cli_" + std::to_string(getpid())), ec);
  }
} remove_scratch;

fs::path dir() {
  fs::path d = fs::temp_directory_path() / ("coda_results_cli_" + std::to_string(getpid()));
  fs::create_directories(d);
  return d;
}




std::vector<std::string> lines(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < s.size()) {
    size_t nl = s.find('\n', start);
    out.push_back(s.substr(start, nl - start));
    start = nl == std::string::npos ? s.size() : nl + 1;
  }
  return out;
}

// RFC 4180 records (quoted fields may hold commas, quotes and newlines).
std::vector<std::vector<std::string>> parse_csv(const std::string& s) {
  std::vector<std::vector<std::string>> rows(1);
  std::string field;
  bool quoted = false, in_quotes = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (in_quotes) {
      if (c == '"' && i + 1 < s.size() && s[i + 1] == '"') field += '"', ++i;
      else if (c == '"') in_quotes = false;
      else field += c;
    } else if (c == '"' && field.empty() && !quoted) {
      in_quotes = quoted = true;
    } else if (c == ',') {
      rows.back().push_back(field);
      field.clear();
      quoted = false;
    } else if (c == '\n') {
      rows.back().push_back(field);
      field.clear();
      quoted = false;
      rows.emplace_back();
    } else {
      field += c;
    }
  }
  if (rows.back().empty()) rows.pop_back();
  return rows;
}

PointRecord point(const std::string& key, double acc, double lat, double energy, const std::string& config) {
  PointRecord p;
  p.key = key;
  p.config_json = config;
  p.metrics = {{"accuracy", acc}, {"latency_s", lat}, {"energy_j", energy}};
  p.seconds = acc * 10 + 1.0 / 3.0;
  return p;
}

// Six points: four ok (p3 dominated in accuracy:max, latency_s:min), one infeasible, one error.
std::vector<PointRecord> fixture_points() {
  std::vector<PointRecord> ps = {
      point("hw:dim=32|W8A8", 0.90, 3.0, 1.0 / 3.0, R"({"format":"W8A8","hw":{"dim":32,"sp_kib":512},"note":"a,b"})"),
      point("hw:dim=16|W4A8", 0.85, 1.0, 0.1, R"({"format":"W4A8","hw":{"dim":16,"sp_kib":256},"note":"say \"hi\""})"),
      point("hw:dim=8|W4A4", 0.80, 2.0, 0.05, R"({"format":"W4A4","hw":{"dim":8,"sp_kib":256},"note":null})"),
      point("hw:dim=64|W8A8", 0.95, 5.0, 2.0000000000000004, R"({"format":"W8A8","hw":{"dim":64,"sp_kib":1024},"note":""})"),
  };
  PointRecord inf;
  inf.key = "hw:dim=128|W8A8";
  inf.config_json = R"({"format":"W8A8","hw":{"dim":128,"sp_kib":64},"note":"x"})";
  inf.status = "infeasible";
  inf.reason = "layer /blocks.0/attn: no mapping fits, \"weights\" tile 65536 words > 32768";
  inf.seconds = 0.25;
  PointRecord err;
  err.key = "hw:dim=4|W4A4";
  err.config_json = R"({"format":"W4A4","hw":{"dim":4,"sp_kib":64},"extra":[1,2]})";
  err.status = "error";
  err.reason = "evaluation failed";
  err.seconds = 0.125;
  ps.push_back(inf);
  ps.push_back(err);
  return ps;
}

std::string fixture_db(bool with_objectives = true) {
  fs::path p = dir() / (with_objectives ? "fixture.db" : "fixture_noobj.db");
  for (const char* s : {"", "-wal", "-shm"}) fs::remove(p.string() + s);
  Store db(p.string());
  if (with_objectives) db.set_meta("objectives", "accuracy:max,latency_s:min");
  for (const PointRecord& r : fixture_points()) db.put(r);
  return p.string();
}

TEST(ResultsCli, TableListsEveryPoint) {
  std::string db = fixture_db();
  Outcome r = run_coda("results " + db);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err, "");
  auto ls = lines(r.out);
  ASSERT_EQ(ls.size(), 8u) << r.out;  // header, six points, summary
  // Objective metrics first, then the others; config and reason last.
  size_t key = ls[0].find("key"), status = ls[0].find("status"), acc = ls[0].find("accuracy"),
         lat = ls[0].find("latency_s"), energy = ls[0].find("energy_j"), config = ls[0].find("config"),
         reason = ls[0].find("reason");
  EXPECT_TRUE(key < status && status < acc && acc < lat && lat < energy && energy < config && config < reason) << ls[0];
  auto ps = fixture_points();
  for (size_t i = 0; i < ps.size(); ++i) {
    EXPECT_EQ(ls[i + 1].rfind(ps[i].key, 0), 0u) << ls[i + 1];
    EXPECT_NE(ls[i + 1].find(ps[i].status), std::string::npos);
    EXPECT_NE(ls[i + 1].find(ps[i].config_json), std::string::npos);
    EXPECT_NE(ls[i + 1].find(ps[i].reason), std::string::npos);
  }
  EXPECT_NE(ls[1].find("0.9 "), std::string::npos) << ls[1];
  EXPECT_NE(ls[1].find("0.333333"), std::string::npos) << ls[1];
  EXPECT_EQ(ls[7], "6 points: 4 ok, 1 infeasible, 1 error");
}

TEST(ResultsCli, CsvIsExactAndQuoted) {
  std::string db = fixture_db();
  Outcome r = run_coda("results " + db + " --csv");
  ASSERT_EQ(r.status, 0) << r.err;
  auto rows = parse_csv(r.out);
  ASSERT_EQ(rows.size(), 7u) << r.out;
  EXPECT_EQ(rows[0], (std::vector<std::string>{"key", "status", "reason", "seconds", "accuracy", "latency_s", "energy_j",
                                               "format", "hw.dim", "hw.sp_kib", "note", "extra"}));
  auto ps = fixture_points();
  for (size_t i = 0; i < ps.size(); ++i) {
    const auto& row = rows[i + 1];
    ASSERT_EQ(row.size(), rows[0].size()) << i;
    EXPECT_EQ(row[0], ps[i].key);
    EXPECT_EQ(row[1], ps[i].status);
    EXPECT_EQ(row[2], ps[i].reason);
    EXPECT_EQ(std::strtod(row[3].c_str(), nullptr), ps[i].seconds);  // exact, not near
    for (size_t c = 4; c < 7; ++c) {
      auto it = ps[i].metrics.find(rows[0][c]);
      if (it == ps[i].metrics.end()) EXPECT_EQ(row[c], "");
      else EXPECT_EQ(std::strtod(row[c].c_str(), nullptr), it->second) << rows[0][c] << " of " << ps[i].key;
    }
    nlohmann::json cfg = nlohmann::json::parse(ps[i].config_json);
    EXPECT_EQ(row[7], cfg["format"].get<std::string>());
    EXPECT_EQ(row[8], cfg["hw"]["dim"].dump());
    EXPECT_EQ(row[9], cfg["hw"]["sp_kib"].dump());
    std::string note = cfg.contains("note") && cfg["note"].is_string() ? cfg["note"].get<std::string>() : "";
    EXPECT_EQ(row[10], note);
    EXPECT_EQ(row[11], cfg.contains("extra") ? cfg["extra"].dump() : "");
  }
}

TEST(ResultsCli, JsonHasEveryField) {
  std::string db = fixture_db();
  Outcome r = run_coda("results " + db + " --json");
  ASSERT_EQ(r.status, 0) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["database"], db);
  EXPECT_EQ(j["objectives"], "accuracy:max,latency_s:min");
  EXPECT_EQ(j["pareto"], false);
  auto ps = fixture_points();
  ASSERT_EQ(j["points"].size(), ps.size());
  for (size_t i = 0; i < ps.size(); ++i) {
    const auto& p = j["points"][i];
    EXPECT_EQ(p["seq"], static_cast<int>(i + 1));
    EXPECT_EQ(p["key"], ps[i].key);
    EXPECT_EQ(p["status"], ps[i].status);
    EXPECT_EQ(p["reason"], ps[i].reason);
    EXPECT_EQ(p["seconds"].get<double>(), ps[i].seconds);
    EXPECT_EQ(p["config"], nlohmann::json::parse(ps[i].config_json));
    ASSERT_EQ(p["metrics"].size(), ps[i].metrics.size());
    for (const auto& [name, v] : ps[i].metrics) EXPECT_EQ(p["metrics"][name].get<double>(), v) << name;
  }
}

// Brute force: the ok points no other ok point dominates.
std::vector<std::string> brute_front(const std::vector<PointRecord>& ps,
                                     const std::vector<std::pair<std::string, bool>>& obj) {  // (metric, maximize)
  std::vector<std::string> keys;
  for (const auto& p : ps) {
    if (p.status != "ok") continue;
    bool dominated = false;
    for (const auto& q : ps) {
      if (q.status != "ok") continue;
      bool no_worse = true, better = false;
      for (const auto& [m, max] : obj) {
        double a = p.metrics.at(m), b = q.metrics.at(m);
        if (max) std::swap(a, b);  // now smaller is better: q better if b < a
        no_worse &= b <= a;
        better |= b < a;
      }
      dominated |= no_worse && better;
    }
    if (!dominated) keys.push_back(p.key);
  }
  return keys;
}

std::vector<std::string> csv_keys(const std::string& out) {
  auto rows = parse_csv(out);
  std::vector<std::string> keys;
  for (size_t i = 1; i < rows.size(); ++i) keys.push_back(rows[i][0]);
  return keys;
}

TEST(ResultsCli, ParetoFromMetaAndFromFlag) {
  std::string db = fixture_db();
  auto ps = fixture_points();
  // From the store's meta: accuracy:max, latency_s:min; listed best accuracy first.
  Outcome r = run_coda("results " + db + " --pareto --csv");
  ASSERT_EQ(r.status, 0) << r.err;
  std::vector<std::string> expected = brute_front(ps, {{"accuracy", true}, {"latency_s", false}});
  EXPECT_EQ(expected, (std::vector<std::string>{"hw:dim=32|W8A8", "hw:dim=16|W4A8", "hw:dim=64|W8A8"}));
  EXPECT_EQ(csv_keys(r.out), (std::vector<std::string>{"hw:dim=64|W8A8", "hw:dim=32|W8A8", "hw:dim=16|W4A8"}));

  // --objectives overrides the meta; the front is then by latency and energy, fastest first.
  r = run_coda("results " + db + " --pareto --csv --objectives 'latency_s:min, energy_j:min'");
  ASSERT_EQ(r.status, 0) << r.err;
  expected = brute_front(ps, {{"latency_s", false}, {"energy_j", false}});
  EXPECT_EQ(expected, (std::vector<std::string>{"hw:dim=16|W4A8", "hw:dim=8|W4A4"}));
  EXPECT_EQ(csv_keys(r.out), expected);
  EXPECT_EQ(parse_csv(r.out)[0][4], "latency_s");  // objective metrics lead the columns

  r = run_coda("results " + db + " --pareto");
  ASSERT_EQ(r.status, 0) << r.err;
  auto ls = lines(r.out);
  ASSERT_EQ(ls.size(), 5u) << r.out;
  EXPECT_EQ(ls[4], "3 points on the Pareto front of accuracy:max,latency_s:min (of 4 ok points)");

  r = run_coda("results " + db + " --pareto --json");
  ASSERT_EQ(r.status, 0) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["pareto"], true);
  ASSERT_EQ(j["points"].size(), 3u);
  EXPECT_EQ(j["points"][0]["key"], "hw:dim=64|W8A8");

  // A store without the meta takes --objectives.
  std::string plain = fixture_db(false);
  r = run_coda("results " + plain + " --pareto --csv --objectives accuracy:max,latency_s:min");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(csv_keys(r.out).size(), 3u);
}

TEST(ResultsCli, EmptyStore) {
  fs::path p = dir() / "empty.db";
  for (const char* s : {"", "-wal", "-shm"}) fs::remove(p.string() + s);
  { Store db(p.string()); }
  Outcome r = run_coda("results " + p.string());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(lines(r.out).back(), "0 points: 0 ok, 0 infeasible, 0 error");
  r = run_coda("results " + p.string() + " --json");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["points"].size(), 0u);
  r = run_coda("results " + p.string() + " --csv");
  EXPECT_EQ(r.out, "key,status,reason,seconds\n");
}

TEST(ResultsCli, OneLineErrors) {
  std::string db = fixture_db(), plain = fixture_db(false);
  fs::path missing = dir() / "missing.db";
  expect_one_line_error(run_coda("results " + missing.string()), missing.string(), "cannot open database");
  EXPECT_FALSE(fs::exists(missing));  // never created

  fs::path txt = dir() / "notes.txt";
  std::ofstream(txt) << "not a database\n";
  expect_one_line_error(run_coda("results " + txt.string()), txt.string(), "not a coda results database (not an SQLite file)");
  EXPECT_EQ(slurp(txt), "not a database\n");

  fs::path foreign = dir() / "foreign.db";
  fs::remove(foreign);
  sqlite3* h = nullptr;
  ASSERT_EQ(sqlite3_open(foreign.c_str(), &h), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(h, "CREATE TABLE t(x); INSERT INTO t VALUES (1);", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(h);
  std::string before = slurp(foreign);
  expect_one_line_error(run_coda("results " + foreign.string()), foreign.string(), "SQLite database of another application");
  EXPECT_EQ(slurp(foreign), before);

  expect_one_line_error(run_coda("results " + db + " --objectives accuracy:up"), "--objectives", "sense 'up' is not min or max");
  expect_one_line_error(run_coda("results " + db + " --pareto --objectives accuracy"), "--objectives", "has no sense");
  expect_one_line_error(run_coda("results " + db + " --pareto --objectives acuracy:max"), "--objectives",
                        "objective 'acuracy' is not a metric of any point");
  expect_one_line_error(run_coda("results " + plain + " --pareto"), plain, "--pareto needs objectives");
  expect_one_line_error(run_coda("results " + db + " --csv --json"), "command line", "excludes");
  expect_one_line_error(run_coda("results"), "command line", "DB");

  // A store whose meta holds a bad objective list names the meta.
  fs::path badmeta = dir() / "badmeta.db";
  for (const char* s : {"", "-wal", "-shm"}) fs::remove(badmeta.string() + s);
  {
    Store s(badmeta.string());
    s.set_meta("objectives", "accuracy:best");
  }
  expect_one_line_error(run_coda("results " + badmeta.string() + " --pareto"), badmeta.string() + ": meta objectives",
                        "sense 'best'");
}

}  // namespace
