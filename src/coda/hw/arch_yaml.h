// coda's own architecture YAML (docs/architecture.md): `architecture: {name, compute: {...},
// levels: [...]}` with the levels listed outermost first, as a reader draws the hierarchy. Keys are
// the StorageLevel / ComputeLevel field names; unknown keys are errors so that typos do not pass.
//
//   hw::Architecture a = hw::load(text, "my_arch.yaml");
//   std::string again = hw::to_yaml(a);          // hw::load(again, ...) == a
#pragma once
#include <string>

#include "coda/hw/architecture.h"

namespace coda::hw {

// Throws ParseError on malformed YAML, an unknown key or a value of the wrong type, and
// InvalidError (via check) on an inconsistent hierarchy.
Architecture load(const std::string& yaml_text, const std::string& where);

std::string to_yaml(const Architecture& a);

// Either format, told apart by its keys: coda's schema (architecture: {levels}) or Timeloop's
// tree (architecture: {subtree | local}, see timeloop_arch.h).
Architecture load_any(const std::string& yaml_text, const std::string& where);
bool is_coda_schema(const std::string& yaml_text, const std::string& where);

}  // namespace coda::hw
