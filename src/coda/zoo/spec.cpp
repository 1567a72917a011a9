// zoo::parse_spec: "zoo:<name>?<key>=<value>&..." -> ModelSpec.
#include "coda/core/error.h"
#include "coda/zoo/zoo.h"

namespace coda::zoo {

ModelSpec parse_spec(const std::string& spec) {
  std::string rest = spec.rfind("zoo:", 0) == 0 ? spec.substr(4) : spec;
  ModelSpec out;
  size_t q = rest.find('?');
  out.name = rest.substr(0, q);
  if (out.name.empty()) throw ParseError(spec, "model spec has no model name (expected zoo:<name>?key=value&...)");
  if (q == std::string::npos) return out;
  std::string query = rest.substr(q + 1);
  size_t start = 0;
  while (start <= query.size()) {
    size_t amp = query.find('&', start);
    std::string part = query.substr(start, amp == std::string::npos ? std::string::npos : amp - start);
    size_t eq = part.find('=');
    if (eq == std::string::npos || eq == 0)
      throw ParseError(spec, "parameter '" + part + "' is not of the form key=value");
    std::string key = part.substr(0, eq);
    if (out.params.count(key)) throw ParseError(spec, "parameter '" + key + "' is given twice");
    out.params[key] = part.substr(eq + 1);
    if (amp == std::string::npos) break;
    start = amp + 1;
  }
  return out;
}

}  // namespace coda::zoo
