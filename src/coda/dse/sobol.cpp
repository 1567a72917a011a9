// Sobol points by Gray code from Joe & Kuo's direction numbers (data/dse/sobol_joe_kuo.txt).
#include "coda/dse/sobol.h"

#include <sstream>
#include <string>

#include "coda/core/error.h"
#include "coda/core/file_io.h"
#include "coda/core/random.h"
#include "coda/hw/components.h"

namespace coda::dse {
namespace {

// One row of new-joe-kuo-6.21201: degree s, coefficients a, initial direction numbers m_1..m_s.
struct JoeKuoRow {
  int s = 0;
  uint32_t a = 0;
  std::vector<uint32_t> m;
};

std::vector<JoeKuoRow> parse_joe_kuo(const std::string& path) {
  std::istringstream in(read_file(path));
  std::vector<JoeKuoRow> rows;
  std::string line;
  int lineno = 0;
  bool header = false;
  while (std::getline(in, line)) {
    ++lineno;
    if (line.empty() || line[0] == '#') continue;
    if (!header) {  // the column line "d s a m_i"
      header = true;
      continue;
    }
    std::istringstream ls(line);
    long d = 0, s = 0, a = 0;
    if (!(ls >> d >> s >> a) || s < 1 || s > 31 || a < 0)
      throw ParseError(path, format("line %d: expected 'd s a m_1 .. m_s'", lineno));
    if (d != static_cast<long>(rows.size()) + 2)
      throw ParseError(path, format("line %d: dimension %ld out of order (expected %zu)", lineno, d, rows.size() + 2));
    JoeKuoRow row;
    row.s = static_cast<int>(s);
    row.a = static_cast<uint32_t>(a);
    for (int i = 0; i < s; ++i) {
      long m = 0;
      if (!(ls >> m) || m < 1 || m % 2 == 0 || m >= (1L << (i + 1)))
        throw ParseError(path, format("line %d: m_%d must be odd and below 2^%d", lineno, i + 1, i + 1));
      row.m.push_back(static_cast<uint32_t>(m));
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

const std::vector<JoeKuoRow>& joe_kuo_table() {
  static const std::vector<JoeKuoRow> table = parse_joe_kuo(hw::data_dir() + "/dse/sobol_joe_kuo.txt");
  return table;
}

int parity(uint32_t x) { return __builtin_parity(x); }

}  // namespace

SobolSequence::SobolSequence(size_t dims, bool scramble, uint64_t seed) : dims_(dims) {
  if (dims < 1 || dims > kMaxDimensions)
    throw InvalidError("sobol", format("%zu dimensions; the direction numbers cover 1 to %zu", dims, kMaxDimensions));
  static const std::vector<JoeKuoRow> kNoRows;  // one dimension needs no file
  const auto& table = dims > 1 ? joe_kuo_table() : kNoRows;
  if (dims > table.size() + 1)
    throw InvalidError("sobol", format("%zu dimensions; data/dse/sobol_joe_kuo.txt covers %zu", dims, table.size() + 1));
  v_.assign(dims * kBits, 0);
  for (int b = 0; b < kBits; ++b) v_[b] = 1u << (31 - b);  // dimension 1: van der Corput
  for (size_t d = 1; d < dims; ++d) {
    const JoeKuoRow& row = table[d - 1];
    uint32_t* v = &v_[d * kBits];
    for (int i = 0; i < kBits; ++i) {
      if (i < row.s) {
        v[i] = row.m[i] << (31 - i);
      } else {
        v[i] = v[i - row.s] ^ (v[i - row.s] >> row.s);
        for (int k = 1; k < row.s; ++k)
          if ((row.a >> (row.s - 1 - k)) & 1u) v[i] ^= v[i - k];
      }
    }
  }
  shift_.assign(dims, 0);
  if (scramble) {
    uint64_t counter = 0;
    auto draw32 = [&] { return static_cast<uint32_t>(splitmix64(seed + counter++) >> 32); };
    // Linear matrix scramble: v' = L v with L random lower triangular (unit diagonal) over GF(2), row r
    // acting on bit 31-r (r = 0 is the most significant bit).
    std::vector<uint32_t> rows(kBits);
    for (size_t d = 0; d < dims; ++d) {
      for (int r = 0; r < kBits; ++r) {
        uint32_t above = r == 0 ? 0u : (~0u << (32 - r));
        rows[r] = (draw32() & above) | (1u << (31 - r));
      }
      for (int b = 0; b < kBits; ++b) {
        uint32_t in = v_[d * kBits + b], out = 0;
        for (int r = 0; r < kBits; ++r) out |= static_cast<uint32_t>(parity(rows[r] & in)) << (31 - r);
        v_[d * kBits + b] = out;
      }
      shift_[d] = draw32();
    }
  }
  x_.assign(dims, 0);
}

void SobolSequence::next(std::vector<double>& u) {
  CODA_CHECK(u.size() >= dims_, "sobol: output holds %zu values, need %zu", u.size(), dims_);
  CODA_CHECK(index_ < (uint64_t{1} << kBits), "sobol: more than 2^32 points");
  constexpr double kScale = 1.0 / 4294967296.0;
  for (size_t d = 0; d < dims_; ++d) u[d] = static_cast<double>(x_[d] ^ shift_[d]) * kScale;
  // Gray code: the next point flips the direction number of the lowest zero bit of the index.
  const int c = __builtin_ctzll(~index_);
  if (c < kBits)
    for (size_t d = 0; d < dims_; ++d) x_[d] ^= v_[d * kBits + c];
  ++index_;
}

void SobolSequence::skip_to(uint64_t i) {
  index_ = i;
  const uint64_t gray = i ^ (i >> 1);
  for (size_t d = 0; d < dims_; ++d) {
    uint32_t x = 0;
    for (int b = 0; b < kBits; ++b)
      if ((gray >> b) & 1u) x ^= v_[d * kBits + b];
    x_[d] = x;
  }
}

}  // namespace coda::dse
