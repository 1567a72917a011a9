#include "coda/hw/timeloop_arch.h"

#include <algorithm>
#include <cctype>
#include <map>

#include "coda/core/error.h"
#include "coda/hw/yaml_util.h"

namespace coda::hw {

namespace {

using Attributes = std::map<std::string, YAML::Node>;

struct Walk {
  std::string where;
  std::vector<StorageLevel> outer_first;
  ComputeLevel compute;
  bool have_compute = false;
};

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// "PE[0..167]" -> {"PE", 168}; "Buffer" -> {"Buffer", 1}.
std::pair<std::string, int64_t> split_name(const std::string& name, const std::string& where) {
  size_t open = name.find('[');
  if (open == std::string::npos) return {name, 1};
  size_t dots = name.find("..", open), close = name.find(']', open);
  if (dots == std::string::npos || close == std::string::npos || close < dots)
    throw ParseError(where, "component name '" + name + "': expected NAME[first..last]");
  try {
    int64_t lo = std::stoll(name.substr(open + 1, dots - open - 1));
    int64_t hi = std::stoll(name.substr(dots + 2, close - dots - 2));
    if (hi < lo) throw ParseError(where, "component name '" + name + "': empty range");
    int64_t span = 0;
    if (__builtin_sub_overflow(hi, lo, &span) || span == INT64_MAX)
      throw InvalidError(where, "component name '" + name + "': the range has more than 2^63 instances");
    return {name.substr(0, open), span + 1};
  } catch (const std::logic_error&) {
    throw ParseError(where, "component name '" + name + "': the range is not two integers");
  }
}

bool has(const Attributes& a, const char* k) { return a.count(k) > 0; }

int64_t get_int(const Attributes& a, std::initializer_list<const char*> keys, int64_t dflt, const Walk& w,
                const std::string& comp) {
  for (const char* k : keys)
    if (has(a, k)) return yaml_int(a.at(k), w.where, comp + "." + k);
  return dflt;
}

int get_int32(const Attributes& a, std::initializer_list<const char*> keys, int dflt, const Walk& w,
              const std::string& comp) {
  for (const char* k : keys)
    if (has(a, k)) return yaml_int32(a.at(k), w.where, comp + "." + k);
  return dflt;
}

// a * b for instance counts and capacities, InvalidError rather than overflow.
int64_t times(int64_t a, int64_t b, const Walk& w, const std::string& what) {
  int64_t r = 0;
  if (__builtin_mul_overflow(a, b, &r)) throw InvalidError(w.where, what + " does not fit in 64 bits");
  return r;
}

double get_double(const Attributes& a, const char* k, double dflt, const Walk& w, const std::string& comp) {
  return has(a, k) ? yaml_double(a.at(k), w.where, comp + "." + k) : dflt;
}

StorageLevel storage_level(const std::string& name, const std::string& cls, const Attributes& a, int64_t instances,
                           const Walk& w) {
  StorageLevel l;
  l.name = name;
  l.kind = cls;
  l.word_bits = get_int32(a, {"word-bits", "word_width", "datawidth"}, 16, w, name);
  l.block_size = get_int32(a, {"block-size", "n_words"}, 1, w, name);
  if (l.word_bits <= 0 || l.block_size <= 0) throw InvalidError(w.where, name + ": word-bits and block-size must be positive");
  if (has(a, "cluster-size")) {
    l.cluster_size = get_int32(a, {"cluster-size"}, 1, w, name);
  } else if (int64_t width = get_int(a, {"width", "memory_width"}, 0, w, name); width > 0) {
    int64_t word_block = int64_t{l.word_bits} * l.block_size;
    if (width % word_block != 0)
      throw InvalidError(w.where, format("%s: width %lld is not a multiple of word-bits x block-size = %lld", name.c_str(),
                                         (long long)width, (long long)word_block));
    if (width / word_block > INT32_MAX) throw InvalidError(w.where, name + ": width is out of range");
    l.cluster_size = static_cast<int>(width / word_block);
  }
  if (has(a, "entries")) l.capacity_words = get_int(a, {"entries"}, 0, w, name);
  else if (int64_t depth = get_int(a, {"depth", "memory_depth"}, 0, w, name); depth > 0)
    l.capacity_words = times(depth, l.block_size, w, name + ": depth x block-size");
  else if (has(a, "sizeKB"))
    l.capacity_words = times(get_int(a, {"sizeKB"}, 0, w, name), 1024 * 8, w, name + ": sizeKB") / l.word_bits;
  l.instances = get_int(a, {"instances"}, instances, w, name);
  l.mesh_x = get_int(a, {"meshX"}, 0, w, name);
  if (has(a, "bandwidth")) l.read_bandwidth = l.write_bandwidth = get_double(a, "bandwidth", 0, w, name) / 2;
  l.read_bandwidth = get_double(a, "read_bandwidth", l.read_bandwidth, w, name);
  l.write_bandwidth = get_double(a, "write_bandwidth", l.write_bandwidth, w, name);
  l.multiple_buffering = get_double(a, "multiple-buffering", 1, w, name);
  l.banks = get_int32(a, {"n_banks", "n-banks", "banks"}, 1, w, name);
  if (l.banks <= 0) throw InvalidError(w.where, name + ": n_banks must be positive");
  // Timeloop's legacy network below this level: wire-energy in pJ per bit per mm over a hop of
  // tile-width um. Without both (the exercises give neither) the network costs 0, as in Timeloop.
  if (has(a, "wire-energy") && has(a, "tile-width"))
    l.noc_hop_energy_pj_per_bit = get_double(a, "wire-energy", 0, w, name) * get_double(a, "tile-width", 0, w, name) / 1000;
  return l;
}

void add_component(const YAML::Node& c, Attributes inherited, int64_t instances, Walk& w) {
  if (!c.IsMap() || !c["name"]) throw ParseError(w.where, "a local component has no name");
  auto [name, count] = split_name(yaml_string(c["name"], w.where, "component name"), w.where);
  std::string cls = c["class"] ? yaml_string(c["class"], w.where, name + ".class") : "";
  if (YAML::Node attrs = c["attributes"])
    for (auto it = attrs.begin(); it != attrs.end(); ++it) inherited[it->first.as<std::string>()] = it->second;
  int64_t n = times(instances, count, w, name + ": the number of instances");
  std::string k = lower(cls);
  bool is_compute = k.find("mac") != std::string::npos || k.find("compute") != std::string::npos ||
                    k.find("multiplier") != std::string::npos;
  bool is_storage = !is_compute && (k.find("dram") != std::string::npos || k.find("sram") != std::string::npos ||
                                    k.find("regfile") != std::string::npos || k.find("buffer") != std::string::npos ||
                                    k.find("storage") != std::string::npos || k.find("memory") != std::string::npos ||
                                    k.find("rf") != std::string::npos);
  bool is_network = k.find("noc") != std::string::npos || k.find("network") != std::string::npos ||
                    k.find("wire") != std::string::npos || k.find("router") != std::string::npos;
  if (is_compute) {
    if (w.have_compute) throw UnsupportedError(w.where, "two compute components (" + w.compute.name + ", " + name + ")");
    w.have_compute = true;
    w.compute.name = name;
    w.compute.instances = get_int(inherited, {"instances"}, n, w, name);
    w.compute.mesh_x = get_int(inherited, {"meshX"}, 0, w, name);
    w.compute.word_bits = get_int32(inherited, {"datawidth", "word-bits", "word_width"}, 16, w, name);
  } else if (is_storage) {
    if (w.have_compute) throw UnsupportedError(w.where, "storage " + name + " is listed below the compute component");
    w.outer_first.push_back(storage_level(name, cls, inherited, n, w));
  } else if (!is_network) {
    throw UnsupportedError(w.where, "component " + name + ": class '" + cls + "' is neither storage nor compute");
  }
}

void walk(const YAML::Node& node, Attributes inherited, int64_t instances, Walk& w) {
  if (YAML::Node attrs = node["attributes"])
    for (auto it = attrs.begin(); it != attrs.end(); ++it) inherited[it->first.as<std::string>()] = it->second;
  if (YAML::Node local = node["local"]) {
    if (!local.IsSequence()) throw ParseError(w.where, "'local' must be a list of components");
    for (const YAML::Node& c : local) add_component(c, inherited, instances, w);
  }
  if (YAML::Node sub = node["subtree"]) {
    if (!sub.IsSequence()) throw ParseError(w.where, "'subtree' must be a list");
    for (const YAML::Node& s : sub) {
      if (!s.IsMap()) throw ParseError(w.where, "a subtree entry must be a map");
      int64_t count = s["name"] ? split_name(yaml_string(s["name"], w.where, "subtree name"), w.where).second : 1;
      walk(s, inherited, times(instances, count, w, "the number of instances"), w);
    }
  }
}

}  // namespace

Architecture parse_timeloop_architecture(const std::string& yaml_text, const std::string& where) try {
  YAML::Node root = parse_yaml(yaml_text, where);
  YAML::Node a = yaml_either(root, "architecture", "arch");
  if (!a || !a.IsMap()) throw ParseError(where, "no 'architecture' key");
  if (!a["subtree"] && !a["local"])
    throw UnsupportedError(where, "only Timeloop's tree format (subtree/local, v0.2 and later) is supported");
  Walk w;
  w.where = where;
  walk(a, {}, 1, w);
  if (w.outer_first.empty()) throw InvalidError(where, "the architecture has no storage component");
  if (!w.have_compute) throw InvalidError(where, "the architecture has no compute (MAC) component");
  Architecture arch;
  arch.levels.assign(w.outer_first.rbegin(), w.outer_first.rend());
  arch.compute = w.compute;
  if (a["subtree"] && a["subtree"].size() == 1 && a["subtree"][0]["name"])
    arch.name = split_name(a["subtree"][0]["name"].as<std::string>(), where).first;
  check(arch, where);
  return arch;
} catch (const YAML::Exception& e) {
  throw_yaml_error(where, e);
}

}  // namespace coda::hw
