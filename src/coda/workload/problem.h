// workload::Problem: one layer's loop nest in Timeloop's vocabulary (a "problem shape" plus its
// "instance"): named loop dimensions with bounds, named coefficients (strides, dilations), and data
// spaces (Weights, Inputs, Outputs) whose ranks are projections: sums of products of a dimension and
// an optional coefficient, e.g. an input column = Wstride*P + Wdilation*R.
//
//   Problem p = conv_problem({.N = 1, .K = 64, .C = 3, .P = 112, .Q = 112, .R = 7, .S = 7,
//                             .Wstride = 2, .Hstride = 2});            // problem_shapes.h
//   p.macs();                                   // 118013952
//   p.data_space_size(p.data_space_index("Inputs"));  // 1*3*229*229 (padded extent)
//   p.bound("K");                               // 64; 1 for a dim the problem does not have
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace coda::workload {

struct Problem {
  // dims[dim] * coefficients[coefficient].value, or dims[dim] alone when coefficient is -1.
  struct Term {
    int dim = 0;
    int coefficient = -1;
    bool operator==(const Term&) const = default;
  };
  // One rank of a data space: the sum of its terms.
  using Projection = std::vector<Term>;
  struct Coefficient {
    std::string name;
    int64_t value = 1;
    bool operator==(const Coefficient&) const = default;
  };
  struct DataSpace {
    std::string name;
    std::vector<Projection> projection;  // one entry per rank, outermost first
    bool read_write = false;             // true for Outputs (partial sums are read and updated)
    int precision_bits = 32;             // bits per element as stored (int8 weights: 8)
    bool operator==(const DataSpace&) const = default;
  };

  std::string name;                       // Timeloop's shape name, e.g. "CNN-Layer"
  std::vector<std::string> dims;          // loop dimensions
  std::vector<int64_t> bounds;            // one per dim (Timeloop's instance)
  std::vector<Coefficient> coefficients;  // with their instance values
  std::vector<DataSpace> data_spaces;

  bool operator==(const Problem&) const = default;

  int dim_index(std::string_view dim) const;         // -1 if absent
  int coefficient_index(std::string_view c) const;   // -1 if absent
  int data_space_index(std::string_view ds) const;   // -1 if absent
  int64_t bound(std::string_view dim) const;         // 1 if absent
  // Multiply-accumulates of the whole nest: the product of the bounds.
  int64_t macs() const;
  // Extent of one rank: sum over terms of coefficient * (bound - 1), plus 1.
  int64_t rank_extent(int data_space, int rank) const;
  // Elements of a data space: the product of its rank extents.
  int64_t data_space_size(int data_space) const;
};

// Checks the references and values of a problem (unique dims, bounds and coefficients >= 1, term
// indices in range, at most 2^53 MACs and 2^53 elements per data space).
// Throws InvalidError("<where>", ...) naming the first problem.
void check(const Problem& p, const std::string& where);

}  // namespace coda::workload
