// Random nodes for every op: random input counts, dtypes, shapes, small integer contents and
// attribute values. A kernel may succeed or raise InvalidError / UnsupportedError; anything else
// (a crash, an InternalError, a std:: exception) fails. Deterministic: a fixed seed. Run it under
// CODA_SANITIZE=ON to catch memory errors as well.
#include <gtest/gtest.h>

#include <random>

#include "kernel_test_util.h"

namespace coda::exec::testing {
namespace {

class NodeFuzzer {
 public:
  explicit NodeFuzzer(uint32_t seed) : rng_(seed) {}

  int pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool coin(int percent) { return pick(0, 99) < percent; }

  Shape shape() {
    Shape s(static_cast<size_t>(pick(0, 4)));
    for (auto& d : s) d = pick(0, 9) == 0 ? 0 : pick(1, 4);
    return s;
  }

  DType dtype() {
    static const DType kTypes[] = {DType::f32, DType::f32, DType::f32, DType::i64, DType::i64, DType::u8,
                                   DType::i8,  DType::i32, DType::boolean, DType::f64};
    return kTypes[pick(0, 9)];
  }

  // A random tensor, of dtype `main` and shape `like` more often than not.
  Tensor tensor(DType main = DType::undefined, const Shape* like = nullptr) {
    DType t = main != DType::undefined && coin(70) ? main : dtype();
    Shape s = like && coin(50) ? *like : shape();
    if (coin(30)) s = {pick(0, 4)};  // 1-D: shapes, axes, pads
    Tensor x(t, s);
    for (int64_t i = 0; i < x.numel(); ++i) {
      double v = coin(10) ? pick(-100, 100) : pick(-3, 5);
      if (dtype_is_float(t) && coin(20)) v += 0.5;
      visit_dtype(t, [&](auto tag) {
        using T = typename decltype(tag)::type;
        x.data<T>()[i] = static_cast<T>(t == DType::u8 && v < 0 ? -v : v);
      });
    }
    return x;
  }

  std::vector<int64_t> ints(int max_len) {
    std::vector<int64_t> v(static_cast<size_t>(pick(0, max_len)));
    for (auto& e : v) e = pick(-3, 4);
    return v;
  }

  std::map<std::string, Attribute> attrs() {
    static const char* kInts[] = {"axis", "group", "keepdims", "blocksize", "transA", "transB", "allowzero", "ceil_mode",
                                  "count_include_pad", "storage_order", "noop_with_empty_axes", "num_outputs", "start",
                                  "end", "_opset", "training_mode"};
    static const char* kLists[] = {"axes", "perm", "kernel_shape", "strides", "pads", "dilations", "split", "starts",
                                   "ends", "output_padding", "output_shape", "shape"};
    static const char* kFloats[] = {"alpha", "beta", "epsilon", "min", "max", "value_float", "extrapolation_value"};
    static const std::pair<const char*, std::vector<const char*>> kStrings[] = {
        {"mode", {"constant", "reflect", "edge", "nearest", "linear", "DCR", "CRD", "wrap"}},
        {"auto_pad", {"NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID", "BAD"}},
        {"coordinate_transformation_mode",
         {"half_pixel", "asymmetric", "align_corners", "pytorch_half_pixel", "tf_half_pixel_for_nn", "tf_crop_and_resize"}},
        {"nearest_mode", {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"}},
        {"approximate", {"none", "tanh"}},
        {"_activation", {"Relu", "LeakyRelu", "Clip"}}};
    std::map<std::string, Attribute> a;
    for (int k = pick(0, 5); k > 0; --k) {
      switch (pick(0, 4)) {
        case 0: {
          const char* name = kInts[pick(0, 15)];
          a[name] = std::string(name) == "_opset" ? int64_t{pick(7, 17)} : int64_t{pick(-2, 4)};
          break;
        }
        case 1: case 2: a[kLists[pick(0, 11)]] = ints(6); break;
        case 3: a[kFloats[pick(0, 6)]] = static_cast<float>(pick(-4, 4)) * 0.5f; break;
        case 4: {
          const auto& [name, values] = kStrings[pick(0, 5)];
          a[name] = values[static_cast<size_t>(pick(0, static_cast<int>(values.size()) - 1))];
          break;
        }
      }
    }
    if (coin(10)) a["to"] = int64_t{pick(0, 16)};
    if (coin(5)) a["value"] = tensor(DType::f32);
    return a;
  }

 private:
  std::mt19937 rng_;
};

TEST(KernelFuzz, EveryOpOnlyRaisesCodaErrors) {
  NodeFuzzer fz(12345);
  const OpKind ops[] = {
#define CODA_X(Name) OpKind::Name,
      CODA_FOR_EACH_OP(CODA_X)
#undef CODA_X
  };
  int ran = 0, ok = 0;
  for (OpKind op : ops)
    for (int trial = 0; trial < 1000; ++trial) {
      Node n = make_node(op, fz.attrs(), fz.pick(1, 3));
      std::vector<Tensor> in(static_cast<size_t>(fz.pick(1, 9)));
      const DType main = fz.dtype();
      const Shape like = fz.shape();
      for (auto& t : in)
        if (!fz.coin(10)) t = fz.tensor(main, &like);
      ++ran;
      try {
        static ThreadPool pool(2);
        run(n, in, fz.coin(50) ? &pool : nullptr);
        ++ok;
      } catch (const InvalidError&) {
      } catch (const UnsupportedError&) {
      } catch (const std::exception& e) {
        ADD_FAILURE() << graph::op_name(op) << " trial " << trial << ": " << e.what();
      }
    }
  std::printf("fuzz: %d nodes, %d evaluated without error\n", ran, ok);
  EXPECT_GT(ok, ran / 20);
}

}  // namespace
}  // namespace coda::exec::testing
