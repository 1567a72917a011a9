// Transpose (perm, default reversed) and DepthToSpace (DCR and CRD modes).
#include "coda/exec/kernel_list.h"
#include "coda/exec/permute.h"

namespace coda::exec::kern {

Outputs op_Transpose(const Node& n, const Inputs& in, KernelContext& ctx) {
  const Tensor& x = input(n, in, 0);
  std::vector<int64_t> perm;
  for (int64_t i = x.rank() - 1; i >= 0; --i) perm.push_back(i);
  perm = n.ints("perm", perm);
  if (static_cast<int64_t>(perm.size()) != x.rank())
    invalid(n, "perm has %zu entries for a rank-%lld input", perm.size(), (long long)x.rank());
  perm = normalize_axes(n, perm, x.rank());
  Shape out;
  for (int64_t p : perm) out.push_back(x.dim(p));
  Tensor y = make_uninit_output(n, x.dtype(), out);
  permute_copy(x.raw(), x.shape(), perm, dtype_size(x.dtype()), y.raw(), ctx);
  return {y};
}

Outputs op_DepthToSpace(const Node& n, const Inputs& in, KernelContext& ctx) {
  const Tensor& x = input(n, in, 0);
  require_rank(n, x, 4, "input");
  const int64_t b = n.i("blocksize");
  if (b < 1 || b > (int64_t{1} << 20)) invalid(n, "blocksize %lld is out of range", (long long)b);
  const int64_t N = x.dim(0), C = x.dim(1), H = x.dim(2), W = x.dim(3);
  if (C % (b * b) != 0) invalid(n, "channels %lld are not divisible by blocksize^2 = %lld", (long long)C, (long long)(b * b));
  const int64_t c = C / (b * b);
  std::string mode = n.s("mode", "DCR");
  Shape view;
  std::vector<int64_t> perm;
  if (mode == "DCR") {
    view = {N, b, b, c, H, W};
    perm = {0, 3, 4, 1, 5, 2};
  } else if (mode == "CRD") {
    view = {N, c, b, b, H, W};
    perm = {0, 1, 4, 2, 5, 3};
  } else {
    invalid(n, "mode '%s' is not DCR or CRD", mode.c_str());
  }
  Tensor y = make_uninit_output(n, x.dtype(), {N, c, H * b, W * b});
  permute_copy(x.raw(), view, perm, dtype_size(x.dtype()), y.raw(), ctx);
  return {y};
}

}  // namespace coda::exec::kern
