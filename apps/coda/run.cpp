// `coda run`: evaluates a model's metric over a dataset, or runs it on .npy inputs.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "coda/core/npy.h"
#include "coda/exec/executor.h"
#include "coda/onnx/import.h"
#include "coda/quant/evaluate.h"

namespace coda::cli {

namespace {

struct RunOptions {
  std::string model;
  std::string dataset;
  int64_t limit = -1;
  int64_t batch = 250;
  int threads = 0;
  bool json = false;
  std::vector<std::string> inputs;
  std::vector<std::string> outputs;
};

void progress(int64_t done, int64_t total, double elapsed_s) {
  if (!isatty(STDERR_FILENO)) return;
  double eta = done ? elapsed_s / done * (total - done) : 0;
  std::fprintf(stderr, "\r  %lld/%lld samples  %.1f s elapsed, ETA %.1f s   ", (long long)done, (long long)total,
               elapsed_s, eta);
  if (done == total) std::fprintf(stderr, "\r%60s\r", "");
}

int run_dataset(const RunOptions& o) {
  graph::Graph g = load_model(o.model);
  quant::EvalOptions eo;
  eo.dataset = o.dataset;
  eo.limit = o.limit;
  eo.batch = o.batch;
  eo.threads = o.threads;
  eo.encoder = load_encoder(o.model, g);
  eo.progress = progress;
  quant::Evaluation r = quant::evaluate(g, eo);
  double per_s = r.seconds > 0 ? r.samples / r.seconds : 0;
  if (o.json) {
    nlohmann::json j = {{"model", o.model}, {"dataset", o.dataset}, {"metric", r.metric}, {"value", r.value},
                        {"samples", r.samples}, {"seconds", r.seconds}, {"samples_per_s", per_s}};
    std::printf("%s\n", j.dump(2).c_str());
  } else if (r.metric == "psnr_db") {
    std::printf("%s: psnr %.3f dB over %lld %s test samples, %.2f s, %.0f samples/s\n", o.model.c_str(), r.value,
                (long long)r.samples, o.dataset.c_str(), r.seconds, per_s);
  } else {
    std::printf("%s: top1 %.2f%% over %lld %s test samples, %.2f s, %.0f samples/s\n", o.model.c_str(), 100 * r.value,
                (long long)r.samples, o.dataset.c_str(), r.seconds, per_s);
  }
  return 0;
}

// Splits "NAME=path" (NAME optional).
std::pair<std::string, std::string> split_named(const std::string& s) {
  auto eq = s.find('=');
  if (eq == std::string::npos) return {"", s};
  return {s.substr(0, eq), s.substr(eq + 1)};
}

int run_inputs(const RunOptions& o) {
  exec::Executor ex(load_model(o.model), {o.threads});
  auto names = ex.input_names();
  std::map<std::string, Tensor> given;
  size_t positional = 0;
  for (const auto& arg : o.inputs) {
    auto [name, path] = split_named(arg);
    if (name.empty()) {
      if (positional >= names.size())
        throw InvalidError("--input", format("more inputs than the model's %zu", names.size()));
      name = names[positional++];
    }
    if (given.count(name)) throw InvalidError("--input", "input '" + name + "' given twice");
    given[name] = read_npy(path);
  }
  std::vector<Tensor> outs = ex.run(given);
  auto out_names = ex.output_names();
  if (o.outputs.empty()) {
    for (size_t k = 0; k < outs.size(); ++k)
      std::printf("%s: %s %s\n", out_names[k].c_str(), dtype_name(outs[k].dtype()), shape_str(outs[k].shape()).c_str());
    return 0;
  }
  for (const auto& arg : o.outputs) {
    auto [name, path] = split_named(arg);
    size_t k = 0;
    if (!name.empty()) {
      auto it = std::find(out_names.begin(), out_names.end(), name);
      if (it == out_names.end()) throw InvalidError("-o", "model has no output named '" + name + "'");
      k = static_cast<size_t>(it - out_names.begin());
    }
    write_npy(path, outs[k]);
  }
  return 0;
}

}  // namespace

Action add_run(CLI::App& app) {
  auto o = std::make_shared<RunOptions>();
  auto* sub = app.add_subcommand("run", "Evaluate a model on a dataset, or run it on .npy inputs");
  sub->add_option("model", o->model, "MODEL: an .onnx file or zoo:NAME[?key=value...]")->required();
  sub->add_option("--dataset", o->dataset, "fashion-mnist | digits-graph: evaluate the model's metric on the test set");
  sub->add_option("--limit", o->limit, "evaluate only the first N test samples");
  sub->add_option("--batch", o->batch, "samples per executor call (default 250)")->check(CLI::PositiveNumber);
  sub->add_option("--threads", o->threads, "threads (default: all cores)")->check(CLI::NonNegativeNumber);
  sub->add_option("--input", o->inputs, "[NAME=]IN.npy: a model input (repeatable; unnamed ones go in order)");
  sub->add_option("-o,--output", o->outputs, "[NAME=]OUT.npy: write an output (default: the first)");
  sub->add_flag("--json", o->json, "print the result as JSON");
  return [o] {
    if (o->dataset.empty() == o->inputs.empty())
      throw InvalidError("coda run", "give either --dataset or --input");
    return o->dataset.empty() ? run_inputs(*o) : run_dataset(*o);
  };
}

}  // namespace coda::cli
