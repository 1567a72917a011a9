#include "coda/map/mapspace.h"

#include <algorithm>

#include "coda/core/error.h"
#include "coda/map/factorizations.h"

namespace coda::map {

namespace {

detail::SlotBounds slot(const FactorBounds& b) { return {b.exact, b.min, b.max}; }

uint64_t hash_row(const int64_t* f, size_t n) {
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < n; ++i) h = (h ^ static_cast<uint64_t>(f[i])) * 1099511628211ull;
  return h;
}

int64_t smallest_prime_factor(int64_t n) {
  for (int64_t p = 2; p * p <= n; ++p)
    if (n % p == 0) return p;
  return n;
}

// "GlobalBuffer K=7, RegisterFile K=0" for an error message.
std::string fixed_factors(const Constraints& c, const hw::Architecture& a, const workload::Problem& p, size_t d) {
  std::string s;
  for (size_t i = 0; i < c.levels.size(); ++i)
    for (int sp = 0; sp < 2; ++sp) {
      const FactorBounds& b = sp ? c.levels[i].spatial[d] : c.levels[i].temporal[d];
      if (b.exact < 0 && b.max == 0 && b.min == 1) continue;
      s += (s.empty() ? "" : ", ") + a.levels[i].name + (sp ? " spatial " : " ") + p.dims[d] +
           (b.exact >= 0 ? "=" + std::to_string(b.exact)
                         : (b.max ? "<=" + std::to_string(b.max) : ">=" + std::to_string(b.min)));
    }
  return s;
}

}  // namespace

Mapspace::Mapspace(const workload::Problem& p, const hw::Architecture& a, const Constraints& c)
    : dims_(static_cast<int>(p.dims.size())), spaces_(static_cast<int>(p.data_spaces.size())), levels_(a.num_levels()) {
  if (dims_ > kMaxDims || levels_ > kMaxLevels)
    throw UnsupportedError("mapspace", format("at most %d dimensions and %d levels", kMaxDims, kMaxLevels));
  CODA_CHECK(static_cast<int>(c.levels.size()) == levels_, "constraints for %zu levels, architecture has %d",
             c.levels.size(), levels_);
  for (int i = 0; i < levels_; ++i) {
    fan_x_.push_back(hw::fanout_x(a, i));
    fan_y_.push_back(hw::fanout_y(a, i));
    prefix_.push_back(c.levels[static_cast<size_t>(i)].permutation);
    axis_.push_back(c.levels[static_cast<size_t>(i)].axis);
  }
  for (size_t d = 0; d < p.dims.size(); ++d) {
    std::vector<detail::SlotBounds> slots;
    for (int i = 0; i < levels_; ++i) {
      const LevelConstraints& l = c.levels[static_cast<size_t>(i)];
      slots.push_back(slot(l.temporal[d]));
      detail::SlotBounds s = slot(l.spatial[d]);
      int64_t fan = l.axis[d] == 0 ? fan_x_[static_cast<size_t>(i)]
                    : l.axis[d] == 1 ? fan_y_[static_cast<size_t>(i)]
                                     : std::max(fan_x_[static_cast<size_t>(i)], fan_y_[static_cast<size_t>(i)]);
      if (hw::fanout(a, i) == 1) fan = 1;
      if (s.exact > fan)
        throw InvalidError("constraints", format("target %s: spatial %s=%lld exceeds its fan-out of %lld",
                                                 a.levels[static_cast<size_t>(i)].name.c_str(), p.dims[d].c_str(),
                                                 (long long)s.exact, (long long)fan));
      s.max = s.max ? std::min(s.max, fan) : fan;
      slots.push_back(s);
    }
    table_.push_back(detail::factorizations(p.bounds[d], slots));
    if (table_.back().empty())
      throw InvalidError("constraints", format("dimension %s (bound %lld): no factorization satisfies %s",
                                               p.dims[d].c_str(), (long long)p.bounds[d],
                                               fixed_factors(c, a, p, d).c_str()));
    counts_.push_back(static_cast<uint32_t>(table_.back().size() / slots.size()));
    lookup_.emplace_back();
    for (uint32_t c = 0; c < counts_.back(); ++c) lookup_.back().push_back({hash_row(&table_.back()[c * slots.size()], slots.size()), c});
    std::sort(lookup_.back().begin(), lookup_.back().end());
  }
  for (int i = 0; i < levels_; ++i) {
    const LevelConstraints& l = c.levels[static_cast<size_t>(i)];
    uint32_t keep = l.keep;
    for (int s = 0; s < spaces_; ++s) {
      bool fixed = ((l.keep | l.bypass) >> s) & 1u;
      if (i == levels_ - 1) keep |= 1u << s;
      else if (!fixed) free_keep_.push_back({i, s});
    }
    forced_keep_.push_back(keep);
  }
  if (free_keep_.size() > 63) throw UnsupportedError("mapspace", "more than 63 free keep/bypass choices");
}

double Mapspace::factor_space() const {
  double n = 1;
  for (uint32_t c : counts_) n *= c;
  return n;
}

Mapping Mapspace::make_default() const { return Mapping::trivial(levels_, dims_, spaces_); }

uint32_t Mapspace::neighbour_factors(int d, uint32_t choice, uint64_t random) const {
  size_t slots = 2 * static_cast<size_t>(levels_);
  const std::vector<int64_t>& t = table_[static_cast<size_t>(d)];
  int64_t row[2 * kMaxLevels];
  for (int attempt = 0; attempt < 8; ++attempt, random = random * 6364136223846793005ull + 1442695040888963407ull) {
    std::copy(t.begin() + static_cast<std::ptrdiff_t>(choice * slots), t.begin() + static_cast<std::ptrdiff_t>((choice + 1) * slots), row);
    size_t from = (random >> 8) % slots, to = (random >> 24) % slots;
    if (from == to || row[from] == 1) continue;
    int64_t p = smallest_prime_factor(row[from]);
    row[from] /= p;
    row[to] *= p;
    uint64_t h = hash_row(row, slots);
    const auto& lk = lookup_[static_cast<size_t>(d)];
    for (auto it = std::lower_bound(lk.begin(), lk.end(), std::make_pair(h, uint32_t{0})); it != lk.end() && it->first == h; ++it)
      if (std::equal(row, row + slots, t.begin() + static_cast<std::ptrdiff_t>(it->second * slots))) return it->second;
  }
  return choice;
}

MappingId Mapspace::streaming_id() const {
  MappingId id;
  size_t slots = 2 * static_cast<size_t>(levels_), top = slots - 2;
  for (int d = 0; d < dims_; ++d) {
    const std::vector<int64_t>& t = table_[static_cast<size_t>(d)];
    for (uint32_t c = 1; c < counts_[static_cast<size_t>(d)]; ++c)
      if (t[c * slots + top] > t[id.factors[static_cast<size_t>(d)] * slots + top]) id.factors[static_cast<size_t>(d)] = c;
  }
  return id;
}

void Mapspace::fill_factors(const MappingId& id, Mapping& m) const {
  size_t slots = 2 * static_cast<size_t>(levels_);
  for (int d = 0; d < dims_; ++d) {
    const int64_t* f = table_[static_cast<size_t>(d)].data() + id.factors[static_cast<size_t>(d)] * slots;
    for (int i = 0; i < levels_; ++i) {
      m.levels[static_cast<size_t>(i)].temporal[static_cast<size_t>(d)] = f[2 * i];
      m.levels[static_cast<size_t>(i)].spatial[static_cast<size_t>(d)] = f[2 * i + 1];
    }
  }
}

void Mapspace::fill_bypass(const MappingId& id, Mapping& m) const {
  for (int i = 0; i < levels_; ++i) m.levels[static_cast<size_t>(i)].keep = forced_keep_[static_cast<size_t>(i)];
  for (size_t b = 0; b < free_keep_.size(); ++b)
    if ((id.bypass >> b) & 1u) m.levels[static_cast<size_t>(free_keep_[b].level)].keep |= 1u << free_keep_[b].space;
}

int Mapspace::axis_bits(const Mapping& m) const {
  int n = 0;
  for (int i = 0; i < levels_; ++i)
    if (fan_x_[static_cast<size_t>(i)] > 1 && fan_y_[static_cast<size_t>(i)] > 1)
      for (int d = 0; d < dims_; ++d)
        n += axis_[static_cast<size_t>(i)][static_cast<size_t>(d)] < 0 && m.levels[static_cast<size_t>(i)].spatial[static_cast<size_t>(d)] > 1;
  return n;
}

void Mapspace::fill_axes(const MappingId& id, Mapping& m) const {
  int bit = 0;
  for (int i = 0; i < levels_; ++i) {
    LevelMapping& l = m.levels[static_cast<size_t>(i)];
    bool both = fan_x_[static_cast<size_t>(i)] > 1 && fan_y_[static_cast<size_t>(i)] > 1;
    uint8_t dflt = fan_x_[static_cast<size_t>(i)] == 1 && fan_y_[static_cast<size_t>(i)] > 1;
    for (int d = 0; d < dims_; ++d) {
      int8_t fixed = axis_[static_cast<size_t>(i)][static_cast<size_t>(d)];
      if (fixed >= 0) l.spatial_y[static_cast<size_t>(d)] = static_cast<uint8_t>(fixed);
      else if (both && l.spatial[static_cast<size_t>(d)] > 1) l.spatial_y[static_cast<size_t>(d)] = (id.axes >> bit++) & 1u;
      else l.spatial_y[static_cast<size_t>(d)] = dflt;
    }
  }
}

}  // namespace coda::map
