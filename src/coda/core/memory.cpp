#include "coda/core/memory.h"

#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <fstream>

#include "coda/core/error.h"

namespace coda {

namespace {
std::atomic<uint64_t> g_in_use{0};
std::atomic<uint64_t> g_limit{0};

uint64_t cgroup_limit() {
  std::ifstream f("/sys/fs/cgroup/memory.max");  // cgroup v2
  std::string s;
  if (f >> s && !s.empty() && std::isdigit(static_cast<unsigned char>(s[0]))) return std::strtoull(s.c_str(), nullptr, 10);
  std::ifstream g("/sys/fs/cgroup/memory/memory.limit_in_bytes");  // cgroup v1
  if (g >> s && !s.empty() && std::isdigit(static_cast<unsigned char>(s[0]))) return std::strtoull(s.c_str(), nullptr, 10);
  return 0;
}
}  // namespace

uint64_t parse_size(const std::string& text, const std::string& where) {
  const char* p = text.c_str();
  char* end = nullptr;
  const double v = std::strtod(p, &end);
  std::string unit(end ? end : "");
  while (!unit.empty() && unit.front() == ' ') unit.erase(0, 1);
  for (char& c : unit) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (unit.size() > 1 && unit.back() == 'B') unit.pop_back();
  if (unit.size() > 1 && unit.back() == 'I') unit.pop_back();
  double mul = 1;
  if (unit == "K") mul = 1024.0;
  else if (unit == "M") mul = 1024.0 * 1024;
  else if (unit == "G") mul = 1024.0 * 1024 * 1024;
  else if (unit == "T") mul = 1024.0 * 1024 * 1024 * 1024;
  else if (!unit.empty() && unit != "B") mul = -1;
  if (end == p || mul < 0 || !std::isfinite(v) || v <= 0 || v * mul >= 1.8e19 || v * mul < 1)
    throw InvalidError(where, "'" + text + "' is not a size (e.g. 512M, 4G)");
  return static_cast<uint64_t>(v * mul);
}

std::string format_bytes(uint64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024 && u < 5) v /= 1024, ++u;
  return u == 0 ? format("%llu B", static_cast<unsigned long long>(bytes)) : format("%.1f %s", v, units[u]);
}

uint64_t physical_memory_bytes() {
  const long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
  return pages > 0 && size > 0 ? static_cast<uint64_t>(pages) * static_cast<uint64_t>(size) : 0;
}

// MemAvailable of /proc/meminfo when coda first asks: what this process can take without swapping or
// the OOM killer stepping in.
uint64_t available_memory_bytes() {
  static const uint64_t avail = [] {
    std::ifstream f("/proc/meminfo");
    std::string key, unit;
    uint64_t kib = 0;
    while (f >> key >> kib >> unit)
      if (key == "MemAvailable:") return kib * 1024;
    return uint64_t{0};
  }();
  return avail;
}

uint64_t memory_limit_bytes() {
  if (uint64_t l = g_limit.load()) return l;
  uint64_t l = physical_memory_bytes();
  if (const uint64_t a = available_memory_bytes(); a && (!l || a < l)) l = a;
  const uint64_t c = cgroup_limit();
  if (c && (!l || c < l)) l = c;
  return l ? l : UINT64_MAX;
}

void set_memory_limit(uint64_t bytes) { g_limit.store(bytes); }

uint64_t tensor_bytes_in_use() { return g_in_use.load(); }

void check_fits(uint64_t bytes, const std::string& what) {
  const uint64_t limit = memory_limit_bytes(), used = g_in_use.load();
  if (bytes > limit || used > limit - bytes)
    throw ResourceError("memory", what + " needs " + format_bytes(bytes) + ", more than the memory limit of " + format_bytes(limit) +
                                      " allows" + (used ? " with " + format_bytes(used) + " in use" : "") + " (--memory-limit)");
}

namespace internal {
void reserve_tensor_bytes(uint64_t bytes, const std::string& what) {
  const uint64_t limit = memory_limit_bytes();
  const uint64_t before = g_in_use.fetch_add(bytes);
  if (bytes > limit || before > limit - bytes) {
    g_in_use.fetch_sub(bytes);
    check_fits(bytes, what);  // throws with the sizes
  }
}
void release_tensor_bytes(uint64_t bytes) { g_in_use.fetch_sub(bytes); }
}  // namespace internal

}  // namespace coda
