#include "coda/datasets/metrics.h"

#include <cmath>
#include <limits>

namespace coda::datasets {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Checks logits [N,C] against N labels in [0,C).
void check_logits(const Tensor& logits, const std::vector<int>& labels, const char* where) {
  if (!logits.defined() || logits.rank() != 2)
    throw InvalidError(where, format("logits must be [N,C], got %s", shape_str(logits.shape()).c_str()));
  if (logits.dim(1) == 0) throw InvalidError(where, "logits have no classes");
  if (static_cast<int64_t>(labels.size()) != logits.dim(0))
    throw InvalidError(where, format("%zu labels for logits %s", labels.size(), shape_str(logits.shape()).c_str()));
}

void check_label(int label, int64_t classes, int64_t row, const char* where) {
  if (label < 0 || label >= classes)
    throw InvalidError(where, format("label %d of row %lld is not a class in [0,%lld)", label,
                                     static_cast<long long>(row), static_cast<long long>(classes)));
}

// Adds the squared differences to `sum` in element order, so batches accumulate to the same bits
// as one pass over their concatenation.
template <class P, class R> void add_squared(const P* p, const R* r, int64_t n, double& sum) {
  for (int64_t i = 0; i < n; ++i) {
    double e = static_cast<double>(p[i]) - static_cast<double>(r[i]);
    sum += e * e;
  }
}

}  // namespace

int64_t argmax_row(const Tensor& logits, int64_t row) {
  const int64_t c = logits.dim(1);
  int64_t best = 0;
  double best_v = logits.get_f64(row * c);
  for (int64_t j = 1; j < c && !std::isnan(best_v); ++j) {
    double v = logits.get_f64(row * c + j);
    if (v > best_v || std::isnan(v)) {
      best = j;
      best_v = v;
    }
  }
  return best;
}

void Top1Accumulator::add(const Tensor& logits, const std::vector<int>& labels) {
  check_logits(logits, labels, "top1");
  for (int64_t i = 0; i < logits.dim(0); ++i) {
    check_label(labels[static_cast<size_t>(i)], logits.dim(1), i, "top1");
    correct += argmax_row(logits, i) == labels[static_cast<size_t>(i)];
  }
  count += logits.dim(0);
}

void Top1Accumulator::add_rows(const Tensor& logits, const std::vector<int>& labels, const std::vector<int>& rows) {
  check_logits(logits, labels, "top1_subset");
  for (int r : rows) {
    if (r < 0 || r >= logits.dim(0))
      throw InvalidError("top1_subset", format("row %d outside logits %s", r, shape_str(logits.shape()).c_str()));
    check_label(labels[static_cast<size_t>(r)], logits.dim(1), r, "top1_subset");
    correct += argmax_row(logits, r) == labels[static_cast<size_t>(r)];
  }
  count += static_cast<int64_t>(rows.size());
}

double Top1Accumulator::accuracy() const {
  return count ? static_cast<double>(correct) / static_cast<double>(count) : kNaN;
}

double top1(const Tensor& logits, const std::vector<int>& labels) {
  Top1Accumulator acc;
  acc.add(logits, labels);
  return acc.accuracy();
}

double top1_subset(const Tensor& logits, const std::vector<int>& labels, const std::vector<int>& rows) {
  Top1Accumulator acc;
  acc.add_rows(logits, labels, rows);
  return acc.accuracy();
}

RoiPsnrAccumulator::RoiPsnrAccumulator(Tensor roi_map) : roi(std::move(roi_map)) {
  if (roi.dtype() != DType::f32 || roi.rank() != 2)
    throw InvalidError("roi psnr", "the region-of-interest map must be f32 [H, W], got " + shape_str(roi.shape()));
  for (int64_t i = 0; i < roi.numel(); ++i)
    if (!(roi.data<float>()[i] >= 0)) throw InvalidError("roi psnr", "the region-of-interest map has a negative or NaN weight");
}

void RoiPsnrAccumulator::add(const Tensor& pred, const Tensor& ref) {
  const int64_t hw = roi.numel();
  if (!pred.defined() || pred.shape() != ref.shape() || pred.rank() < 2 || pred.dim(-2) != roi.dim(0) ||
      pred.dim(-1) != roi.dim(1))
    throw InvalidError("roi psnr", format("prediction %s, reference %s and map %s do not match", shape_str(pred.shape()).c_str(),
                                          shape_str(ref.shape()).c_str(), shape_str(roi.shape()).c_str()));
  const float* m = roi.data<float>();
  for (int64_t i = 0; i < pred.numel(); ++i) {
    const double e = pred.get_f64(i) - ref.get_f64(i);
    sum_weighted_squared_error += m[i % hw] * e * e;
    sum_weight += m[i % hw];
  }
}

double RoiPsnrAccumulator::psnr_db(double peak) const {
  if (sum_weight == 0) return std::nan("");
  const double mse = sum_weighted_squared_error / sum_weight;
  return mse == 0 ? INFINITY : 10 * std::log10(peak * peak / mse);
}

void PsnrAccumulator::add(const Tensor& pred, const Tensor& ref) {
  if (!pred.defined() || !ref.defined() || pred.shape() != ref.shape())
    throw InvalidError("psnr", format("prediction %s and reference %s differ in shape",
                                      shape_str(pred.shape()).c_str(), shape_str(ref.shape()).c_str()));
  const int64_t n = pred.numel();
  if (pred.dtype() == DType::f32 && ref.dtype() == DType::f32) {
    add_squared(pred.data<float>(), ref.data<float>(), n, sum_squared_error);
  } else {
    for (int64_t i = 0; i < n; ++i) {
      double e = pred.get_f64(i) - ref.get_f64(i);
      sum_squared_error += e * e;
    }
  }
  count += n;
}

double PsnrAccumulator::mse() const { return count ? sum_squared_error / static_cast<double>(count) : kNaN; }

double PsnrAccumulator::psnr_db(double peak) const { return 10.0 * std::log10(peak * peak / mse()); }

double mse(const Tensor& pred, const Tensor& ref) {
  PsnrAccumulator acc;
  acc.add(pred, ref);
  return acc.mse();
}

double psnr_db(const Tensor& pred, const Tensor& ref, double peak) {
  PsnrAccumulator acc;
  acc.add(pred, ref);
  return acc.psnr_db(peak);
}

}  // namespace coda::datasets
