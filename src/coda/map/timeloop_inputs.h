// Loads a set of Timeloop input files the way timeloop-model and timeloop-mapper take them: each
// file is recognised by its top-level keys (problem, architecture, mapping, ERT, ART,
// architecture_constraints / mapspace_constraints, mapper; compound_components is read by
// Accelergy, not here), so the files can come in any order and one file may hold several.
// An architecture in coda's own schema (architecture: {levels: ...}) is accepted too.
//
//   TimeloopInputs in = load_timeloop_inputs({"prob.yaml", "arch.yaml", "map.yaml", "ERT.yaml"});
//   Cost c = evaluate(in.problem, in.arch, *in.mapping);
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "coda/hw/timeloop_arch.h"
#include "coda/map/constraints.h"
#include "coda/map/mapper.h"
#include "coda/map/mapping.h"

namespace coda::map {

struct TimeloopInputs {
  workload::Problem problem;
  hw::Architecture arch;
  std::optional<Mapping> mapping;
  std::string mapping_file;
  Constraints constraints;        // the architecture's, plus every constraints file
  bool has_energy = false;        // an ERT was given (or the architecture carries energies)
  bool has_area = false;
  MapperOptions mapper;           // from a mapper file: metric, threads, algorithm, search size
  std::vector<std::string> notes; // what was read and what was ignored, one line each
};

struct LoadOptions {
  hw::ErtOptions ert;
};

// Throws IoError for a file that cannot be read, ParseError for one that is malformed, and
// InvalidError when no file gives a problem or an architecture.
TimeloopInputs load_timeloop_inputs(const std::vector<std::string>& paths, const LoadOptions& opt = {});

}  // namespace coda::map
