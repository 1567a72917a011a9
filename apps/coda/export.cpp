// `coda export`: writes a model (a zoo model, or an ONNX file after folding) as ONNX.
#include <cstdio>

#include "commands.h"
#include "coda/onnx/export.h"

namespace coda::cli {

Action add_export(CLI::App& app) {
  auto model = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  auto* sub = app.add_subcommand("export", "Write a model as ONNX (e.g. coda export zoo:resnet50 -o r50.onnx)");
  sub->add_option("model", *model, "MODEL: an .onnx file or zoo:NAME[?key=value...]")->required();
  sub->add_option("-o,--output", *out, "the .onnx file to write")->required();
  return [model, out] {
    onnx::export_file(load_model(*model), *out);
    std::printf("wrote %s\n", out->c_str());
    return 0;
  };
}

}  // namespace coda::cli
