#include "coda/zoo/params.h"

#include <cerrno>
#include <cstdlib>

#include "coda/core/error.h"

namespace coda::zoo {

namespace {

std::string key_list(const std::vector<ParamSpec>& schema) {
  std::string s;
  for (const ParamSpec& p : schema) s += (s.empty() ? "" : ", ") + p.key + "=" + p.default_value;
  return s;
}

}  // namespace

std::vector<ParamSpec> Params::with_seed(std::vector<ParamSpec> schema) {
  schema.push_back({"seed", "0", "seed of the random weights"});
  return schema;
}

Params::Params(std::string model, std::vector<ParamSpec> schema, const std::map<std::string, std::string>& given)
    : model_(std::move(model)), schema_(with_seed(std::move(schema))) {
  for (const ParamSpec& p : schema_) values_[p.key] = p.default_value;
  for (const auto& [key, value] : given) {
    if (!values_.count(key))
      throw InvalidError(where(), "unknown parameter '" + key + "'; valid parameters: " + key_list(schema_));
    values_[key] = value;
  }
}

const std::string& Params::raw(const std::string& key) const {
  auto it = values_.find(key);
  CODA_CHECK(it != values_.end(), "zoo model %s reads undeclared parameter %s", model_.c_str(), key.c_str());
  return it->second;
}

int64_t Params::get_int(const std::string& key, int64_t min, int64_t max) const {
  const std::string& text = raw(key);
  errno = 0;
  char* end = nullptr;
  long long v = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno == ERANGE)
    throw InvalidError(where(), "parameter " + key + "='" + text + "' is not an integer");
  if (v < min || v > max)
    throw InvalidError(where(), format("parameter %s=%lld is out of range [%lld, %lld]", key.c_str(), v,
                                       static_cast<long long>(min), static_cast<long long>(max)));
  return v;
}

std::string Params::get_choice(const std::string& key, const std::vector<std::string>& choices) const {
  const std::string& text = raw(key);
  std::string all;
  for (const std::string& c : choices) {
    if (c == text) return text;
    all += (all.empty() ? "" : "|") + c;
  }
  throw InvalidError(where(), "parameter " + key + "='" + text + "' must be one of " + all);
}

uint64_t Params::seed() const {
  return static_cast<uint64_t>(get_int("seed", 0, INT64_MAX));
}

}  // namespace coda::zoo
