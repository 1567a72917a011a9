// Calibration observers: they watch f32 tensors batch by batch and pick a quantization range.
//
// Every observer has observe(x), called once per calibration batch, and range() -> {min, max}
// (f32 tensors: scalars per tensor, or [C] per channel). Feed range() to choose_params.
// MinMaxObserver is here; PercentileObserver, MseObserver and KlObserver have their own headers.
//
//   MinMaxObserver obs(/*axis=*/1);            // per channel along axis 1; std::nullopt = per tensor
//   for (const Tensor& batch : calib) obs.observe(batch);
//   Range r = obs.range();
//   QuantParams p = choose_params(parse_format("int8").per_channel(1), r.min, r.max);
#pragma once
#include <optional>
#include <vector>

#include "coda/core/tensor.h"

namespace coda::quant {

struct Range {
  Tensor min, max;  // f32, equal shapes
};

class Observer {
 public:
  virtual ~Observer() = default;
  virtual void observe(const Tensor& x) = 0;
  // InvalidError if nothing was observed.
  virtual Range range() const = 0;
};

// Running min and max (NaN and inf ignored), over all batches.
class MinMaxObserver : public Observer {
 public:
  explicit MinMaxObserver(std::optional<int> axis = std::nullopt) : axis_(axis) {}
  void observe(const Tensor& x) override;
  Range range() const override;

 private:
  std::optional<int> axis_;
  std::vector<float> min_, max_;
  bool seen_ = false;
};

// Internal helpers shared by the observers.
void check_observed(const Tensor& x, const char* observer);  // f32, InvalidError otherwise
Range scalar_range(float min, float max);

}  // namespace coda::quant
