#include "coda/map/timeloop_inputs.h"

#include "coda/core/error.h"
#include "coda/hw/arch_yaml.h"
#include "coda/core/file_io.h"
#include "coda/hw/yaml_util.h"
#include "coda/map/mapping_yaml.h"
#include "coda/workload/timeloop_yaml.h"

namespace coda::map {

namespace {

struct File {
  std::string path, text;
};

void read_mapper(const YAML::Node& m, MapperOptions& o, const std::string& where) try {
  YAML::Node metric = hw::yaml_either(m, "optimization-metrics", "optimization-metric");
  if (metric && metric.IsSequence() && metric.size() > 0) {
    std::string first = hw::yaml_string(metric[0], where, "optimization-metric");
    if (first == "delay" || first == "energy" || first == "edp") o.objective = parse_objective(first);
  }
  if (YAML::Node t = hw::yaml_either(m, "num-threads", "num_threads")) o.threads = static_cast<int>(hw::yaml_int(t, where, "num-threads"));
  if (YAML::Node s = hw::yaml_either(m, "search-size", "search_size")) {
    int64_t n = hw::yaml_int(s, where, "search-size");
    if (n > 0) o.samples = static_cast<uint64_t>(n);
  }
  if (YAML::Node a = m["algorithm"]) {
    std::string alg = hw::yaml_string(a, where, "algorithm");
    if (alg.find("random") != std::string::npos) o.algorithm = MapperOptions::Algorithm::random;
    else if (alg.find("linear") != std::string::npos || alg == "exhaustive") o.algorithm = MapperOptions::Algorithm::automatic;
  }
} catch (const YAML::Exception& e) {
  hw::throw_yaml_error(where, e);
}

}  // namespace

TimeloopInputs load_timeloop_inputs(const std::vector<std::string>& paths, const LoadOptions& opt) {
  TimeloopInputs in;
  std::vector<File> problems, archs, mappings, erts, arts, constraints;
  for (const std::string& path : paths) {
    File f{path, read_file(path)};
    YAML::Node root = hw::parse_yaml(f.text, path);
    if (!root || !root.IsMap()) throw ParseError(path, "expected a YAML map with Timeloop's top-level keys");
    bool used = false;
    auto take = [&](std::vector<File>& into) { into.push_back(f), used = true; };
    if (root["problem"]) take(problems);
    if (root["architecture"] || root["arch"]) take(archs);
    if (root["mapping"]) take(mappings);
    if (root["ERT"]) take(erts);
    if (root["ART"]) take(arts);
    for (const char* k : {"architecture_constraints", "arch_constraints", "mapspace_constraints", "mapspace", "constraints"})
      if (root[k]) {
        take(constraints);
        break;
      }
    if (root["mapper"]) read_mapper(root["mapper"], in.mapper, path), used = true;
    if (root["compound_components"]) in.notes.push_back(path + ": compound components are Accelergy's; the ERT prices them"), used = true;
    if (!used) throw ParseError(path, "no top-level key coda reads (problem, architecture, mapping, ERT, ART, constraints, mapper)");
  }
  if (problems.size() != 1) throw InvalidError("--timeloop", format("expected one problem file, got %zu", problems.size()));
  if (archs.size() != 1) throw InvalidError("--timeloop", format("expected one architecture file, got %zu", archs.size()));
  if (mappings.size() > 1) throw InvalidError("--timeloop", "more than one mapping file");
  in.problem = workload::parse_timeloop_problem(problems[0].text, problems[0].path);
  bool coda_schema = hw::is_coda_schema(archs[0].text, archs[0].path);
  in.arch = hw::load_any(archs[0].text, archs[0].path);
  in.has_energy = coda_schema;
  in.has_area = coda_schema;
  for (const File& f : erts) hw::apply_ert(in.arch, f.text, f.path, opt.ert), in.has_energy = true;
  for (const File& f : arts) hw::apply_art(in.arch, f.text, f.path), in.has_area = true;
  in.constraints = from_architecture(in.problem, in.arch);
  for (const File& f : constraints) add_timeloop_constraints(in.constraints, f.text, in.problem, in.arch, f.path);
  if (!mappings.empty()) {
    in.mapping = parse_timeloop_mapping(mappings[0].text, in.problem, in.arch, mappings[0].path);
    in.mapping_file = mappings[0].path;
  }
  if (!in.has_energy) in.notes.push_back("no ERT given: every energy is 0 pJ");
  return in;
}

}  // namespace coda::map
