// Test helper: loads a Timeloop exercise from tests/data/timeloop/<exercise>/ (problem, architecture
// with its ERT and ART, and optionally a mapping).
#pragma once
#include <string>

#include "coda/hw/timeloop_arch.h"
#include "coda/core/file_io.h"
#include "coda/hw/yaml_util.h"
#include "coda/map/mapping_yaml.h"
#include "coda/workload/timeloop_yaml.h"

namespace coda::map::testing {

inline std::string exercise_path(const std::string& rel) {
  return std::string(CODA_SOURCE_DIR) + "/tests/data/timeloop/" + rel;
}
inline std::string exercise_text(const std::string& rel) { return read_file(exercise_path(rel)); }

struct Exercise {
  workload::Problem problem;
  hw::Architecture arch;
};

inline Exercise load_exercise(const std::string& dir, const std::string& prob, const std::string& arch) {
  Exercise e;
  e.problem = workload::parse_timeloop_problem(exercise_text(dir + "/prob/" + prob), prob);
  e.arch = hw::parse_timeloop_architecture(exercise_text(dir + "/arch/" + arch), arch);
  hw::apply_ert(e.arch, exercise_text(dir + "/arch/ERT.yaml"), "ERT.yaml");
  hw::apply_art(e.arch, exercise_text(dir + "/arch/ART.yaml"), "ART.yaml");
  return e;
}

inline Mapping load_mapping(const Exercise& e, const std::string& dir, const std::string& map) {
  return parse_timeloop_mapping(exercise_text(dir + "/map/" + map), e.problem, e.arch, map);
}

}  // namespace coda::map::testing
