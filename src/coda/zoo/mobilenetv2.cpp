// "mobilenetv2": torchvision's MobileNetV2 (width 1.0, 224x224): Conv-BN-ReLU6 stem, 17 inverted
// residual blocks, 1x1 conv to 1280, global average pool, Linear 1280 -> 1000 (dropout omitted).
#include "coda/zoo/builder.h"
#include "coda/zoo/models.h"

namespace coda::zoo {

namespace {

// Conv + BatchNorm (+ ReLU6), named "<name>" and "<name>_bn".
ValueId conv_bn(ModelBuilder& b, ValueId x, const std::string& name, int64_t cout, int64_t kernel, int64_t stride,
                int64_t groups, bool relu6) {
  ValueId y = b.batch_norm(b.conv(x, name, cout, kernel, stride, kernel / 2, groups, false), name + "_bn");
  return relu6 ? b.relu6(y) : y;
}

ValueId inverted_residual(ModelBuilder& b, ValueId x, int64_t expand, int64_t cout, int64_t stride) {
  int64_t cin = b.dim(x, 1), hidden = cin * expand;
  ValueId y = expand == 1 ? x : conv_bn(b, x, "expand", hidden, 1, 1, 1, true);
  y = conv_bn(b, y, "depthwise", hidden, 3, stride, hidden, true);
  y = conv_bn(b, y, "project", cout, 1, 1, 1, false);
  return (stride == 1 && cin == cout) ? b.add(x, y) : y;
}

}  // namespace

graph::Graph build_mobilenetv2(const Params& p) {
  struct Stage { int64_t expand, channels, blocks, stride; };
  const Stage stages[] = {{1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2},
                          {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};
  ModelBuilder b("mobilenetv2", p.seed());
  ValueId x = b.input("input", DType::f32, {p.batch(), 3, 224, 224});
  int block = 0;
  {
    auto s = b.scope("features.0");
    x = conv_bn(b, x, "conv", 32, 3, 2, 1, true);
  }
  for (const Stage& st : stages)
    for (int64_t j = 0; j < st.blocks; ++j) {
      auto s = b.scope("features." + std::to_string(++block));
      x = inverted_residual(b, x, st.expand, st.channels, j == 0 ? st.stride : 1);
    }
  {
    auto s = b.scope("features." + std::to_string(++block));
    x = conv_bn(b, x, "conv", 1280, 1, 1, 1, true);
  }
  x = b.flatten(b.global_avg_pool(x));
  b.name_next_output("output");
  return b.finish({b.gemm(x, "classifier", 1000)});
}

}  // namespace coda::zoo
