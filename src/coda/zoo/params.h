// zoo::Params: a model's parameters, checked against the model's declared keys and defaults.
//
// Each model declares its keys (ParamSpec) once, in the registry; every model also takes `seed`.
// Lookups parse and range-check the text, raising InvalidError("zoo:<model>", ...).
//
//   Params p("bert-base", {{"seq", "128", "tokens"}, Params::batch_param()}, {{"seq", "64"}});
//   int64_t seq = p.get_int("seq", 1, 4096);      // 64
//   int64_t batch = p.get_int("batch", 1, 4096);  // 1 (default)
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace coda::zoo {

struct ParamSpec {
  std::string key;
  std::string default_value;
  std::string help;
};

class Params {
 public:
  // Throws InvalidError for a key that is neither in `schema` nor `seed`.
  Params(std::string model, std::vector<ParamSpec> schema, const std::map<std::string, std::string>& given);

  // The declared keys plus `seed`, which every model takes.
  static std::vector<ParamSpec> with_seed(std::vector<ParamSpec> schema);
  // The `batch` key (batch size of every input), which every model with a batch dim declares.
  static ParamSpec batch_param() { return {"batch", "1", "batch size of every input"}; }

  const std::string& model() const { return model_; }
  int64_t get_int(const std::string& key, int64_t min, int64_t max) const;
  std::string get_choice(const std::string& key, const std::vector<std::string>& choices) const;
  uint64_t seed() const;
  int64_t batch() const { return get_int("batch", 1, 1 << 20); }

  // "zoo:<model>": the `where` of every error about these parameters.
  std::string where() const { return "zoo:" + model_; }

 private:
  const std::string& raw(const std::string& key) const;

  std::string model_;
  std::vector<ParamSpec> schema_;
  std::map<std::string, std::string> values_;
};

}  // namespace coda::zoo
