// Design spaces for `coda explore`: a YAML spec naming the model, the knobs (hardware template
// parameters and precision), objectives, constraints, the carbon preset and the optimizer.
//
//   model: models/vit.onnx            # an .onnx file (relative to the spec) or zoo:NAME
//   accuracy: {limit: 2000, calib: 256}   # test samples per accuracy measurement, calibration samples
//   pruning: {keep: [1, 0.75, 0.5], heads: [1, 0.5], layers: [4, 3]}   # FFN/hidden channels and attention heads kept
//                                                     # (fractions); residual layers kept (graph/prune.h)
//   hardware:
//     template: catransformers
//     knobs: {clusters: [1, 2, 4], width: [32, 64, 128, 256], depth: [2, 4, 8, 16, 32, 64]}
//     fixed: {l2_kib: 256}
//   precision: {formats: [W8A8, W4A8, W4A4], methods: [rtn]}   # quant/study.h's names; fp32 allowed
//   # or per layer group (a knob "format.attn" each; unmatched layers take `formats`, or stay float):
//   #   precision: {methods: [rtn], groups: {attn: {match: /attn/, formats: [W8A8, W4A4]}, ffn: {match: /fc, formats: [W4A4]}}}
//   objectives: [accuracy:max, latency_s:min, carbon_total_g:min]
//   constraints: {latency_s: {max: 0.05}, area_mm2: {max: 319.9}, tops: {max: 20.48}}
//   carbon: catransformers            # a preset of carbon/carbon.h
//   optimizer: {name: nsga2, budget: 64, batch: 8, seed: 1}   # grid | random | sobol | nsga2 | bo
//   mapper: {samples: 2000, refine: 2000, exhaustive_limit: 20000}
//
// Metrics of a point: accuracy (top-1, or PSNR in dB for reconstruction models), latency_s, energy_j
// (per inference), power_w (energy / latency, running back to back), area_mm2, tops, macs, carbon_embodied_g, carbon_operational_g, carbon_total_g.
// Unknown keys, knobs, metrics or values are InvalidError / ParseError naming file and line.
#pragma once
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "coda/dse/optimizer.h"
#include "coda/dse/pareto.h"
#include "coda/dse/store.h"
#include "coda/map/mapper.h"

namespace coda::dse {

struct Knob {
  std::string name;                 // template parameter, "keep" / "heads" / "layers" (pruning), "format" / "method" /
                                    // "format.GROUP" (precision)
  bool hardware = true;
  std::vector<std::string> values;  // as written
};

using ObjectiveSpec = MetricObjective;  // store.h

// A layer group with its own precision knob ("format.NAME"): the quantizable layers whose node name
// contains `match`. A layer takes the first group that matches it; other layers take the network's
// "format" knob, or stay in float when the spec has none.
struct PrecisionGroup {
  std::string name, match;
};

struct Constraint {
  std::string metric;
  double min = -std::numeric_limits<double>::infinity();
  double max = std::numeric_limits<double>::infinity();
};

struct ExploreSpec {
  std::string where;                // the file (or "built-in demo")
  std::string yaml, base_dir;       // the text it was parsed from and the directory its paths are relative to
  std::string model;                // resolved path or zoo spec
  std::string dataset;              // empty: the model's
  int64_t eval_limit = -1, calib = 256;
  std::string hw_template;
  std::map<std::string, std::string> hw_fixed;
  std::vector<Knob> knobs;
  std::vector<PrecisionGroup> groups;
  std::vector<ObjectiveSpec> objectives;
  std::vector<Constraint> constraints;
  std::string carbon_preset = "catransformers";
  std::string optimizer = "nsga2";
  size_t budget = 64, batch = 8;
  uint64_t seed = 1;
  map::MapperOptions mapper;
};

// The metric names a spec may use.
const std::vector<std::string>& metric_names();

ExploreSpec parse_spec(const std::string& yaml, const std::string& where, const std::string& base_dir = ".");
ExploreSpec load_spec(const std::string& path);

// One Choice variable per knob, in spec order.
std::vector<Variable> variables(const ExploreSpec& s);
// The knob values of a point (choice indices -> values).
std::map<std::string, std::string> knob_values(const ExploreSpec& s, const Point& p);
// Canonical key and JSON of a point: "name=value;..." in spec order; {"name": "value", ...}.
std::string point_key(const ExploreSpec& s, const Point& p);
std::string point_json(const ExploreSpec& s, const Point& p);
// The point of a stored key (InvalidError if the key does not belong to this space).
Point point_of_key(const ExploreSpec& s, const std::string& key);
// Objectives as stored in a results database's meta ("accuracy:max,latency_s:min").
std::string objectives_text(const ExploreSpec& s);

}  // namespace coda::dse
