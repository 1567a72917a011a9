// Kernels never crash on bad input: wrong shapes, out-of-range indices, negative or huge sizes
// raise InvalidError naming the node; unimplemented features raise UnsupportedError naming them.
#include "kernel_test_util.h"

namespace coda::exec::testing {
namespace {

using Ints = std::vector<int64_t>;

template <class E> std::string error_of(const Node& n, const std::vector<Tensor>& in) {
  try {
    run(n, in);
  } catch (const E& e) {
    EXPECT_NE(e.where().find(n.name), std::string::npos) << e.what();
    return e.message();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "wrong exception: " << e.what();
    return "";
  }
  ADD_FAILURE() << "no exception";
  return "";
}

TEST(KernelErrors, HugeOutputsAreRejectedBeforeAllocating) {
  EXPECT_NE(error_of<InvalidError>(make_node(OpKind::ConstantOfShape), {i64v({1 << 30, 1 << 30})}).find("too large"), std::string::npos);
  error_of<InvalidError>(make_node(OpKind::Expand), {f32({1}, {1}), i64v({INT64_MAX / 2, 4})});
  error_of<InvalidError>(make_node(OpKind::Range), {Tensor::scalar<int64_t>(0), Tensor::scalar<int64_t>(INT64_MAX), Tensor::scalar<int64_t>(1)});
  error_of<InvalidError>(make_node(OpKind::Pad), {f32({1}, {1}), i64v({0, int64_t{1} << 40})});
  error_of<InvalidError>(make_node(OpKind::Resize), {f32({1}, {1}), Tensor(), f32({1e12f}, {1})});
  error_of<InvalidError>(make_node(OpKind::Reshape), {f32({1}, {1}), i64v({-5})});
}

TEST(KernelErrors, NegativeSizes) {
  error_of<InvalidError>(make_node(OpKind::ConstantOfShape), {i64v({2, -1})});
  error_of<InvalidError>(make_node(OpKind::Expand), {f32({1}, {1}), i64v({-3})});
  error_of<InvalidError>(make_node(OpKind::Resize), {f32({1, 2}, {2}), Tensor(), Tensor(), i64v({-1})});
  error_of<InvalidError>(make_node(OpKind::Split, {}, 2), {f32({1, 2}, {2}), i64v({3, -1})});
}

TEST(KernelErrors, MissingInputsAndAttributes) {
  error_of<InvalidError>(make_node(OpKind::Add), {f32({1}, {1})});
  error_of<InvalidError>(make_node(OpKind::Concat), {f32({1}, {1})});                                // no axis
  error_of<InvalidError>(make_node(OpKind::MaxPool), {f32({1, 2, 3, 4}, {1, 1, 2, 2})});           // no kernel_shape
  error_of<InvalidError>(make_node(OpKind::Gemm), {f32({1}, {1}), f32({1}, {1, 1})});              // rank
  error_of<InvalidError>(make_node(OpKind::Gather), {f32({1, 2}, {2}), i64({5}, {1})});
  error_of<InvalidError>(make_node(OpKind::Softmax, {{"axis", 3}}), {f32({1, 2}, {2})});
  error_of<InvalidError>(make_node(OpKind::LayerNormalization), {f32({1, 2}, {2}), f32({1, 2, 3}, {3})});
  error_of<InvalidError>(make_node(OpKind::Conv, {{"group", 0}}), {f32({1}, {1, 1, 1}), f32({1}, {1, 1, 1})});
  error_of<InvalidError>(make_node(OpKind::AveragePool, {{"kernel_shape", Ints{3}}}), {f32({1, 2}, {1, 1, 2})});
}

TEST(KernelErrors, UnsupportedFeaturesNameThemselves) {
  EXPECT_NE(error_of<UnsupportedError>(make_node(OpKind::Resize, {{"mode", "cubic"}}), {f32({1}, {1}), Tensor(), f32({2}, {1})})
                .find("'cubic'"),
            std::string::npos);
  EXPECT_NE(error_of<UnsupportedError>(make_node(OpKind::Pad, {{"mode", "wrap"}}), {f32({1}, {1}), i64v({1, 1})}).find("'wrap'"),
            std::string::npos);
  EXPECT_NE(error_of<UnsupportedError>(make_node(OpKind::Exp), {Tensor::from_vector<int32_t>({1}, {1})}).find("int32"),
            std::string::npos);
  error_of<UnsupportedError>(make_node(OpKind::Unknown), {});
}

TEST(KernelErrors, OutputsTheNodeDoesNotHave) {
  // LayerNormalization gives three outputs; a one-output node receives one.
  EXPECT_EQ(run(make_node(OpKind::LayerNormalization), {f32({1, 2}, {2}), f32({1, 1}, {2})}).size(), 1u);
  // an omitted optional output stays undefined
  Node n = make_node(OpKind::MaxPool, {{"kernel_shape", Ints{1}}}, 2);
  n.outputs[1] = graph::kNoValue;
  EXPECT_FALSE(run(n, {f32({1}, {1, 1, 1})})[1].defined());
  // Relu has no second output
  error_of<InvalidError>(make_node(OpKind::Relu, {}, 2), {f32({1}, {1})});
}

TEST(KernelErrors, EveryOpHasAKernel) {
#define CODA_X(Name) EXPECT_TRUE(has_kernel(OpKind::Name)) << #Name;
  CODA_FOR_EACH_OP(CODA_X)
#undef CODA_X
  EXPECT_FALSE(has_kernel(OpKind::Unknown));
}

}  // namespace
}  // namespace coda::exec::testing
