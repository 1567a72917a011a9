// AxisLayout: a tensor viewed as [outer, dim, inner] around one axis (internal helper of quant).
//
//   AxisLayout l = AxisLayout::of(x.shape(), -1, "quantize");   // throws InvalidError on a bad axis
//   element (o, d, i) is at flat index (o * l.dim + d) * l.inner + i
#pragma once
#include <string>

#include "coda/core/tensor.h"

namespace coda::quant {

struct AxisLayout {
  int64_t outer = 1, dim = 1, inner = 1;
  int axis = 0;  // normalised, >= 0

  static AxisLayout of(const Shape& shape, int axis, const std::string& where) {
    const int rank = static_cast<int>(shape.size());
    const int a = axis < 0 ? axis + rank : axis;
    if (rank == 0 || a < 0 || a >= rank)
      throw InvalidError(where, format("axis %d is out of range for a tensor of shape %s", axis, shape_str(shape).c_str()));
    AxisLayout l;
    l.axis = a;
    for (int k = 0; k < a; ++k) l.outer *= shape[static_cast<size_t>(k)];
    l.dim = shape[static_cast<size_t>(a)];
    for (int k = a + 1; k < rank; ++k) l.inner *= shape[static_cast<size_t>(k)];
    return l;
  }
  int64_t channel_of(int64_t flat) const { return (flat / inner) % dim; }
  // Index into a tensor whose `axis` dim is ceil(dim / group): the group of `flat`.
  int64_t group_index(int64_t flat, int64_t group) const {
    const int64_t i = flat % inner, d = (flat / inner) % dim, o = flat / (inner * dim);
    const int64_t ngroups = (dim + group - 1) / group;
    return (o * ngroups + d / group) * inner + i;
  }
  Shape grouped_shape(const Shape& shape, int64_t group) const {
    Shape s = shape;
    s[static_cast<size_t>(axis)] = (dim + group - 1) / group;
    return s;
  }
};

}  // namespace coda::quant
