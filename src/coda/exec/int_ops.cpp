// Integer Conv2d (im2col + qgemm, or a direct loop for depthwise), MatMul / Gemm, zero-point
// corrections and the fixed-point / power-of-two output stage; see int_ops.h.
#include "coda/exec/int_ops.h"

#include <algorithm>
#include <cstring>

#include "coda/core/error.h"
#include "coda/exec/im2col.h"
#include "coda/exec/requant.h"

namespace coda::exec::intops {

namespace {

[[noreturn]] void bad(const char* where, const std::string& what) { throw InvalidError(where, what); }

int32_t wrap_add(int32_t a, int32_t b) { return static_cast<int32_t>(static_cast<uint32_t>(a) + static_cast<uint32_t>(b)); }

bool any_nonzero(const int32_t* v, int64_t count) {
  if (!v) return false;
  for (int64_t i = 0; i < count; ++i)
    if (v[i] != 0) return true;
  return false;
}

// Runs body over [0, count) on the pool (chunks of `grain`) or inline.
template <class F> void parallel(ThreadPool* pool, int64_t count, int64_t grain, const F& body) {
  if (count <= 0) return;
  if (pool) pool->parallel_for(0, count, std::max<int64_t>(grain, 1), body);
  else body(0, count);
}

// Depthwise 2-D convolution (one input channel per group), direct: per (image, channel) the input is
// centred (x - x_zp, |.| <= 255) into a zero-padded int16 plane once, then every filter of the
// channel adds (w - w_zp) * plane over its taps into output rows. The int16 x int16 products are
// exact in int32 (vectorised as pmullw / pmulhw); the uint32 sums wrap like int32 ones.
void depthwise_acc(const kern::ConvShape& s, const uint8_t* x, bool x_signed, int32_t x_zp, const uint8_t* w,
                   bool w_signed, const int32_t* w_zp, int64_t w_zp_count, int32_t* acc, ThreadPool* pool) {
  const kern::WindowGeometry& g = s.geo;
  const int64_t H = g.in[1], W = g.in[2], OH = g.out[1], OW = g.out[2], P = OH * OW;
  const int64_t KH = g.kernel[1], KW = g.kernel[2], K = KH * KW;
  const int64_t pt = g.pad_begin[1], pl = g.pad_begin[2];
  const int64_t Hp = std::max(H + pt + g.pad_end[1], (OH - 1) * g.stride[1] + (KH - 1) * g.dilation[1] + 1);
  const int64_t Wp = std::max(W + pl + g.pad_end[2], (OW - 1) * g.stride[2] + (KW - 1) * g.dilation[2] + 1);
  const int64_t sh = g.stride[1], sw = g.stride[2], dh = g.dilation[1], dw = g.dilation[2];
  parallel(pool, s.batch * s.channels, 1, [&](int64_t lo, int64_t hi) {
    std::vector<int16_t> plane(static_cast<size_t>(Hp * Wp)), wc(static_cast<size_t>(K));
    std::vector<uint32_t> row(static_cast<size_t>(OW));
    for (int64_t t = lo; t < hi; ++t) {
      const int64_t nb = t / s.channels, c = t % s.channels;
      const uint8_t* xc = x + (nb * s.channels + c) * H * W;
      std::fill(plane.begin(), plane.end(), int16_t{0});
      for (int64_t h = 0; h < H; ++h) {
        int16_t* dst = plane.data() + (h + pt) * Wp + pl;
        const uint8_t* src = xc + h * W;
        if (x_signed)
          for (int64_t i = 0; i < W; ++i) dst[i] = static_cast<int16_t>(static_cast<int8_t>(src[i]) - x_zp);
        else
          for (int64_t i = 0; i < W; ++i) dst[i] = static_cast<int16_t>(src[i] - x_zp);
      }
      for (int64_t f = 0; f < s.mg; ++f) {
        const int64_t m = c * s.mg + f;
        const int32_t zp = w_zp_count == 1 ? w_zp[0] : w_zp[m];
        for (int64_t i = 0; i < K; ++i) {
          const int32_t v = w_signed ? static_cast<int8_t>(w[m * K + i]) : w[m * K + i];
          wc[i] = static_cast<int16_t>(v - zp);
        }
        int32_t* out = acc + (nb * s.filters + m) * P;
        uint32_t* r = row.data();
        for (int64_t oh = 0; oh < OH; ++oh) {
          std::fill(row.begin(), row.end(), 0u);
          for (int64_t kh = 0; kh < KH; ++kh) {
            const int16_t* base = plane.data() + (oh * sh + kh * dh) * Wp;
            for (int64_t kw = 0; kw < KW; ++kw) {
              const int32_t wv = wc[kh * KW + kw];
              const int16_t* src = base + kw * dw;
              if (sw == 1)
                for (int64_t ow = 0; ow < OW; ++ow) r[ow] += static_cast<uint32_t>(wv * static_cast<int32_t>(src[ow]));
              else
                for (int64_t ow = 0; ow < OW; ++ow) r[ow] += static_cast<uint32_t>(wv * static_cast<int32_t>(src[ow * sw]));
            }
          }
          for (int64_t ow = 0; ow < OW; ++ow) out[oh * OW + ow] = static_cast<int32_t>(r[ow]);
        }
      }
    }
  });
}

bool depthwise_applies(const kern::ConvShape& s) {
  const kern::WindowGeometry& g = s.geo;
  if (s.cg != 1 || s.group != s.channels || s.group == 1) return false;
  if (g.in[0] != 1 || g.kernel[0] != 1 || g.pad_begin[0] != 0 || g.pad_end[0] != 0) return false;
  for (int a = 1; a < 3; ++a)
    if (g.pad_begin[a] < 0 || g.pad_end[a] < 0) return false;
  return true;
}

// Stride-1 2-D convolution without im2col: over "wide" output rows of Wp columns (the padded width,
// of which the first OW are real outputs), the im2col row of tap (c, kh, kw) is one contiguous run of
// the zero-point-padded input, starting at (kh * dh) * Wp + kw * dw of channel c's rows. qgemm packs
// straight from those runs; the Wp - OW extra columns per row are computed and dropped.
bool shifted_rows_apply(const kern::ConvShape& s) {
  const kern::WindowGeometry& g = s.geo;
  if (g.in[0] != 1 || g.kernel[0] != 1 || g.pad_begin[0] != 0 || g.pad_end[0] != 0) return false;
  if (g.stride[1] != 1 || g.stride[2] != 1) return false;
  for (int a = 1; a < 3; ++a)
    if (g.pad_begin[a] < 0 || g.pad_end[a] < 0) return false;
  return true;
}

void conv_shifted_rows(const kern::ConvShape& s, const uint8_t* x, bool x_signed, int32_t x_zp, const uint8_t* w,
                       bool w_signed, const int32_t* w_zp, int64_t w_zp_count, int32_t* acc, ThreadPool* pool, Isa isa,
                       bool flip, bool col_sums) {
  const kern::WindowGeometry& g = s.geo;
  const int64_t H = g.in[1], W = g.in[2], OH = g.out[1], OW = g.out[2], P = OH * OW;
  const int64_t KH = g.kernel[1], KW = g.kernel[2], K = KH * KW, kdim = s.cg * K;
  const int64_t pt = g.pad_begin[1], pl = g.pad_begin[2], dh = g.dilation[1], dw = g.dilation[2];
  const int64_t Wp = std::max(W + pl + g.pad_end[2], OW + (KW - 1) * dw);
  const int64_t rb = std::max<int64_t>(1, std::min<int64_t>(OH, 1024 / Wp));  // output rows per task
  const int64_t blocks = (OH + rb - 1) / rb, tasks = s.batch * s.group * blocks;
  const uint8_t pad = static_cast<uint8_t>(x_zp);
  parallel(pool, tasks, 1, [&](int64_t lo, int64_t hi) {
    thread_local std::vector<uint8_t> blk;
    thread_local std::vector<const uint8_t*> rows;
    thread_local std::vector<int32_t> wide;
    thread_local qgemm::PackedB packed;
    for (int64_t t = lo; t < hi; ++t) {
      const int64_t nb = t / (s.group * blocks), gi = (t / blocks) % s.group, oh0 = (t % blocks) * rb;
      const int64_t nrows = std::min(rb, OH - oh0), Hb = nrows + (KH - 1) * dh, ncols = nrows * Wp;
      const int64_t cstride = Hb * Wp;
      // Padded input rows [oh0, oh0 + Hb) of the group's channels, plus slack for the last run.
      blk.assign(static_cast<size_t>(s.cg * cstride + KW * dw + 64), pad);
      for (int64_t c = 0; c < s.cg; ++c) {
        const uint8_t* xc = x + ((nb * s.channels + gi * s.cg + c) * H) * W;
        for (int64_t r = 0; r < Hb; ++r) {
          const int64_t ih = oh0 + r - pt;
          if (ih >= 0 && ih < H) std::memcpy(blk.data() + c * cstride + r * Wp + pl, xc + ih * W, static_cast<size_t>(W));
        }
      }
      rows.resize(static_cast<size_t>(kdim));
      for (int64_t c = 0; c < s.cg; ++c)
        for (int64_t kh = 0; kh < KH; ++kh)
          for (int64_t kw = 0; kw < KW; ++kw) rows[(c * KH + kh) * KW + kw] = blk.data() + c * cstride + kh * dh * Wp + kw * dw;
      packed.assign_rows(isa, kdim, ncols, rows.data(), x_signed, flip, col_sums);
      wide.resize(static_cast<size_t>(s.mg * ncols));
      const int32_t* zp = w_zp_count == 1 ? w_zp : w_zp + gi * s.mg;
      gemm_zp(s.mg, w + gi * s.mg * kdim, w_signed, kdim, zp, w_zp_count == 1 ? 1 : s.mg, packed, &x_zp, 1, wide.data(),
              ncols, pool);
      for (int64_t m = 0; m < s.mg; ++m) {
        int32_t* out = acc + (nb * s.filters + gi * s.mg + m) * P + oh0 * OW;
        for (int64_t r = 0; r < nrows; ++r)
          std::memcpy(out + r * OW, wide.data() + m * ncols + r * Wp, static_cast<size_t>(OW) * sizeof(int32_t));
      }
    }
  });
}

kern::ConvShape conv_shape_of(const ConvParams& p) {
  const char* where = "intops::conv2d";
  if (p.batch < 0 || p.in_channels <= 0 || p.height <= 0 || p.width <= 0 || p.out_channels <= 0 || p.kernel_h <= 0 ||
      p.kernel_w <= 0 || p.groups <= 0 || p.stride_h <= 0 || p.stride_w <= 0 || p.dilation_h <= 0 || p.dilation_w <= 0 ||
      p.pad_top < 0 || p.pad_left < 0 || p.pad_bottom < 0 || p.pad_right < 0)
    bad(where, "sizes, strides and dilations must be positive and pads non-negative");
  if (p.in_channels % p.groups || p.out_channels % p.groups)
    bad(where, format("groups %lld does not divide channels %lld / %lld", (long long)p.groups, (long long)p.in_channels,
                      (long long)p.out_channels));
  if (p.out_h() <= 0 || p.out_w() <= 0) bad(where, "the kernel does not fit the padded input");
  kern::ConvShape s;
  s.batch = p.batch;
  s.channels = p.in_channels;
  s.filters = p.out_channels;
  s.group = p.groups;
  s.cg = p.in_channels / p.groups;
  s.mg = p.out_channels / p.groups;
  kern::WindowGeometry& g = s.geo;
  g.rank = 2;
  g.in = {1, p.height, p.width};
  g.kernel = {1, p.kernel_h, p.kernel_w};
  g.stride = {1, p.stride_h, p.stride_w};
  g.dilation = {1, p.dilation_h, p.dilation_w};
  g.pad_begin = {0, p.pad_top, p.pad_left};
  g.pad_end = {0, p.pad_bottom, p.pad_right};
  g.out = {1, p.out_h(), p.out_w()};
  return s;
}

void check_zero_points(const char* where, const std::vector<int32_t>& zp, int64_t channels) {
  if (zp.size() != 1 && static_cast<int64_t>(zp.size()) != channels)
    bad(where, format("%zu weight zero points for %lld output channels", zp.size(), (long long)channels));
  for (int32_t v : zp)
    if (v < -128 || v > 127) bad(where, format("weight zero point %d is outside the int8 range", v));
}

void check_input(const char* where, const QInput& x) {
  const int32_t lo = x.is_signed ? -128 : 0, hi = x.is_signed ? 127 : 255;
  if (x.zero_point < lo || x.zero_point > hi)
    bad(where, format("input zero point %d is outside the %s range", x.zero_point, x.is_signed ? "int8" : "uint8"));
}

}  // namespace

// ---- Requant ----

Requant Requant::fixed_point(const std::vector<double>& scales, int32_t zero_point, bool out_signed) {
  Requant r;
  r.multiplier.resize(scales.size());
  r.shift.resize(scales.size());
  for (size_t i = 0; i < scales.size(); ++i) requant::quantize_multiplier(scales[i], &r.multiplier[i], &r.shift[i]);
  r.zero_point = zero_point;
  r.out_signed = out_signed;
  r.qmin = out_signed ? -128 : 0;
  r.qmax = out_signed ? 127 : 255;
  return r;
}

Requant Requant::power_of_two(std::vector<int> right_shifts, int32_t zero_point, bool out_signed) {
  Requant r;
  r.shift = std::move(right_shifts);
  r.zero_point = zero_point;
  r.out_signed = out_signed;
  r.qmin = out_signed ? -128 : 0;
  r.qmax = out_signed ? 127 : 255;
  return r;
}

int32_t Requant::apply(int32_t acc, int64_t channel) const {
  const size_t i = shift.size() == 1 ? 0 : static_cast<size_t>(channel);
  const int32_t v = multiplier.empty() ? requant::shift_round(acc, shift[i])
                                       : requant::multiply_by_quantized_multiplier(acc, multiplier[i], shift[i]);
  const int64_t y = static_cast<int64_t>(v) + zero_point;
  return static_cast<int32_t>(y < qmin ? qmin : y > qmax ? qmax : y);
}

void Requant::validate(int64_t channels) const {
  const char* where = "intops::Requant";
  const auto ok = [&](size_t n) { return n == 1 || static_cast<int64_t>(n) == channels; };
  if (!ok(shift.size())) bad(where, format("%zu shifts for %lld channels", shift.size(), (long long)channels));
  if (!multiplier.empty() && multiplier.size() != shift.size())
    bad(where, format("%zu multipliers but %zu shifts", multiplier.size(), shift.size()));
  for (int s : shift)
    if (multiplier.empty() ? (s < -31 || s > 62) : (s < -62 || s > 31)) bad(where, format("shift %d out of range", s));
  const int32_t lo = out_signed ? -128 : 0, hi = out_signed ? 127 : 255;
  if (qmin < lo || qmax > hi || qmin > qmax)
    bad(where, format("clamp [%d, %d] is outside the %s range", qmin, qmax, out_signed ? "int8" : "uint8"));
}

void requantize(const int32_t* acc, int64_t count, int64_t inner, int64_t channels, const Requant& rq, void* y) {
  for (int64_t b = 0; b * inner < count; ++b) {
    const int64_t c = b % channels, i0 = b * inner, i1 = std::min(count, i0 + inner);
    if (rq.out_signed) {
      int8_t* o = static_cast<int8_t*>(y);
      for (int64_t i = i0; i < i1; ++i) o[i] = static_cast<int8_t>(rq.apply(acc[i], c));
    } else {
      uint8_t* o = static_cast<uint8_t*>(y);
      for (int64_t i = i0; i < i1; ++i) o[i] = static_cast<uint8_t>(rq.apply(acc[i], c));
    }
  }
}

// ---- GEMM with zero points ----

void gemm_zp(int64_t m, const void* a, bool a_signed, int64_t lda, const int32_t* a_zp, int64_t a_zp_count,
             const qgemm::PackedB& b, const int32_t* b_zp, int64_t b_zp_count, int32_t* c, int64_t ldc,
             ThreadPool* pool) {
  const int64_t n = b.n(), k = b.k();
  const bool has_azp = any_nonzero(a_zp, a_zp_count), has_bzp = any_nonzero(b_zp, b_zp_count);
  if (m <= 0 || n <= 0) return;
  // sum_k (a - az_i)(b - bz_j) = ab + az_i * (k bz_j - colsum_j) - bz_j * rowsum_i   (mod 2^32)
  thread_local std::vector<uint32_t> d, bz, rs;
  if (has_azp || has_bzp) {
    bz.resize(static_cast<size_t>(n));
    for (int64_t j = 0; j < n; ++j) bz[j] = has_bzp ? static_cast<uint32_t>(b_zp_count == 1 ? b_zp[0] : b_zp[j]) : 0u;
    rs.assign(static_cast<size_t>(m), 0u);
    if (has_bzp) qgemm::row_sums(m, k, a, a_signed, lda, reinterpret_cast<int32_t*>(rs.data()));
    d.assign(static_cast<size_t>(n), 0u);
    if (has_azp) {
      CODA_CHECK(b.col_sums() != nullptr, "gemm_zp: B packed without column sums");
      for (int64_t j = 0; j < n; ++j) d[j] = static_cast<uint32_t>(k) * bz[j] - static_cast<uint32_t>(b.col_sums()[j]);
    }
  }
  // Zero points per tensor (or absent) on both sides: the correction is a row term plus a column
  // term, which the kernels add at the store.
  if ((!has_azp || a_zp_count == 1) && (!has_bzp || b_zp_count == 1)) {
    const uint32_t az = has_azp ? static_cast<uint32_t>(a_zp[0]) : 0u, bz0 = has_bzp ? bz[0] : 0u;
    thread_local std::vector<int32_t> row_add, col_add;
    if (has_bzp) {
      row_add.resize(static_cast<size_t>(m));
      for (int64_t i = 0; i < m; ++i) row_add[i] = static_cast<int32_t>(0u - bz0 * rs[i]);
    }
    if (has_azp) {
      col_add.resize(static_cast<size_t>(n));
      for (int64_t j = 0; j < n; ++j) col_add[j] = static_cast<int32_t>(az * d[j]);
    }
    qgemm::gemm_packed(m, a, a_signed, lda, b, c, ldc, pool, has_bzp ? row_add.data() : nullptr,
                       has_azp ? col_add.data() : nullptr);
    return;
  }
  qgemm::gemm_packed(m, a, a_signed, lda, b, c, ldc, pool);
  const uint32_t* dp = d.data();
  const uint32_t* bzp = bz.data();
  parallel(pool, m, std::max<int64_t>(1, (1 << 16) / std::max<int64_t>(n, 1)), [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; ++i) {
      const uint32_t az = has_azp ? static_cast<uint32_t>(a_zp_count == 1 ? a_zp[0] : a_zp[i]) : 0u, r = rs[i];
      uint32_t* row = reinterpret_cast<uint32_t*>(c + i * ldc);
      for (int64_t j = 0; j < n; ++j) row[j] += az * dp[j] - bzp[j] * r;
    }
  });
}

// ---- Convolution ----

void conv_acc(const kern::ConvShape& s, const void* x_ptr, bool x_signed, int32_t x_zp, const void* w_ptr, bool w_signed,
              const int32_t* w_zp, int64_t w_zp_count, int32_t* acc, ThreadPool* pool, Isa isa) {
  const kern::WindowGeometry& g = s.geo;
  const uint8_t* x = static_cast<const uint8_t*>(x_ptr);
  const uint8_t* w = static_cast<const uint8_t*>(w_ptr);
  const int64_t P = g.out_size(), K = g.kernel_size(), kdim = s.cg * K, in_size = g.in_size();
  if (s.batch * s.filters * P == 0) return;
  if (depthwise_applies(s)) return depthwise_acc(s, x, x_signed, x_zp, w, w_signed, w_zp, w_zp_count, acc, pool);
  const bool pointwise = g.is_pointwise();
  // Activations of the weights' signedness are flipped while packing (corrected with the weights'
  // row sums); their column sums are needed only for non-zero weight zero points.
  const bool flip = x_signed == w_signed, col_sums = any_nonzero(w_zp, w_zp_count);
  if (!pointwise && shifted_rows_apply(s))
    return conv_shifted_rows(s, x, x_signed, x_zp, w, w_signed, w_zp, w_zp_count, acc, pool, isa, flip, col_sums);
  // Column blocks of about 512 KiB of im2col bytes (a multiple of 64 columns).
  const int64_t pc = pointwise ? std::min<int64_t>(P, 4096)
                               : std::min<int64_t>(P, std::max<int64_t>(64, ((int64_t{1} << 19) / std::max<int64_t>(kdim, 1)) / 64 * 64));
  const int64_t blocks = (P + pc - 1) / pc, tasks = s.batch * s.group * blocks;
  const uint8_t pad = static_cast<uint8_t>(x_zp);  // padding is the zero point: it adds nothing
  parallel(pool, tasks, 1, [&](int64_t lo, int64_t hi) {
    thread_local std::vector<uint8_t> col;
    thread_local qgemm::PackedB packed;
    for (int64_t t = lo; t < hi; ++t) {
      const int64_t nb = t / (s.group * blocks), gi = (t / blocks) % s.group, p0 = (t % blocks) * pc;
      const int64_t len = std::min(pc, P - p0);
      const uint8_t* xg = x + (nb * s.channels + gi * s.cg) * in_size;
      if (pointwise) {
        packed.assign(isa, kdim, len, xg + p0, x_signed, P, false, flip, col_sums);
      } else {
        col.resize(static_cast<size_t>(kdim * len));
        kern::im2col<uint8_t>(g, xg, s.cg, p0, p0 + len, pad, col.data());
        packed.assign(isa, kdim, len, col.data(), x_signed, len, false, flip, col_sums);
      }
      const int32_t* zp = w_zp_count == 1 ? w_zp : w_zp + gi * s.mg;
      gemm_zp(s.mg, w + gi * s.mg * kdim, w_signed, kdim, zp, w_zp_count == 1 ? 1 : s.mg, packed, &x_zp, 1,
              acc + (nb * s.filters + gi * s.mg) * P + p0, P, pool);
    }
  });
}

void conv2d_s32(const ConvParams& p, const QInput& x, const QWeights& w, const int32_t* bias, int32_t* acc,
                ThreadPool* pool, Isa isa) {
  const kern::ConvShape s = conv_shape_of(p);
  check_zero_points("intops::conv2d", w.zero_point, s.filters);
  check_input("intops::conv2d", x);
  conv_acc(s, x.data, x.is_signed, x.zero_point, w.data, true, w.zero_point.data(),
           static_cast<int64_t>(w.zero_point.size()), acc, pool, isa);
  if (!bias) return;
  const int64_t P = s.geo.out_size();
  for (int64_t b = 0; b < s.batch * s.filters; ++b) {
    const int32_t bv = bias[b % s.filters];
    for (int64_t i = b * P; i < (b + 1) * P; ++i) acc[i] = wrap_add(acc[i], bv);
  }
}

void conv2d(const ConvParams& p, const QInput& x, const QWeights& w, const int32_t* bias, const Requant& rq, void* y,
            ThreadPool* pool, Isa isa) {
  rq.validate(p.out_channels);
  const int64_t P = std::max<int64_t>(p.out_h(), 0) * std::max<int64_t>(p.out_w(), 0);
  std::vector<int32_t> acc(static_cast<size_t>(std::max<int64_t>(p.batch * p.out_channels * P, 0)));
  conv2d_s32(p, x, w, bias, acc.data(), pool, isa);
  requantize(acc.data(), static_cast<int64_t>(acc.size()), P, p.out_channels, rq, y);
}

// ---- MatMul / Gemm ----

PackedLinear::PackedLinear(int64_t k, int64_t n, const int8_t* w, bool trans_w, std::vector<int32_t> w_zero_point,
                           const int32_t* bias, Requant rq, Isa isa)
    : w_zp_(std::move(w_zero_point)), rq_(std::move(rq)) {
  if (k < 0 || n <= 0) bad("intops::PackedLinear", "k must be >= 0 and n > 0");
  check_zero_points("intops::PackedLinear", w_zp_, n);
  rq_.validate(n);
  packed_ = qgemm::pack_b(isa, k, n, w, trans_w ? k : n, trans_w);
  if (bias) bias_.assign(bias, bias + n);
}

void PackedLinear::run_s32(int64_t m, const QInput& x, int32_t* acc, ThreadPool* pool) const {
  const int64_t n = packed_.n(), k = packed_.k();
  check_input("intops::PackedLinear", x);
  if (m < 0) bad("intops::PackedLinear", "negative row count");
  gemm_zp(m, x.data, x.is_signed, k, &x.zero_point, 1, packed_, w_zp_.data(), static_cast<int64_t>(w_zp_.size()), acc, n,
          pool);
  if (bias_.empty()) return;
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) acc[i * n + j] = wrap_add(acc[i * n + j], bias_[j]);
}

void PackedLinear::run(int64_t m, const QInput& x, void* y, ThreadPool* pool) const {
  thread_local std::vector<int32_t> acc;
  acc.resize(static_cast<size_t>(m * packed_.n()));
  run_s32(m, x, acc.data(), pool);
  // per column: the channel of element i is i % n
  const int64_t n = packed_.n();
  for (int64_t i = 0; i < m; ++i) {
    if (rq_.out_signed) {
      int8_t* o = static_cast<int8_t*>(y) + i * n;
      for (int64_t j = 0; j < n; ++j) o[j] = static_cast<int8_t>(rq_.apply(acc[i * n + j], j));
    } else {
      uint8_t* o = static_cast<uint8_t*>(y) + i * n;
      for (int64_t j = 0; j < n; ++j) o[j] = static_cast<uint8_t>(rq_.apply(acc[i * n + j], j));
    }
  }
}

void matmul_s32(int64_t m, int64_t n, int64_t k, const QInput& x, const QWeights& w, bool trans_w, const int32_t* bias,
                int32_t* acc, ThreadPool* pool, Isa isa) {
  if (m < 0 || n <= 0 || k < 0) bad("intops::matmul", "m, k must be >= 0 and n > 0");
  PackedLinear layer(k, n, w.data, trans_w, w.zero_point, bias, Requant{}, isa);
  layer.run_s32(m, x, acc, pool);
}

void matmul(int64_t m, int64_t n, int64_t k, const QInput& x, const QWeights& w, bool trans_w, const int32_t* bias,
            const Requant& rq, void* y, ThreadPool* pool, Isa isa) {
  if (m < 0 || n <= 0 || k < 0) bad("intops::matmul", "m, k must be >= 0 and n > 0");
  PackedLinear layer(k, n, w.data, trans_w, w.zero_point, bias, rq, isa);
  layer.run(m, x, y, pool);
}

}  // namespace coda::exec::intops
