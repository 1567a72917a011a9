// Reads SCALE-Sim's .cfg files the way its scale_config.read_conf_file does (Python's configparser).
#include "coda/hw/scalesim_config.h"

#include "coda/core/file_io.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "coda/core/error.h"

namespace coda::hw {

namespace {

std::string lower(std::string_view s) {
  std::string r(s);
  for (char& c : r) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return r;
}

std::string_view trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

struct Entry {
  std::string value;
  int line = 0;
};

// section (lower case) -> key (lower case) -> value with its line.
using Ini = std::map<std::string, std::map<std::string, Entry>>;

Ini parse_ini(std::string_view text, const std::string& where) {
  Ini ini;
  std::map<std::string, Entry>* section = nullptr;
  int line_no = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = trim(text.substr(pos, end - pos));
    pos = end + 1;
    ++line_no;
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    std::string at = where + ":" + std::to_string(line_no);
    if (line[0] == '[') {
      if (line.back() != ']') throw ParseError(at, "section header '" + std::string(line) + "' has no closing ']'");
      section = &ini[lower(trim(line.substr(1, line.size() - 2)))];
      continue;
    }
    size_t sep = line.find_first_of("=:");
    if (sep == std::string_view::npos)
      throw ParseError(at, "expected 'key = value' or 'key: value', got '" + std::string(line) + "'");
    if (!section) throw ParseError(at, "'" + std::string(line) + "' comes before any [section]");
    std::string key = lower(trim(line.substr(0, sep)));
    if (key.empty()) throw ParseError(at, "a value with no key");
    if (section->count(key)) throw ParseError(at, "key '" + key + "' appears twice in its section");
    (*section)[key] = {std::string(trim(line.substr(sep + 1))), line_no};
  }
  return ini;
}

struct Reader {
  const Ini& ini;
  const std::string& where;

  const Entry* find(const char* section, const char* key) const {
    auto s = ini.find(section);
    if (s == ini.end()) return nullptr;
    auto k = s->second.find(lower(key));
    return k == s->second.end() ? nullptr : &k->second;
  }
  const Entry& need(const char* section, const char* key) const {
    if (!ini.count(section)) throw ParseError(where, format("has no [%s] section", section));
    const Entry* e = find(section, key);
    if (!e) throw ParseError(where, format("[%s] has no %s", section, key));
    return *e;
  }
  std::string at(const Entry& e) const { return where + ":" + std::to_string(e.line); }

  int64_t to_int(const Entry& e, const char* key, std::string_view text) const {
    text = trim(text);
    if (!text.empty() && text[0] == '+') text.remove_prefix(1);
    int64_t v = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || ec != std::errc() || p != text.data() + text.size())
      throw ParseError(at(e), format("%s: '%s' is not an integer", key, std::string(text).c_str()));
    return v;
  }
  int64_t integer(const char* section, const char* key, int64_t min, int64_t max) const {
    const Entry& e = need(section, key);
    int64_t v = to_int(e, key, e.value);
    if (v < min) throw InvalidError(at(e), format("%s is %lld, must be at least %lld", key, (long long)v, (long long)min));
    if (v > max) throw InvalidError(at(e), format("%s is %lld, coda takes at most %lld", key, (long long)v, (long long)max));
    return v;
  }
};

}  // namespace

const char* dataflow_name(SystolicDataflow d) {
  switch (d) {
    case SystolicDataflow::os: return "os";
    case SystolicDataflow::ws: return "ws";
    case SystolicDataflow::is: return "is";
  }
  return "?";
}

SystolicDataflow parse_dataflow(std::string_view name, const std::string& where) {
  std::string n = lower(trim(name));
  if (n == "os") return SystolicDataflow::os;
  if (n == "ws") return SystolicDataflow::ws;
  if (n == "is") return SystolicDataflow::is;
  throw InvalidError(where, "unknown dataflow '" + std::string(name) + "' (expected os, ws or is)");
}

ScaleSimConfig parse_scalesim_config(std::string_view text, const std::string& where) {
  Ini ini = parse_ini(text, where);
  Reader r{ini, where};
  ScaleSimConfig c;
  c.run_name = r.need("general", "run_name").value;

  const Entry& mode = r.need("run_presets", "InterfaceBandwidth");
  if (mode.value == "CALC") c.interface_bandwidth = InterfaceBandwidth::calc;
  else if (mode.value == "USER") c.interface_bandwidth = InterfaceBandwidth::user;
  else throw InvalidError(r.at(mode), "InterfaceBandwidth is '" + mode.value + "', expected CALC or USER");

  // Upper bounds far beyond any real array keep the cost model's cycle and access counts in 64 bits.
  const char* arch = "architecture_presets";
  constexpr int64_t kMaxSide = int64_t{1} << 20, kMaxSramKb = int64_t{1} << 30, kMax = INT64_MAX;
  c.array_rows = r.integer(arch, "ArrayHeight", 1, kMaxSide);
  c.array_cols = r.integer(arch, "ArrayWidth", 1, kMaxSide);
  c.ifmap_sram_kb = r.integer(arch, "IfmapSramSzkB", 1, kMaxSramKb);
  c.filter_sram_kb = r.integer(arch, "FilterSramSzkB", 1, kMaxSramKb);
  c.ofmap_sram_kb = r.integer(arch, "OfmapSramSzkB", 1, kMaxSramKb);
  c.ifmap_offset = r.integer(arch, "IfmapOffset", 0, kMax);
  c.filter_offset = r.integer(arch, "FilterOffset", 0, kMax);
  c.ofmap_offset = r.integer(arch, "OfmapOffset", 0, kMax);
  const Entry& df = r.need(arch, "Dataflow");
  c.dataflow = parse_dataflow(df.value, r.at(df));
  if (r.find(arch, "MemoryBanks")) c.memory_banks = r.integer(arch, "MemoryBanks", 1, kMaxSide);

  // SCALE-Sim parses Bandwidth only in USER mode; coda reads it whenever it is there and well formed.
  const Entry* bw = r.find(arch, "Bandwidth");
  if (!bw) bw = r.find("run_presets", "Bandwidth");
  if (bw) {
    try {
      std::stringstream ss(bw->value);
      for (std::string item; std::getline(ss, item, ',');) {
        int64_t v = r.to_int(*bw, "Bandwidth", item);
        if (v < 1) throw InvalidError(r.at(*bw), format("Bandwidth %lld must be at least 1", (long long)v));
        if (v > kMaxSramKb)
          throw InvalidError(r.at(*bw), format("Bandwidth %lld: coda takes at most %lld words per cycle", (long long)v,
                                               (long long)kMaxSramKb));
        c.bandwidth_words_per_cycle.push_back(v);
      }
    } catch (const Error&) {
      if (c.interface_bandwidth == InterfaceBandwidth::user) throw;
      c.bandwidth_words_per_cycle.clear();
    }
  }
  if (c.interface_bandwidth == InterfaceBandwidth::user && c.bandwidth_words_per_cycle.empty())
    throw ParseError(where, "InterfaceBandwidth is USER but [architecture_presets] has no Bandwidth");
  return c;
}

ScaleSimConfig load_scalesim_config(const std::string& path) {
  return parse_scalesim_config(read_file(path), path);
}

}  // namespace coda::hw
