// "resnet18" and "resnet50": torchvision's ResNet (BasicBlock [2,2,2,2] and Bottleneck [3,4,6,3],
// stride on the 3x3 conv as in v1.5), 224x224, BatchNormalization kept as separate nodes. Names
// follow torchvision's state_dict ("layer2.0.downsample.0.weight").
#include "coda/zoo/builder.h"
#include "coda/zoo/models.h"

namespace coda::zoo {

namespace {

// The last BatchNorm of a residual branch starts at gamma 0.5, so the residual sum's variance grows
// by about 1.25x per block instead of 2x (activations stay in a sensible range through ResNet-50).
constexpr float kBranchGamma = 0.5f;

ValueId conv_bn(ModelBuilder& b, ValueId x, const std::string& conv, const std::string& bn, int64_t cout,
                int64_t kernel, int64_t stride, float gamma = 1.0f) {
  return b.batch_norm(b.conv(x, conv, cout, kernel, stride, kernel / 2, 1, false), bn, gamma);
}

ValueId shortcut(ModelBuilder& b, ValueId x, int64_t cout, int64_t stride) {
  if (stride == 1 && b.dim(x, 1) == cout) return x;
  return conv_bn(b, x, "downsample.0", "downsample.1", cout, 1, stride);
}

ValueId basic_block(ModelBuilder& b, ValueId x, int64_t planes, int64_t stride) {
  ValueId y = b.relu(conv_bn(b, x, "conv1", "bn1", planes, 3, stride));
  y = conv_bn(b, y, "conv2", "bn2", planes, 3, 1, kBranchGamma);
  return b.relu(b.add(y, shortcut(b, x, planes, stride)));
}

ValueId bottleneck(ModelBuilder& b, ValueId x, int64_t planes, int64_t stride) {
  ValueId y = b.relu(conv_bn(b, x, "conv1", "bn1", planes, 1, 1));
  y = b.relu(conv_bn(b, y, "conv2", "bn2", planes, 3, stride));
  y = conv_bn(b, y, "conv3", "bn3", planes * 4, 1, 1, kBranchGamma);
  return b.relu(b.add(y, shortcut(b, x, planes * 4, stride)));
}

graph::Graph build_resnet(const Params& p, const std::string& name, const std::vector<int>& blocks, bool use_bottleneck) {
  ModelBuilder b(name, p.seed());
  ValueId x = b.input("input", DType::f32, {p.batch(), 3, 224, 224});
  x = b.max_pool(b.relu(conv_bn(b, x, "conv1", "bn1", 64, 7, 2)), 3, 2, 1);
  for (size_t stage = 0; stage < blocks.size(); ++stage) {
    int64_t planes = int64_t{64} << stage;
    for (int j = 0; j < blocks[stage]; ++j) {
      auto s = b.scope("layer" + std::to_string(stage + 1) + "." + std::to_string(j));
      int64_t stride = (j == 0 && stage > 0) ? 2 : 1;
      x = use_bottleneck ? bottleneck(b, x, planes, stride) : basic_block(b, x, planes, stride);
    }
  }
  x = b.flatten(b.global_avg_pool(x));
  b.name_next_output("output");
  return b.finish({b.gemm(x, "fc", 1000)});
}

}  // namespace

graph::Graph build_resnet18(const Params& p) { return build_resnet(p, "resnet18", {2, 2, 2, 2}, false); }
graph::Graph build_resnet50(const Params& p) { return build_resnet(p, "resnet50", {3, 4, 6, 3}, true); }

}  // namespace coda::zoo
