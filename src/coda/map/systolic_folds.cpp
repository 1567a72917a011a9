// fold_layer: SCALE-Sim's operand-matrix dimensions per dataflow and the per-fold cycle counts that its
// systolic_compute_{os,ws,is}.py demand matrices have (docs/systolic.md, "Folds").
#include "coda/core/error.h"
#include "coda/map/systolic.h"

namespace coda::map {

SystolicFolds fold_layer(const workload::ScaleSimLayer& layer, const SystolicArray& array) {
  if (array.rows < 1 || array.cols < 1)
    throw InvalidError("systolic array", format("%lld x %lld has a zero dimension", (long long)array.rows,
                                                (long long)array.cols));
  const int64_t pixels = layer.ofmap_pixels(), window = layer.window_size(), filters = layer.num_filters;
  const int64_t R = array.rows, C = array.cols;
  SystolicFolds f;
  switch (array.dataflow) {
    case hw::SystolicDataflow::os:  // ofmap pixels on rows, filters on columns, window through time
      f.spatial_rows = pixels, f.spatial_cols = filters, f.temporal = window;
      // ifmap: T rows + (C - 1) drain rows, skewed over R columns: T + C - 1 + R - 1.
      f.cycles_per_fold = f.temporal + R + C - 2;
      f.util_cycles_per_fold = f.cycles_per_fold;
      break;
    case hw::SystolicDataflow::ws:  // window on rows, filters on columns, ofmap pixels through time
    case hw::SystolicDataflow::is:  // window on rows, ofmap pixels on columns, filters through time
      if (array.dataflow == hw::SystolicDataflow::ws)
        f.spatial_rows = window, f.spatial_cols = filters, f.temporal = pixels;
      else
        f.spatial_rows = window, f.spatial_cols = pixels, f.temporal = filters;
      // streamed operand: R load rows + T + (C - 1) drain rows, skewed over R columns.
      f.cycles_per_fold = 2 * R + C + f.temporal - 2;
      // SCALE-Sim measures the stationary operand's demand matrix (R + R + C + T - 2 rows, unskewed)
      // plus C - 1, so Compute Util divides by a fold C - 1 cycles longer than the fold itself.
      f.util_cycles_per_fold = 2 * R + 2 * C + f.temporal - 3;
      break;
  }
  f.row_folds = (f.spatial_rows + R - 1) / R;
  f.col_folds = (f.spatial_cols + C - 1) / C;
  return f;
}

}  // namespace coda::map
