#include "coda/workload/problem.h"

#include <set>

#include "coda/core/error.h"

namespace coda::workload {

namespace {

template <class T, class Name>
int index_of(const std::vector<T>& v, std::string_view name, Name get) {
  for (size_t i = 0; i < v.size(); ++i)
    if (get(v[i]) == name) return static_cast<int>(i);
  return -1;
}

}  // namespace

int Problem::dim_index(std::string_view dim) const {
  return index_of(dims, dim, [](const std::string& d) -> const std::string& { return d; });
}

int Problem::coefficient_index(std::string_view c) const {
  return index_of(coefficients, c, [](const Coefficient& k) -> const std::string& { return k.name; });
}

int Problem::data_space_index(std::string_view ds) const {
  return index_of(data_spaces, ds, [](const DataSpace& d) -> const std::string& { return d.name; });
}

int64_t Problem::bound(std::string_view dim) const {
  int i = dim_index(dim);
  return i < 0 ? 1 : bounds[static_cast<size_t>(i)];
}

int64_t Problem::macs() const {
  int64_t m = 1;
  for (int64_t b : bounds)
    if (__builtin_mul_overflow(m, b, &m)) throw InvalidError(name.empty() ? "problem" : name, "its MAC count overflows 64 bits");
  return m;
}

int64_t Problem::rank_extent(int data_space, int rank) const {
  const Projection& p = data_spaces.at(static_cast<size_t>(data_space)).projection.at(static_cast<size_t>(rank));
  int64_t extent = 1;
  for (const Term& t : p) {
    int64_t c = t.coefficient < 0 ? 1 : coefficients.at(static_cast<size_t>(t.coefficient)).value;
    extent += c * (bounds.at(static_cast<size_t>(t.dim)) - 1);
  }
  return extent;
}

int64_t Problem::data_space_size(int data_space) const {
  int64_t size = 1;
  const DataSpace& ds = data_spaces.at(static_cast<size_t>(data_space));
  for (size_t r = 0; r < ds.projection.size(); ++r) size *= rank_extent(data_space, static_cast<int>(r));
  return size;
}

void check(const Problem& p, const std::string& where) {
  if (p.dims.empty()) throw InvalidError(where, "problem '" + p.name + "' has no dimensions");
  if (p.bounds.size() != p.dims.size())
    throw InvalidError(where, format("%zu bounds for %zu dimensions", p.bounds.size(), p.dims.size()));
  std::set<std::string> seen;
  for (size_t i = 0; i < p.dims.size(); ++i) {
    if (!seen.insert(p.dims[i]).second) throw InvalidError(where, "dimension '" + p.dims[i] + "' is declared twice");
    if (p.bounds[i] < 1)
      throw InvalidError(where, format("dimension %s has bound %lld (must be >= 1)", p.dims[i].c_str(),
                                       static_cast<long long>(p.bounds[i])));
  }
  for (const Problem::Coefficient& c : p.coefficients) {
    if (!seen.insert(c.name).second) throw InvalidError(where, "name '" + c.name + "' is declared twice");
    if (c.value < 1)
      throw InvalidError(where, format("coefficient %s is %lld (must be >= 1)", c.name.c_str(), static_cast<long long>(c.value)));
  }
  for (const Problem::DataSpace& ds : p.data_spaces) {
    if (ds.precision_bits < 1) throw InvalidError(where, "data space " + ds.name + " has no precision");
    for (const Problem::Projection& proj : ds.projection) {
      if (proj.empty()) throw InvalidError(where, "data space " + ds.name + " has an empty projection rank");
      for (const Problem::Term& t : proj)
        if (t.dim < 0 || t.dim >= static_cast<int>(p.dims.size()) ||
            t.coefficient >= static_cast<int>(p.coefficients.size()))
          throw InvalidError(where, "data space " + ds.name + " refers to an undeclared dimension or coefficient");
    }
  }
  // Every count the cost model derives from the problem (MACs, data-space sizes, accesses) stays exact
  // in a double and in 64-bit integer arithmetic when the MACs and the data spaces stay below 2^53.
  constexpr __int128 kMax = __int128{1} << 53;
  __int128 macs = 1;
  for (int64_t b : p.bounds)
    if ((macs *= b) > kMax) throw InvalidError(where, "problem '" + p.name + "' has more than 2^53 MACs");
  for (const Problem::DataSpace& ds : p.data_spaces) {
    __int128 size = 1;
    for (const Problem::Projection& proj : ds.projection) {
      __int128 extent = 1;
      for (const Problem::Term& t : proj) {
        __int128 c = t.coefficient < 0 ? 1 : p.coefficients[static_cast<size_t>(t.coefficient)].value;
        if ((extent += c * (p.bounds[static_cast<size_t>(t.dim)] - 1)) > kMax) break;
      }
      if ((size *= extent) > kMax || extent > kMax)
        throw InvalidError(where, "data space " + ds.name + " of problem '" + p.name + "' has more than 2^53 elements");
    }
  }
}

}  // namespace coda::workload
