// The small results store the results_db target starts from (and commits as a raw seed): what
// `coda explore` writes, with meta "objectives", ok, infeasible and error points, and a NaN metric.
#pragma once
#include <cmath>
#include <string>

#include "coda/dse/store.h"

namespace fuzz {

inline coda::dse::PointRecord point(std::string key, std::string config, std::map<std::string, double> metrics,
                             std::string status = "ok", std::string reason = "") {
  coda::dse::PointRecord p;
  p.key = std::move(key), p.config_json = std::move(config), p.metrics = std::move(metrics);
  p.status = std::move(status), p.reason = std::move(reason);
  return p;
}

inline void make_results_store(const std::string& path) {
  coda::dse::Store db(path, coda::dse::Store::Open::create, 0);
  db.set_meta("objectives", "accuracy:max,latency_s:min");
  db.set_meta("space", "width=32,64;|model=zoo:mlp|template=gemmini");
  coda::dse::PointRecord a = point("width=32", "{\"width\": \"32\"}", {{"accuracy", 0.91}, {"latency_s", 2.5e-3}, {"area_mm2", 1.5}});
  a.seconds = 1.25;
  db.put(a);
  db.put_many({point("width=64", "{\"width\": \"64\", \"hw\": {\"dim\": [1, 2]}}",
                     {{"accuracy", 0.93}, {"latency_s", 4e-3}, {"area_mm2", std::nan("")}}),
               point("width=128", "not json", {{"latency_s", 0.1}}, "infeasible", "latency_s 0.1 > max 0.05"),
               point("width=256", "{}", {}, "error", "mapper found nothing")});
}

}  // namespace fuzz
