// `coda run`: evaluates a model's metric over a dataset, or runs it on .npy inputs.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "coda/core/npy.h"
#include "coda/datasets/digits_graph.h"
#include "coda/datasets/fashion_mnist.h"
#include "coda/datasets/metrics.h"
#include "coda/exec/executor.h"
#include "coda/onnx/import.h"

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

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Rows [lo, hi) of a batch-major tensor, copied.
Tensor rows(const Tensor& t, int64_t lo, int64_t hi) {
  Shape s = t.shape();
  int64_t per = s[0] ? t.numel() / s[0] : 0;
  s[0] = hi - lo;
  Tensor r(t.dtype(), s);
  std::memcpy(r.raw(), static_cast<const char*>(t.raw()) + lo * per * dtype_size(t.dtype()), r.nbytes());
  return r;
}

void progress(int64_t done, int64_t total, double elapsed_s) {
  if (!isatty(STDERR_FILENO)) return;
  double eta = done ? elapsed_s / done * (total - done) : 0;
  std::fprintf(stderr, "\r  %lld/%lld samples  %.1f s elapsed, ETA %.1f s   ", (long long)done, (long long)total,
               elapsed_s, eta);
  if (done == total) std::fprintf(stderr, "\r%60s\r", "");
}

struct Result {
  std::string metric;
  double value = 0;
  int64_t samples = 0;
  double seconds = 0;
};

Result run_fashion_mnist(const RunOptions& o, graph::Graph g, const std::string& task) {
  datasets::ImageSet data = datasets::load_fashion_mnist("test", o.limit);
  int64_t n = data.images.dim(0);
  std::unique_ptr<exec::Executor> encoder;
  if (task == "reconstruction") {
    auto it = g.metadata().find("coda.encoder");
    if (it == g.metadata().end())
      throw InvalidError(o.model, "a reconstruction model needs metadata coda.encoder naming its encoder");
    std::filesystem::path enc = std::filesystem::path(o.model).parent_path() / it->second;
    encoder = std::make_unique<exec::Executor>(onnx::import_file(enc.string()), exec::ExecutorOptions{o.threads});
  } else if (task != "classification") {
    throw InvalidError(o.model, "task '" + task + "' cannot be evaluated on fashion-mnist");
  }
  exec::Executor ex(std::move(g), {o.threads});
  datasets::Top1Accumulator top1;
  datasets::PsnrAccumulator psnr;
  auto t0 = std::chrono::steady_clock::now();
  for (int64_t lo = 0; lo < n; lo += o.batch) {
    int64_t hi = std::min(n, lo + o.batch);
    Tensor x = rows(data.images, lo, hi);
    if (encoder) {
      Tensor z = encoder->run(std::vector<Tensor>{x}).at(0);
      psnr.add(ex.run(std::vector<Tensor>{z}).at(0), x);
    } else {
      std::vector<int> labels(data.labels.begin() + lo, data.labels.begin() + hi);
      top1.add(ex.run(std::vector<Tensor>{x}).at(0), labels);
    }
    progress(hi, n, seconds_since(t0));
  }
  Result r;
  r.seconds = seconds_since(t0);
  r.samples = n;
  if (encoder) {
    r.metric = "psnr_db";
    r.value = psnr.psnr_db();
  } else {
    r.metric = "top1";
    r.value = top1.accuracy();
  }
  return r;
}

Result run_digits_graph(const RunOptions& o, graph::Graph g) {
  datasets::GraphDataset data = datasets::load_digits_graph();
  exec::Executor ex(std::move(g), {o.threads});
  auto t0 = std::chrono::steady_clock::now();
  Tensor logits = ex.run(std::map<std::string, Tensor>{{"features", data.features}, {"adjacency", data.adjacency}}).at(0);
  Result r;
  r.seconds = seconds_since(t0);
  r.metric = "top1";
  r.value = datasets::top1_subset(logits, data.labels, data.test_nodes);
  r.samples = static_cast<int64_t>(data.test_nodes.size());
  return r;
}

int run_dataset(const RunOptions& o) {
  graph::Graph g = load_model(o.model);
  std::string task = g.metadata().count("coda.task") ? g.metadata().at("coda.task") : "";
  Result r;
  if (o.dataset == "fashion-mnist") {
    r = run_fashion_mnist(o, std::move(g), task.empty() ? "classification" : task);
  } else if (o.dataset == "digits-graph") {
    r = run_digits_graph(o, std::move(g));
  } else {
    throw InvalidError("--dataset", "unknown dataset '" + o.dataset + "' (fashion-mnist, digits-graph)");
  }
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
