// Conv and ConvTranspose against brute-force loops in double over many geometries (1-D to 3-D,
// groups, depthwise, strides, dilations, asymmetric pads, auto_pad), plus hand cases and thread
// independence.
#include "kernel_test_util.h"

namespace coda::exec::testing {
namespace {

struct ConvCase {
  Shape x, w;  // x [N, C, spatial...], w [M, C/group, k...]
  int64_t group;
  std::vector<int64_t> strides, dilations, pads;  // pads: begins then ends
  std::string auto_pad = "NOTSET";
};

// Explicit begin/end pads of one spatial dim, the ONNX way.
void resolve_pads(const std::string& auto_pad, int64_t in, int64_t k, int64_t s, int64_t d, int64_t& pb, int64_t& pe) {
  if (auto_pad == "VALID") pb = pe = 0;
  if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
    int64_t out = (in + s - 1) / s, total = std::max<int64_t>(0, (out - 1) * s + (k - 1) * d + 1 - in);
    pb = auto_pad == "SAME_UPPER" ? total / 2 : (total + 1) / 2;
    pe = total - pb;
  }
}

Tensor conv_reference(const ConvCase& c, const Tensor& x, const Tensor& w, const Tensor& b) {
  size_t r = c.x.size() - 2;
  std::vector<int64_t> in(3, 1), k(3, 1), s(3, 1), d(3, 1), pb(3, 0), pe(3, 0), out(3, 1);
  for (size_t i = 0; i < r; ++i) {
    size_t j = 3 - r + i;
    in[j] = c.x[2 + i];
    k[j] = c.w[2 + i];
    s[j] = c.strides[i];
    d[j] = c.dilations[i];
    pb[j] = c.pads.empty() ? 0 : c.pads[i];
    pe[j] = c.pads.empty() ? 0 : c.pads[i + r];
    resolve_pads(c.auto_pad, in[j], k[j], s[j], d[j], pb[j], pe[j]);
    out[j] = (in[j] + pb[j] + pe[j] - (k[j] - 1) * d[j] - 1) / s[j] + 1;
  }
  int64_t N = c.x[0], C = c.x[1], M = c.w[0], cg = C / c.group, mg = M / c.group;
  Shape os{N, M};
  for (size_t i = 0; i < r; ++i) os.push_back(out[3 - r + i]);
  Tensor y(DType::f32, os);
  const float *px = x.data<float>(), *pw = w.data<float>();
  int64_t o = 0;
  for (int64_t n = 0; n < N; ++n)
    for (int64_t m = 0; m < M; ++m)
      for (int64_t z = 0; z < out[0]; ++z)
        for (int64_t yy = 0; yy < out[1]; ++yy)
          for (int64_t xx = 0; xx < out[2]; ++xx, ++o) {
            double acc = b.defined() ? b.data<float>()[m] : 0;
            int64_t g = m / mg;
            for (int64_t ci = 0; ci < cg; ++ci)
              for (int64_t a = 0; a < k[0]; ++a)
                for (int64_t bb = 0; bb < k[1]; ++bb)
                  for (int64_t e = 0; e < k[2]; ++e) {
                    int64_t iz = z * s[0] - pb[0] + a * d[0], iy = yy * s[1] - pb[1] + bb * d[1], ix = xx * s[2] - pb[2] + e * d[2];
                    if (iz < 0 || iz >= in[0] || iy < 0 || iy >= in[1] || ix < 0 || ix >= in[2]) continue;
                    double xv = px[(((n * C + g * cg + ci) * in[0] + iz) * in[1] + iy) * in[2] + ix];
                    double wv = pw[(((m * cg + ci) * k[0] + a) * k[1] + bb) * k[2] + e];
                    acc += xv * wv;
                  }
            y.data<float>()[o] = float(acc);
          }
  return y;
}

class ConvGeometries : public ::testing::TestWithParam<ConvCase> {};

TEST_P(ConvGeometries, MatchesBruteForce) {
  const ConvCase& c = GetParam();
  Tensor x = random_f32(c.x, 1), w = random_f32(c.w, 2), b = random_f32({c.w[0]}, 3);
  std::map<std::string, Attribute> attrs{{"group", c.group}, {"strides", c.strides}, {"dilations", c.dilations},
                                         {"auto_pad", c.auto_pad}};
  if (!c.pads.empty()) attrs["pads"] = c.pads;
  Tensor y = run_both(make_node(OpKind::Conv, attrs), {x, w, b})[0];
  expect_close(y, conv_reference(c, x, w, b), 1e-5, 1e-5);
}

INSTANTIATE_TEST_SUITE_P(
    Conv, ConvGeometries,
    ::testing::Values(ConvCase{{1, 3, 11}, {4, 3, 3}, 1, {2}, {1}, {1, 0}},                         // 1-D
                      ConvCase{{2, 4, 9, 7}, {6, 2, 3, 2}, 2, {2, 1}, {1, 2}, {1, 0, 2, 1}},       // groups
                      ConvCase{{1, 8, 10, 10}, {8, 1, 3, 3}, 8, {1, 1}, {2, 2}, {2, 2, 2, 2}},    // depthwise
                      ConvCase{{1, 6, 7, 5}, {12, 3, 1, 1}, 2, {1, 1}, {1, 1}, {}},                // pointwise
                      ConvCase{{1, 3, 9, 8}, {5, 3, 3, 3}, 1, {2, 2}, {1, 1}, {}, "SAME_UPPER"},
                      ConvCase{{1, 3, 9, 8}, {5, 3, 4, 4}, 1, {3, 2}, {1, 1}, {}, "SAME_LOWER"},
                      ConvCase{{1, 3, 9, 8}, {5, 3, 3, 2}, 1, {2, 3}, {1, 2}, {}, "VALID"},
                      ConvCase{{2, 2, 5, 6, 7}, {3, 2, 2, 3, 2}, 1, {1, 2, 1}, {2, 1, 1}, {1, 0, 1, 0, 1, 1}},  // 3-D
                      ConvCase{{1, 64, 30, 30}, {32, 64, 3, 3}, 1, {1, 1}, {1, 1}, {1, 1, 1, 1}}));      // multi-block

TEST(Conv, HandComputed) {
  // 1x1x3x3 input, 2x2 kernel of ones, no pad: sums of 2x2 windows.
  Tensor x = f32({1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 1, 3, 3});
  Tensor w = f32({1, 1, 1, 1}, {1, 1, 2, 2});
  expect_values(run1(make_node(OpKind::Conv), {x, w}), {1, 1, 2, 2}, {12, 16, 24, 28});
  expect_values(run1(make_node(OpKind::Conv, {{"strides", std::vector<int64_t>{2, 2}}, {"pads", std::vector<int64_t>{1, 1, 1, 1}}}), {x, w}),
                {1, 1, 2, 2}, {1, 5, 11, 28});
}

TEST(Conv, BadShapesAreInvalid) {
  Tensor x = random_f32({1, 3, 5, 5}, 1);
  EXPECT_THROW(run1(make_node(OpKind::Conv), {x, random_f32({2, 2, 3, 3}, 2)}), InvalidError);          // channels
  EXPECT_THROW(run1(make_node(OpKind::Conv), {x, random_f32({2, 3, 7, 7}, 2)}), InvalidError);          // kernel > input
  EXPECT_THROW(run1(make_node(OpKind::Conv), {x, random_f32({2, 3, 3}, 2)}), InvalidError);             // rank
  EXPECT_THROW(run1(make_node(OpKind::Conv, {{"strides", std::vector<int64_t>{0, 1}}}), {x, random_f32({2, 3, 3, 3}, 2)}),
               InvalidError);
  EXPECT_THROW(run1(make_node(OpKind::Conv), {random_f32({1, 1, 2, 2, 2, 2}, 1), random_f32({1, 1, 1, 1, 1, 1}, 2)}),
               UnsupportedError);  // 4 spatial dims
}

// ConvTranspose by scattering every input element through the kernel.
Tensor conv_transpose_reference(const Tensor& x, const Tensor& w, int64_t group, const std::vector<int64_t>& s,
                                const std::vector<int64_t>& d, const std::vector<int64_t>& pads,
                                const std::vector<int64_t>& out_pad) {
  int64_t N = x.dim(0), C = x.dim(1), H = x.dim(2), W = x.dim(3), mg = w.dim(1), KH = w.dim(2), KW = w.dim(3);
  int64_t cg = C / group, M = mg * group;
  int64_t OH = s[0] * (H - 1) + out_pad[0] + (KH - 1) * d[0] + 1 - pads[0] - pads[2];
  int64_t OW = s[1] * (W - 1) + out_pad[1] + (KW - 1) * d[1] + 1 - pads[1] - pads[3];
  std::vector<double> acc(static_cast<size_t>(N * M * OH * OW), 0.0);
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c)
      for (int64_t i = 0; i < H; ++i)
        for (int64_t j = 0; j < W; ++j)
          for (int64_t m = 0; m < mg; ++m)
            for (int64_t a = 0; a < KH; ++a)
              for (int64_t b = 0; b < KW; ++b) {
                int64_t oh = i * s[0] + a * d[0] - pads[0], ow = j * s[1] + b * d[1] - pads[1];
                if (oh < 0 || oh >= OH || ow < 0 || ow >= OW) continue;
                int64_t mo = (c / cg) * mg + m;
                acc[((n * M + mo) * OH + oh) * OW + ow] +=
                    double(x.data<float>()[((n * C + c) * H + i) * W + j]) * w.data<float>()[((c * mg + m) * KH + a) * KW + b];
              }
  Tensor y(DType::f32, {N, M, OH, OW});
  for (size_t i = 0; i < acc.size(); ++i) y.data<float>()[i] = float(acc[i]);
  return y;
}

TEST(ConvTranspose, MatchesScatterReference) {
  struct Case {
    Shape x, w;
    int64_t group;
    std::vector<int64_t> s, d, pads, out_pad;
  };
  for (const Case& c : {Case{{1, 2, 4, 5}, {2, 3, 3, 3}, 1, {2, 2}, {1, 1}, {0, 0, 0, 0}, {1, 0}},
                        Case{{2, 4, 3, 3}, {4, 2, 2, 3}, 2, {3, 1}, {1, 2}, {1, 0, 0, 1}, {0, 0}},
                        Case{{1, 3, 6, 6}, {3, 1, 4, 4}, 3, {2, 2}, {1, 1}, {1, 1, 1, 1}, {0, 0}},
                        Case{{1, 16, 12, 12}, {16, 8, 2, 2}, 1, {2, 2}, {1, 1}, {0, 0, 0, 0}, {0, 0}}}) {
    Tensor x = random_f32(c.x, 4), w = random_f32(c.w, 5);
    Node n = make_node(OpKind::ConvTranspose, {{"group", c.group}, {"strides", c.s}, {"dilations", c.d}, {"pads", c.pads},
                                               {"output_padding", c.out_pad}});
    expect_close(run_both(n, {x, w})[0], conv_transpose_reference(x, w, c.group, c.s, c.d, c.pads, c.out_pad));
  }
}

TEST(ConvTranspose, OutputShapeAndBias) {
  // 1x1x2x2 input, 1x1x2x2 ones kernel, stride 2: every input lands in its own 2x2 block.
  Tensor x = f32({1, 2, 3, 4}, {1, 1, 2, 2}), w = f32({1, 1, 1, 1}, {1, 1, 2, 2}), b = f32({10}, {1});
  Node n = make_node(OpKind::ConvTranspose, {{"strides", std::vector<int64_t>{2, 2}}, {"output_shape", std::vector<int64_t>{5, 4}}});
  expect_values(run1(n, {x, w, b}), {1, 1, 5, 4},
                {11, 11, 12, 12, 11, 11, 12, 12, 13, 13, 14, 14, 13, 13, 14, 14, 10, 10, 10, 10});
}

}  // namespace
}  // namespace coda::exec::testing
