// coda.map, coda.carbon, coda.templates: every layer of a model mapped on an architecture
// (map/network.h), and its ACT carbon (carbon/carbon.h), as `coda map MODEL --arch` and `coda carbon`.
#include <cmath>

#include "coda/carbon/carbon.h"
#include "coda/core/error.h"
#include "coda/hw/templates.h"
#include "coda/map/mapping_yaml.h"
#include "coda/map/network.h"
#include "coda/map/report_json.h"
#include "coda/workload/extract.h"
#include "coda_py.h"

namespace coda::py {

using namespace pybind11::literals;

namespace {

map::MapperOptions mapper_options(const std::optional<std::string>& objective, int threads, const std::string& algorithm,
                                  uint64_t seed, const std::optional<uint64_t>& samples, const std::optional<uint64_t>& refine) {
  map::MapperOptions mo;
  if (objective) mo.objective = map::parse_objective(*objective);
  if (threads < 0) throw InvalidError("threads", format("%d is negative", threads));
  mo.threads = threads;
  mo.seed = seed;
  if (samples) mo.samples = *samples;
  if (refine) mo.refine_steps = *refine;
  if (algorithm == "exhaustive") mo.algorithm = map::MapperOptions::Algorithm::exhaustive;
  else if (algorithm == "random") mo.algorithm = map::MapperOptions::Algorithm::random;
  else if (algorithm == "auto") mo.algorithm = map::MapperOptions::Algorithm::automatic;
  else throw InvalidError("algorithm", "'" + algorithm + "' is not one of auto, exhaustive, random");
  return mo;
}

// Every compute layer of the model (at `batch`) mapped on `a`.
map::NetworkMapping map_model(const Model& m, const hw::Architecture& a, int64_t batch, const map::MapperOptions& mo) {
  if (batch < 1) throw InvalidError("batch", format("%lld is not a positive batch size", (long long)batch));
  pyb::gil_scoped_release nogil;
  graph::Graph g = m.graph;
  exec::specialize(g, batch);
  return map::map_network(workload::extract(g), a, mo);
}

pyb::object or_none(double v, bool ok) { return ok ? pyb::object(pyb::float_(v)) : pyb::object(pyb::none()); }

pyb::dict map_dict(const map::NetworkMapping& n, const hw::Architecture& a, const std::string& arch_spec) {
  pyb::list layers;
  for (const map::LayerMapping& l : n.layers) {
    const map::Cost& c = l.result.cost;
    layers.append(pyb::dict("name"_a = l.name, "cached"_a = l.cached, "macs"_a = c.macs, "cycles"_a = c.cycles,
                            "energy_pj"_a = c.energy_pj, "pj_per_mac"_a = c.pj_per_mac(), "utilization"_a = c.utilization,
                            "mac_instances"_a = c.mac_instances, "area_mm2"_a = c.area_um2 / 1e6,
                            "cost"_a = json_loads(map::cost_to_json(c, l.problem, a)),
                            "mapping"_a = map::to_timeloop_mapping_yaml(l.result.mapping, l.problem, a)));
  }
  const bool clock = a.clock_mhz > 0;
  return pyb::dict(
      "arch"_a = arch_spec, "layers"_a = layers,
      "total"_a = pyb::dict("layers"_a = n.layers.size(), "macs"_a = n.macs, "cycles"_a = n.cycles, "energy_pj"_a = n.energy_pj,
                            "energy_uj"_a = n.energy_pj / 1e6, "network_energy_uj"_a = n.network_energy_pj / 1e6,
                            "pj_per_mac"_a = n.pj_per_mac(), "area_mm2"_a = n.area_um2 / 1e6, "utilization"_a = n.utilization,
                            "clock_mhz"_a = or_none(a.clock_mhz, clock), "technology_nm"_a = or_none(a.technology_nm, a.technology_nm > 0),
                            "latency_us"_a = or_none(clock ? n.cycles / a.clock_mhz : 0, clock)),
      "search"_a = pyb::dict("evaluated"_a = n.evaluated, "valid"_a = n.valid, "distinct_shapes"_a = n.distinct_shapes,
                             "seconds"_a = n.seconds));
}

// An optional path argument (None, str or os.PathLike).
std::optional<std::string> opt_path(const pyb::object& h, const char* what) {
  if (h.is_none()) return std::nullopt;
  return path_arg(h, what);
}

pyb::dict map_network(const pyb::object& model, const pyb::object& arch_arg, int64_t batch, const std::optional<std::string>& objective,
                      int threads, const std::string& algorithm, uint64_t seed, const std::optional<uint64_t>& samples,
                      const std::optional<uint64_t>& refine, const pyb::object& ert, const pyb::object& art) {
  map::MapperOptions mo = mapper_options(objective, threads, algorithm, seed, samples, refine);
  const std::string arch = path_arg(arch_arg, "arch");
  hw::Architecture a = load_arch(arch, opt_path(ert, "ert"), opt_path(art, "art"));
  ModelPtr m = model_arg(model);
  return map_dict(map_model(*m, a, batch, mo), a, arch);
}

// carbon::check names an option field; the Python caller typed a keyword.
const std::map<std::string, std::string> kKeywordOf = {
    {"node_nm", "node"},      {"fab_location", "fab"},     {"gas_abatement", "abatement"}, {"yield", "fab_yield"},
    {"dram_gb", "dram_gb"},   {"dram_type", "dram_type"},  {"ssd_gb", "ssd_gb"},          {"ssd_type", "ssd_type"},
    {"inferences", "inferences"}, {"grid_gco2_per_kwh", "grid"}, {"grid", "grid"},         {"preset", "preset"}};

struct CarbonArgs {
  std::optional<std::string> preset, fab, dram_type, ssd_type;
  std::optional<int> node, abatement;
  std::optional<double> fab_yield, inferences, dram_gb, ssd_gb;
  pyb::object grid;  // None, a name or a number
};

// The carbon options: defaults, then the preset, then each keyword given; the node defaults to the
// architecture's own technology node unless a preset or node= sets it (as `coda carbon`).
carbon::CarbonOptions resolve(const CarbonArgs& o, const hw::Architecture& a, std::string& grid_name, std::string& node_from) {
  const carbon::Tables& t = carbon::tables();
  carbon::CarbonOptions c;
  grid_name = "california";
  node_from = "default";
  try {
    if (o.preset) {
      carbon::Preset p = carbon::preset(*o.preset, t);
      c = p.options;
      grid_name = p.grid_name;
      node_from = "preset " + *o.preset;
    } else if (a.technology_nm > 0) {
      if (a.technology_nm != std::floor(a.technology_nm) || !t.epa_kwh_per_cm2.values.count(static_cast<int>(a.technology_nm))) {
        std::string nodes;
        for (auto it = t.epa_kwh_per_cm2.values.rbegin(); it != t.epa_kwh_per_cm2.values.rend(); ++it)
          nodes += (nodes.empty() ? "" : ", ") + std::to_string(it->first);
        throw InvalidError("node", format("the architecture is %g nm, a node ACT's tables do not list (they have %s nm); "
                                          "pass node=N to price its area at one of them",
                                          a.technology_nm, nodes.c_str()));
      }
      c.node_nm = static_cast<int>(a.technology_nm);
      node_from = "architecture";
    }
    if (o.node) c.node_nm = *o.node, node_from = "node";
    if (o.fab) c.fab_location = *o.fab;
    if (o.abatement) c.gas_abatement = *o.abatement;
    if (o.fab_yield) c.yield = *o.fab_yield;
    if (o.inferences) c.inferences = *o.inferences;
    if (o.dram_gb) c.dram_gb = *o.dram_gb;
    if (o.dram_type) c.dram_type = *o.dram_type;
    if (o.ssd_gb) c.ssd_gb = *o.ssd_gb;
    if (o.ssd_type) c.ssd_type = *o.ssd_type;
    if (!o.grid.is_none()) {
      if (pyb::isinstance<pyb::str>(o.grid)) {
        std::string g = o.grid.cast<std::string>();
        c.grid_gco2_per_kwh = carbon::grid_intensity_gco2_per_kwh(g, t);
        char* end = nullptr;
        std::strtod(g.c_str(), &end);
        grid_name = end == g.c_str() + g.size() ? "" : g;  // a number has no name
      } else {
        if (!pyb::isinstance<pyb::int_>(o.grid) && !pyb::isinstance<pyb::float_>(o.grid))
          throw pyb::type_error("grid: expected a number (gCO2/kWh) or a grid name");
        c.grid_gco2_per_kwh = o.grid.cast<double>();
        grid_name = "";
      }
    }
    carbon::check(c, t);
  } catch (const InvalidError& e) {
    auto it = kKeywordOf.find(e.where());
    throw InvalidError(it == kKeywordOf.end() ? e.where() : it->second, e.message());
  }
  return c;
}

pyb::dict carbon_estimate(const pyb::object& arch_arg, const pyb::object& model, const CarbonArgs& args, int64_t batch, int threads,
                          const pyb::object& ert, const pyb::object& art) {
  if (threads < 0) throw InvalidError("threads", format("%d is negative", threads));
  const std::string arch = path_arg(arch_arg, "arch");
  hw::Architecture a = load_arch(arch, opt_path(ert, "ert"), opt_path(art, "art"));
  std::string grid_name, node_from;
  carbon::CarbonOptions c = resolve(args, a, grid_name, node_from);  // bad options fail before the mapping
  ModelPtr m = model_arg(model);
  map::MapperOptions mo;
  mo.threads = threads;
  map::NetworkMapping n = map_model(*m, a, batch, mo);
  const double area_mm2 = n.area_um2 / 1e6;
  const double energy_pj = n.energy_pj / static_cast<double>(batch);
  carbon::CarbonEstimate e = carbon::estimate(area_mm2, energy_pj, c);
  carbon::ChipCarbon chip = carbon::chip_carbon(c);
  // The fields of `coda carbon --json`, with the same names.
  pyb::dict d;
  d["model"] = m->source;
  d["arch"] = arch;
  d["layers"] = n.layers.size();
  d["batch"] = batch;
  d["area_mm2"] = area_mm2;
  d["energy_uj_per_inference"] = energy_pj / 1e6;
  d["latency_us"] = a.clock_mhz > 0 ? n.cycles / a.clock_mhz / static_cast<double>(batch) : -1.0;
  d["options"] = pyb::dict("node_nm"_a = c.node_nm, "node_from"_a = node_from, "fab_location"_a = c.fab_location,
                           "fab_gco2_per_kwh"_a = chip.fab_gco2_per_kwh, "gas_abatement"_a = c.gas_abatement,
                           "yield"_a = c.yield, "dram_gb"_a = c.dram_gb, "dram_type"_a = c.dram_type, "ssd_gb"_a = c.ssd_gb,
                           "ssd_type"_a = c.ssd_type, "inferences"_a = c.inferences,
                           "grid_gco2_per_kwh"_a = c.grid_gco2_per_kwh, "grid"_a = grid_name);
  d["chip_g_per_cm2"] = e.chip_g_per_cm2;
  d["chip_terms_g_per_cm2"] = pyb::dict("energy"_a = chip.energy_g_per_cm2, "gas"_a = chip.gas_g_per_cm2,
                                        "materials"_a = chip.materials_g_per_cm2);
  d["dram_g_per_gb"] = carbon::dram_carbon_per_gb(c);
  d["ssd_g_per_gb"] = carbon::ssd_carbon_per_gb(c);
  d["embodied_chip_g"] = e.embodied_chip_g;
  d["embodied_dram_g"] = e.embodied_dram_g;
  d["embodied_ssd_g"] = e.embodied_ssd_g;
  d["embodied_memory_g"] = e.embodied_memory_g;
  d["embodied_g"] = e.embodied_g;
  d["energy_kwh_per_inference"] = e.energy_kwh_per_inference;
  d["per_inference_operational_g"] = e.per_inference_operational_g;
  d["operational_g"] = e.operational_g;
  d["total_g"] = e.total_g;
  d["mapping_seconds"] = n.seconds;
  return d;
}

}  // namespace

void register_hardware(pyb::module_& m) {
  m.def("map", &map_network, "model"_a, "arch"_a = "eyeriss", "batch"_a = 1, "objective"_a = pyb::none(), "threads"_a = 0,
        "algorithm"_a = "auto", "seed"_a = 1, "samples"_a = pyb::none(), "refine"_a = pyb::none(), "ert"_a = pyb::none(),
        "art"_a = pyb::none(),
        R"doc(Maps every compute layer of a model on an architecture, as `coda map MODEL --arch ARCH`.

model: a coda.Model or a model spec. arch: a template spec ("eyeriss", "gemmini?dim=32&sp_kib=512",
"simba", "tpu-v1", "edge-npu", "catransformers"; see coda.templates()) or a YAML file (coda's schema
or Timeloop's, with ert= / art= Accelergy tables). batch binds unknown input dims. objective: "edp"
(default), "energy" or "cycles". threads: 0 = all cores (the result does not depend on it).
algorithm: "auto", "exhaustive" or "random" (samples, refine, seed steer the random search).
Returns {arch, layers: [{name, cached, macs, cycles, energy_pj, pj_per_mac, utilization,
mac_instances, area_mm2, cost (per-level detail), mapping (Timeloop YAML)}], total: {layers, macs,
cycles, energy_pj, energy_uj, network_energy_uj, pj_per_mac, area_mm2, utilization, clock_mhz,
technology_nm, latency_us}, search: {evaluated, valid, distinct_shapes, seconds}}. Releases the GIL.)doc");
  m.def(
      "carbon",
      [](const pyb::object& arch, const pyb::object& model, const std::optional<std::string>& preset, const std::optional<int>& node,
         const std::optional<std::string>& fab, const std::optional<int>& abatement, const std::optional<double>& fab_yield,
         const pyb::object& grid, const std::optional<double>& inferences, const std::optional<double>& dram_gb,
         const std::optional<std::string>& dram_type, const std::optional<double>& ssd_gb,
         const std::optional<std::string>& ssd_type, int64_t batch, int threads, const pyb::object& ert, const pyb::object& art) {
        CarbonArgs a{preset, fab, dram_type, ssd_type, node, abatement, fab_yield, inferences, dram_gb, ssd_gb, grid};
        return carbon_estimate(arch, model, a, batch, threads, ert, art);
      },
      "arch"_a, "model"_a, "preset"_a = pyb::none(), "node"_a = pyb::none(), "fab"_a = pyb::none(), "abatement"_a = pyb::none(),
      "fab_yield"_a = pyb::none(), "grid"_a = pyb::none(), "inferences"_a = pyb::none(), "dram_gb"_a = pyb::none(),
      "dram_type"_a = pyb::none(), "ssd_gb"_a = pyb::none(), "ssd_type"_a = pyb::none(), "batch"_a = 1, "threads"_a = 0,
      "ert"_a = pyb::none(), "art"_a = pyb::none(),
      R"doc(Embodied and operational carbon (ACT) of a model on an architecture, as `coda carbon`.

Every layer is mapped on arch (as coda.map), then the chip area and the energy per inference are
priced. Options start from the defaults (the node: the architecture's own), then preset (e.g.
"catransformers"), then each keyword given: node (nm: 28, 22, 20, 14, 10, 8, 7, 5, 3), fab (taiwan,
usa, europe, iceland, ... or coal, solar, ...), abatement (95, 97, 99 %), fab_yield (0, 1], grid
(gCO2/kWh as a number, or california, british_columbia, taiwan, ...), inferences, dram_gb,
dram_type, ssd_gb, ssd_type. batch: energy per inference = mapped energy / batch.
Returns the fields of `coda carbon --json`: area_mm2, energy_uj_per_inference, latency_us, options,
chip_g_per_cm2, chip_terms_g_per_cm2, embodied_chip_g, embodied_memory_g, embodied_g,
operational_g, total_g, ... Releases the GIL while mapping.)doc");
  m.def("templates", [] {
    pyb::dict d;
    for (const auto& n : hw::template_names()) d[pyb::str(n)] = hw::describe_template(n);
    return d;
  }, "The architecture templates: {name: description of what it models, its sources and its parameters}.");
}

}  // namespace coda::py
