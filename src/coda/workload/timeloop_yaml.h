// Problem <-> Timeloop's problem YAML (v0.3: `problem: {shape: {name, dimensions, coefficients,
// data-spaces: [{name, projection, read-write}]}, instance: {dim: bound, coefficient: value}}`).
//
// Precision is not part of Timeloop's problem (word widths live in the architecture), so it is not
// written, and parsed data spaces get 32 bits. The parser accepts `data_spaces`/`read_write` too,
// a root with or without the `problem:` key, and a projection term written [dim] or [dim, coefficient]
// (either order). Missing instance dims are 1; missing coefficient values are the shape's default.
//
//   std::string text = to_timeloop_yaml(p);
//   Problem q = parse_timeloop_problem(text, "conv1.yaml");   // q == p up to precision
#pragma once
#include <string>

#include "coda/workload/problem.h"

namespace coda::workload {

std::string to_timeloop_yaml(const Problem& p);

// Throws ParseError("<where>", ...) on malformed YAML or a missing key, InvalidError on a problem
// that refers to undeclared names.
Problem parse_timeloop_problem(const std::string& yaml_text, const std::string& where);

}  // namespace coda::workload
