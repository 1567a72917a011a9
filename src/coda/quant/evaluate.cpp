#include "coda/quant/evaluate.h"

#include <chrono>
#include <cstring>
#include <memory>
#include <optional>

#include "coda/core/error.h"
#include "coda/datasets/digits_graph.h"
#include "coda/datasets/fashion_mnist.h"
#include "coda/datasets/metrics.h"
#include "coda/exec/executor.h"

namespace coda::quant {

namespace {

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

std::string meta(const graph::Graph& g, const std::string& key) {
  auto it = g.metadata().find(key);
  return it == g.metadata().end() ? "" : it->second;
}

std::string single_input(const exec::Executor& ex, const std::string& model) {
  auto names = ex.input_names();
  if (names.size() != 1)
    throw InvalidError(model, format("a Fashion-MNIST model needs exactly one input, this one has %zu", names.size()));
  return names[0];
}

Evaluation evaluate_fashion_mnist(const graph::Graph& g, const EvalOptions& o, const std::string& task) {
  std::unique_ptr<exec::Executor> encoder;
  if (task == "reconstruction") {
    if (!o.encoder) throw InvalidError(g.name(), "a reconstruction model needs its encoder (metadata coda.encoder)");
    encoder = std::make_unique<exec::Executor>(*o.encoder, exec::ExecutorOptions{o.threads});
  } else if (task != "classification") {
    throw InvalidError(g.name(), "task '" + task + "' cannot be evaluated on fashion-mnist");
  }
  datasets::ImageSet data = datasets::load_fashion_mnist("test", o.limit);
  const int64_t n = data.images.dim(0);
  exec::Executor ex(g, {o.threads});
  datasets::Top1Accumulator top1;
  datasets::PsnrAccumulator psnr;
  std::optional<datasets::RoiPsnrAccumulator> roi;
  if (encoder && o.roi.defined()) roi.emplace(o.roi);
  const auto t0 = std::chrono::steady_clock::now();
  for (int64_t lo = 0; lo < n; lo += o.batch) {
    const int64_t hi = std::min(n, lo + o.batch);
    Tensor x = rows(data.images, lo, hi);
    if (encoder) {
      Tensor z = encoder->run(std::vector<Tensor>{x}).at(0);
      Tensor y = ex.run(std::vector<Tensor>{z}).at(0);
      psnr.add(y, x);
      if (roi) roi->add(y, x);
    } else {
      std::vector<int> labels(data.labels.begin() + lo, data.labels.begin() + hi);
      top1.add(ex.run(std::vector<Tensor>{x}).at(0), labels);
    }
    if (o.progress) o.progress(hi, n, seconds_since(t0));
  }
  Evaluation r;
  r.seconds = seconds_since(t0);
  r.samples = n;
  r.metric = encoder ? "psnr_db" : "top1";
  r.value = encoder ? psnr.psnr_db() : top1.accuracy();
  if (roi) r.roi_psnr_db = roi->psnr_db();
  return r;
}

Evaluation evaluate_digits_graph(const graph::Graph& g, const EvalOptions& o) {
  datasets::GraphDataset data = datasets::load_digits_graph();
  exec::Executor ex(g, {o.threads});
  const auto t0 = std::chrono::steady_clock::now();
  Tensor logits =
      ex.run(std::map<std::string, Tensor>{{"features", data.features}, {"adjacency", data.adjacency}}).at(0);
  Evaluation r;
  r.seconds = seconds_since(t0);
  r.metric = "top1";
  r.value = datasets::top1_subset(logits, data.labels, data.test_nodes);
  r.samples = static_cast<int64_t>(data.test_nodes.size());
  if (o.progress) o.progress(r.samples, r.samples, r.seconds);
  return r;
}

}  // namespace

std::string model_task(const graph::Graph& g) {
  std::string t = meta(g, "coda.task");
  return t.empty() ? "classification" : t;
}

std::string model_dataset(const graph::Graph& g, const std::string& requested) {
  if (!requested.empty()) return requested;
  std::string d = meta(g, "coda.dataset");
  return d.empty() ? "fashion-mnist" : d;
}

Evaluation evaluate(const graph::Graph& g, const EvalOptions& o) {
  if (o.batch <= 0) throw InvalidError("evaluate", format("batch %lld must be positive", (long long)o.batch));
  const std::string dataset = model_dataset(g, o.dataset);
  if (dataset == "fashion-mnist") return evaluate_fashion_mnist(g, o, model_task(g));
  if (dataset == "digits-graph") return evaluate_digits_graph(g, o);
  throw InvalidError("--dataset", "unknown dataset '" + dataset + "' (fashion-mnist, digits-graph)");
}

Calibration calibration_inputs(const graph::Graph& g, const EvalOptions& o, int64_t n) {
  if (n <= 0) throw InvalidError("--calib", format("%lld calibration samples: need at least 1", (long long)n));
  const std::string dataset = model_dataset(g, o.dataset);
  Calibration c;
  if (dataset == "digits-graph") {
    datasets::GraphDataset data = datasets::load_digits_graph();
    c.batches.push_back({{"features", data.features}, {"adjacency", data.adjacency}});
    c.samples = data.features.dim(0);
    return c;
  }
  if (dataset != "fashion-mnist")
    throw InvalidError("--dataset", "unknown dataset '" + dataset + "' (fashion-mnist, digits-graph)");
  const std::string task = model_task(g);
  std::unique_ptr<exec::Executor> encoder;
  if (task == "reconstruction") {
    if (!o.encoder) throw InvalidError(g.name(), "a reconstruction model needs its encoder (metadata coda.encoder)");
    encoder = std::make_unique<exec::Executor>(*o.encoder, exec::ExecutorOptions{o.threads});
  }
  datasets::ImageSet data = datasets::load_fashion_mnist("train", n);
  exec::Executor probe(g, {1});
  const std::string input = single_input(probe, g.name());
  c.images = data.images;
  c.samples = data.images.dim(0);
  for (int64_t lo = 0; lo < c.samples; lo += o.batch) {
    const int64_t hi = std::min(c.samples, lo + o.batch);
    Tensor x = rows(data.images, lo, hi);
    if (encoder) x = encoder->run(std::vector<Tensor>{x}).at(0);
    c.batches.push_back({{input, std::move(x)}});
  }
  return c;
}

}  // namespace coda::quant
