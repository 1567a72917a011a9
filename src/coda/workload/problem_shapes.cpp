#include "coda/workload/problem_shapes.h"

namespace coda::workload {

namespace {

using Term = Problem::Term;
using Projection = Problem::Projection;

// Builds a problem dim by dim and data space by data space, referring to dims and coefficients by name.
class ShapeWriter {
 public:
  explicit ShapeWriter(std::string name) { p_.name = std::move(name); }
  void dim(const std::string& d, int64_t bound) {
    p_.dims.push_back(d);
    p_.bounds.push_back(bound);
  }
  void coefficient(const std::string& c, int64_t value) { p_.coefficients.push_back({c, value}); }
  // One rank: a single dim, or a sum of (dim, coefficient) products.
  Projection rank(const std::string& d) const { return {Term{p_.dim_index(d), -1}}; }
  Projection rank(const std::vector<std::pair<std::string, std::string>>& terms) const {
    Projection out;
    for (const auto& [d, c] : terms) out.push_back({p_.dim_index(d), p_.coefficient_index(c)});
    return out;
  }
  void data_space(const std::string& name, std::vector<Projection> ranks, int bits, bool read_write = false) {
    p_.data_spaces.push_back({name, std::move(ranks), read_write, bits});
  }
  Problem take() { return std::move(p_); }

 private:
  Problem p_;
};

// The dims and coefficients shared by conv and conv-transpose problems.
ShapeWriter conv_writer(const std::string& name, const ConvShape& s) {
  ShapeWriter w(s.G > 1 ? "Grouped-" + name : name);
  for (auto [d, b] : {std::pair{"R", s.R}, {"S", s.S}, {"P", s.P}, {"Q", s.Q}, {"C", s.C}, {"K", s.K}, {"N", s.N}})
    w.dim(d, b);
  if (s.G > 1) w.dim("G", s.G);
  w.coefficient("Wstride", s.Wstride);
  w.coefficient("Hstride", s.Hstride);
  w.coefficient("Wdilation", s.Wdilation);
  w.coefficient("Hdilation", s.Hdilation);
  return w;
}

// Prepends rank G when the shape is grouped (after N when `after_n`).
std::vector<Projection> grouped(const ShapeWriter& w, const ConvShape& s, std::vector<Projection> ranks, bool after_n) {
  if (s.G > 1) ranks.insert(ranks.begin() + (after_n ? 1 : 0), w.rank("G"));
  return ranks;
}

}  // namespace

Problem conv_problem(const ConvShape& s, Precision bits) {
  ShapeWriter w = conv_writer("CNN-Layer", s);
  w.data_space("Weights", grouped(w, s, {w.rank("C"), w.rank("K"), w.rank("R"), w.rank("S")}, false), bits.weights);
  w.data_space("Inputs",
               grouped(w, s,
                       {w.rank("N"), w.rank("C"), w.rank({{"R", "Wdilation"}, {"P", "Wstride"}}),
                        w.rank({{"S", "Hdilation"}, {"Q", "Hstride"}})},
                       true),
               bits.inputs);
  w.data_space("Outputs", grouped(w, s, {w.rank("N"), w.rank("K"), w.rank("Q"), w.rank("P")}, true), bits.outputs,
               true);
  return w.take();
}

Problem conv_transpose_problem(const ConvShape& s, Precision bits) {
  ShapeWriter w = conv_writer("ConvTranspose-Layer", s);
  w.data_space("Weights", grouped(w, s, {w.rank("C"), w.rank("K"), w.rank("R"), w.rank("S")}, false), bits.weights);
  w.data_space("Inputs", grouped(w, s, {w.rank("N"), w.rank("C"), w.rank("Q"), w.rank("P")}, true), bits.inputs);
  w.data_space("Outputs",
               grouped(w, s,
                       {w.rank("N"), w.rank("K"), w.rank({{"S", "Hdilation"}, {"Q", "Hstride"}}),
                        w.rank({{"R", "Wdilation"}, {"P", "Wstride"}})},
                       true),
               bits.outputs, true);
  return w.take();
}

Problem gemm_problem(const GemmShape& s, Precision bits) {
  bool batched = s.B > 1;
  ShapeWriter w(batched ? "Batched-GEMM" : "GEMM");
  w.dim("M", s.M);
  w.dim("N", s.N);
  w.dim("K", s.K);
  if (batched) w.dim("B", s.B);
  auto with_b = [&](bool has_b, std::vector<Projection> ranks) {
    if (batched && has_b) ranks.insert(ranks.begin(), w.rank("B"));
    return ranks;
  };
  w.data_space("Weights", with_b(s.weights_batched, {w.rank("K"), w.rank("N")}), bits.weights);
  w.data_space("Inputs", with_b(s.inputs_batched, {w.rank("M"), w.rank("K")}), bits.inputs);
  w.data_space("Outputs", with_b(true, {w.rank("M"), w.rank("N")}), bits.outputs, true);
  return w.take();
}

}  // namespace coda::workload
