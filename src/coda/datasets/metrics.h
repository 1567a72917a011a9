// Accuracy and image-quality metrics: top-1 accuracy, MSE and PSNR, whole-tensor or accumulated over batches.
//
// Logits may be any numeric dtype, [N,C]; the predicted class is the first index of the maximum, as
// numpy/torch argmax pick it (a NaN counts as the maximum). PSNR is over all elements:
// 10 log10(peak^2 / MSE), with the squared errors summed in double. Mismatched shapes or labels
// raise InvalidError. With no samples, accuracies and PSNR are NaN; identical images give +inf dB.
//
//   double acc = top1(logits, labels);                    // 0.8612
//   PsnrAccumulator psnr;
//   for (auto& [pred, ref] : batches) psnr.add(pred, ref);
//   double db = psnr.psnr_db();                           // same as psnr_db over the concatenation
#pragma once
#include <cstdint>
#include <vector>

#include "coda/core/tensor.h"

namespace coda::datasets {

// Index of the largest of the C logits in row `row` of a [N,C] tensor (first on ties, NaN wins).
int64_t argmax_row(const Tensor& logits, int64_t row);

struct Top1Accumulator {
  int64_t correct = 0;
  int64_t count = 0;
  // Adds every row of logits [N,C]; labels has N classes in [0,C).
  void add(const Tensor& logits, const std::vector<int>& labels);
  // Adds only the listed rows.
  void add_rows(const Tensor& logits, const std::vector<int>& labels, const std::vector<int>& rows);
  double accuracy() const;  // correct / count
};

// Fraction of rows whose argmax equals the label.
double top1(const Tensor& logits, const std::vector<int>& labels);
// The same over the listed rows only (e.g. the test nodes of a graph).
double top1_subset(const Tensor& logits, const std::vector<int>& labels, const std::vector<int>& rows);

struct PsnrAccumulator {
  double sum_squared_error = 0;
  int64_t count = 0;
  // Adds the element-wise squared errors of two tensors of the same shape.
  void add(const Tensor& pred, const Tensor& ref);
  double mse() const;
  double psnr_db(double peak = 1.0) const;
};

// PSNR with every pixel's squared error weighted by a region-of-interest map roi [H, W] (>= 0,
// broadcast over the leading dims of [..., H, W] images): 10 log10(peak^2 / (Σ m·e² / Σ m)).
// ESCA's stand-in for a face-ROI-weighted quality (specs/papers.md §1 (d)).
struct RoiPsnrAccumulator {
  Tensor roi;  // f32 [H, W]
  double sum_weighted_squared_error = 0, sum_weight = 0;
  explicit RoiPsnrAccumulator(Tensor roi_map);  // InvalidError for a non-f32, non-2-D or negative map
  void add(const Tensor& pred, const Tensor& ref);
  double psnr_db(double peak = 1.0) const;
};

// Mean squared error over all elements.
double mse(const Tensor& pred, const Tensor& ref);
// 10 log10(peak^2 / mse(pred, ref)).
double psnr_db(const Tensor& pred, const Tensor& ref, double peak = 1.0);

}  // namespace coda::datasets
