// The zoo's model builders, one per file, each taking its checked parameters (see registry.cpp for
// the keys and defaults each one declares). Internal to zoo: callers use zoo::build.
//
//   graph::Graph g = build_resnet18(Params("resnet18", {Params::batch_param()}, {}));
#pragma once
#include "coda/graph/graph.h"
#include "coda/zoo/params.h"

namespace coda::zoo {

graph::Graph build_resnet18(const Params& p);
graph::Graph build_resnet50(const Params& p);
graph::Graph build_mobilenetv2(const Params& p);
graph::Graph build_bert_base(const Params& p);
graph::Graph build_vit_b16(const Params& p);
graph::Graph build_gpt2(const Params& p);
graph::Graph build_cnn(const Params& p);
graph::Graph build_mlp(const Params& p);
graph::Graph build_vit(const Params& p);
graph::Graph build_decoder(const Params& p);
graph::Graph build_gcn(const Params& p);

}  // namespace coda::zoo
