// Internals shared by the template files (template_*.cpp): the parameter table each template
// declares, its presets (defaults and sources, from data/components/templates.yaml), parsed
// arguments, and helpers that turn sizes into levels costed by the component models.
// Not part of the public API; use templates.h.
//
//   TemplateDef d{"gemmini", "what it models", {{"dim", "PE rows = columns", {}}}, build_gemmini};
//   int64_t dim = args.integer("dim");
#pragma once
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <string>
#include <vector>

#include "coda/hw/templates.h"

namespace coda::hw::detail {

struct TemplateParam {
  std::string name;
  std::string doc;
  std::vector<std::string> allowed;     // empty = any positive number (the preset may narrow it)
};

// A template's defaults and sources from data/components/templates.yaml.
struct TemplatePreset {
  std::string sources;
  std::map<std::string, std::string> defaults;
  std::map<std::string, std::vector<std::string>> allowed;   // published value sets
};

// Reads <data_dir>/components/templates.yaml: IoError if missing, ParseError if malformed.
std::map<std::string, TemplatePreset> load_presets(const std::string& data_dir);

class TemplateArgs {
 public:
  TemplateArgs(std::string spec, std::string tmpl, std::map<std::string, std::string> values)
      : spec_(std::move(spec)), tmpl_(std::move(tmpl)), values_(std::move(values)) {}
  int64_t integer(const std::string& name) const;     // a positive integer up to kMaxParam
  // The product of counts (e.g. rows x cols x lanes); InvalidError past kMaxProduct.
  int64_t product(std::initializer_list<int64_t> factors) const;
  double number(const std::string& name) const;       // a positive number
  const std::string& text(const std::string& name) const;
  const std::string& spec() const { return spec_; }
 private:
  std::string spec_, tmpl_;
  std::map<std::string, std::string> values_;
};

struct TemplateDef {
  std::string name;
  std::string summary;
  std::vector<TemplateParam> params;
  std::function<TemplateResult(const TemplateArgs&, const ComponentLibrary&)> build;
};

// One per template file.
TemplateDef gemmini_template();
TemplateDef eyeriss_template();
TemplateDef simba_template();
TemplateDef tpu_v1_template();
TemplateDef edge_npu_template();
TemplateDef catransformers_template();

// Parameters every template takes after its own: technology_nm, clock_mhz, dram.
std::vector<TemplateParam> common_params();

// An on-chip level of `capacity_words` words of `word_bits`, accessed `block_size` words at a time,
// in `banks` banks, costed by the SRAM or regfile model at technology_nm (hw::cost_storage_level,
// which reads the level's banks field).
struct LevelSpec {
  std::string name, kind = "SRAM";      // SRAM or regfile
  int64_t capacity_words = 0;
  int word_bits = 8, block_size = 1, banks = 1;
  int64_t instances = 1, mesh_x = 0;
  std::vector<std::string> holds = {};  // empty = any data space
  double read_bandwidth = 0, write_bandwidth = 0;
};
StorageLevel make_level(const ComponentLibrary& lib, const LevelSpec& s, double technology_nm);
// The backing store: unbounded, energy = pJ/bit x bits per access.
StorageLevel make_dram(const ComponentLibrary& lib, const std::string& type, int word_bits, int block_size);
// The MAC array: `instances` MACs of `precision`, mesh_x along X.
ComputeLevel make_compute(const ComponentLibrary& lib, const std::string& precision, int64_t instances,
                          int64_t mesh_x, double technology_nm);

constexpr int64_t kKiB = 1024;
constexpr int64_t kMaxParam = int64_t{1} << 20;
constexpr int64_t kMaxProduct = int64_t{1} << 40;

}  // namespace coda::hw::detail
