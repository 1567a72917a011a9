// Helpers every reference kernel uses: where-strings, opset lookup, input access, axis
// normalisation, integer-list inputs and checked output allocation. Internal to src/coda/exec.
//
//   const Tensor& x = input(node, in, 0);
//   int64_t axis = normalize_axis(node, node.i("axis", 1), x.rank());
//   Tensor y = make_output(node, x.dtype(), x.shape());   // InvalidError if too large
#pragma once
#include <functional>
#include <initializer_list>
#include <string>
#include <vector>

#include "coda/core/tensor.h"
#include "coda/exec/kernels.h"
#include "coda/graph/graph.h"

namespace coda::exec::kern {

using graph::Node;
using Inputs = std::vector<Tensor>;
using Outputs = std::vector<Tensor>;

// Largest single tensor a kernel will allocate; bigger outputs are the model's bad input.
constexpr int64_t kMaxTensorBytes = int64_t{4} << 30;

// "node conv1 (Conv)".
std::string where(const Node& n);
// The model's opset, stored by the importer in attribute "_opset" (default 17).
int opset(const Node& n);

[[noreturn]] void invalid(const Node& n, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
[[noreturn]] void unsupported(const Node& n, const char* fmt, ...) __attribute__((format(printf, 2, 3)));

// Input k, which must be present.
const Tensor& input(const Node& n, const Inputs& in, size_t k);
// Input k, or nullptr when the node omits it.
const Tensor* optional_input(const Inputs& in, size_t k);

// Maps axis in [-rank, rank) to [0, rank); InvalidError otherwise.
int64_t normalize_axis(const Node& n, int64_t axis, int64_t rank);
// Normalises a list of axes and rejects duplicates.
std::vector<int64_t> normalize_axes(const Node& n, const std::vector<int64_t>& axes, int64_t rank);

// The values of an integer tensor of rank <= 1 (a shape, axes, pads...).
std::vector<int64_t> int_values(const Node& n, const Tensor& t, const char* what);
// Rejects a dtype outside `allowed`, naming the input.
void require_dtype(const Node& n, const Tensor& t, std::initializer_list<DType> allowed, const char* what);
void require_float(const Node& n, const Tensor& t, const char* what);  // f32 or f64
void require_rank(const Node& n, const Tensor& t, int64_t rank, const char* what);

// Element count of `s`, rejecting negative dims and anything over kMaxTensorBytes.
int64_t checked_numel(const Node& n, const Shape& s, DType dtype);
// A zero-filled output after checked_numel.
Tensor make_output(const Node& n, DType dtype, const Shape& s);
// The same without zero-filling, for kernels that write every element.
Tensor make_uninit_output(const Node& n, DType dtype, const Shape& s);

// Runs body(lo, hi) over [0, count) in chunks of `grain` on ctx.pool (or inline without a pool).
void parallel_for(KernelContext& ctx, int64_t count, int64_t grain, const std::function<void(int64_t, int64_t)>& body);

// A grain giving about `target` elements of work per chunk for `count` items of `cost` each.
int64_t grain_for(int64_t count, int64_t cost_per_item, int64_t target = 1 << 16);

}  // namespace coda::exec::kern
