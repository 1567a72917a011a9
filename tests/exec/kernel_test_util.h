// Helpers for the kernel tests: build a node, run it on 1 or N threads, make and compare tensors.
//
//   Node n = make_node(OpKind::Add);
//   Tensor y = run1(n, {a, b});                 // first output, serial
//   expect_values(y, {2, 4}, {1.f, 2.f, 3.f, 4.f, 5.f, 6.f, 7.f, 8.f});
#pragma once
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

#include "coda/exec/kernels.h"

namespace coda::exec::testing {

using graph::Attribute;
using graph::Node;
using graph::OpKind;

// A node with `outputs` output slots (ids 0..outputs-1; only their presence matters to kernels).
inline Node make_node(OpKind op, std::map<std::string, Attribute> attrs = {}, int outputs = 1) {
  Node n;
  n.op = op;
  n.name = std::string("test_") + graph::op_name(op);
  n.attrs = std::move(attrs);
  for (int i = 0; i < outputs; ++i) n.outputs.push_back(i);
  return n;
}

inline std::vector<Tensor> run(const Node& n, const std::vector<Tensor>& in, ThreadPool* pool = nullptr) {
  KernelContext ctx{pool};
  return evaluate_node(n, in, ctx);
}
inline Tensor run1(const Node& n, const std::vector<Tensor>& in, ThreadPool* pool = nullptr) { return run(n, in, pool).at(0); }

inline Tensor f32(std::vector<float> v, Shape s) { return Tensor::from_vector<float>(v, std::move(s)); }
inline Tensor i64(std::vector<int64_t> v, Shape s) { return Tensor::from_vector<int64_t>(v, std::move(s)); }
inline Tensor i64v(std::vector<int64_t> v) {
  int64_t n = static_cast<int64_t>(v.size());
  return Tensor::from_vector<int64_t>(v, {n});
}

inline Tensor random_f32(Shape s, uint32_t seed, float lo = -1.f, float hi = 1.f) {
  Tensor t(DType::f32, std::move(s));
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(lo, hi);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = d(rng);
  return t;
}

template <class T> Tensor random_int(Shape s, uint32_t seed, int lo, int hi) {
  Tensor t(dtype_of<T>(), std::move(s));
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> d(lo, hi);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<T>()[i] = static_cast<T>(d(rng));
  return t;
}

// Exact shape and values (as doubles; NaN equals NaN).
inline void expect_values(const Tensor& t, const Shape& shape, const std::vector<double>& want) {
  ASSERT_EQ(t.shape(), shape) << shape_str(t.shape());
  ASSERT_EQ(t.numel(), static_cast<int64_t>(want.size()));
  for (int64_t i = 0; i < t.numel(); ++i) {
    double g = t.get_f64(i);
    if (std::isnan(want[i])) EXPECT_TRUE(std::isnan(g)) << "element " << i;
    else EXPECT_EQ(g, want[i]) << "element " << i;
  }
}

// |got - want| <= atol + rtol * |want| element-wise, same shape.
inline void expect_close(const Tensor& got, const Tensor& want, double rtol = 1e-5, double atol = 1e-5) {
  ASSERT_EQ(got.shape(), want.shape());
  ASSERT_EQ(got.dtype(), want.dtype());
  int bad = 0;
  for (int64_t i = 0; i < want.numel() && bad < 5; ++i) {
    double a = got.get_f64(i), b = want.get_f64(i);
    if (!(std::fabs(a - b) <= atol + rtol * std::fabs(b))) {
      ADD_FAILURE() << "element " << i << ": " << a << " vs " << b;
      ++bad;
    }
  }
}

inline bool same_bits(const Tensor& a, const Tensor& b) {
  return a.dtype() == b.dtype() && a.shape() == b.shape() && std::memcmp(a.raw(), b.raw(), a.nbytes()) == 0;
}

// Runs the node serially and on a 2-thread pool and checks that every output has the same bits.
inline std::vector<Tensor> run_both(const Node& n, const std::vector<Tensor>& in) {
  static ThreadPool pool(2);
  std::vector<Tensor> a = run(n, in), b = run(n, in, &pool);
  EXPECT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) EXPECT_TRUE(same_bits(a[i], b[i])) << "output " << i << " differs across thread counts";
  return a;
}

}  // namespace coda::exec::testing
