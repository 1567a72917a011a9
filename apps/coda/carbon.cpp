// `coda carbon`: maps a model on an architecture (every compute layer, as `coda map MODEL --arch`)
// and prices it with the ACT carbon model: embodied carbon of the chip's area and of its memory, and
// operational carbon of the energy per inference over the lifetime's inferences.
#include <cmath>
#include <cstdlib>
#include <cstdio>
#include <filesystem>
#include <map>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "coda/carbon/carbon.h"
#include "coda/core/error.h"
#include "coda/core/file_io.h"
#include "coda/exec/executor.h"
#include "coda/hw/arch_yaml.h"
#include "coda/hw/templates.h"
#include "coda/hw/timeloop_arch.h"
#include "coda/map/network.h"

namespace coda::cli {

namespace {

struct CarbonCliOptions {
  std::string model, arch, ert, art, preset, fab, grid, dram_type, ssd_type;
  int node_nm = 0, abatement = 0, threads = -1;
  double yield = 0, inferences = 0, dram_gb = 0, ssd_gb = 0;
  int64_t batch = 1;
  bool json = false;
  // Which flags were given (a flag overrides the preset; no flag and no preset keeps the defaults).
  CLI::Option *o_node = nullptr, *o_fab = nullptr, *o_abatement = nullptr, *o_yield = nullptr, *o_grid = nullptr,
              *o_inferences = nullptr, *o_dram_gb = nullptr, *o_dram_type = nullptr, *o_ssd_gb = nullptr,
              *o_ssd_type = nullptr;
};

bool given(const CLI::Option* o) { return o && o->count() > 0; }

// carbon::check names the option field; the user typed a flag.
const std::map<std::string, std::string> kFlagOf = {
    {"node_nm", "--node"},        {"fab_location", "--fab"},     {"gas_abatement", "--abatement"},
    {"yield", "--yield"},         {"dram_gb", "--dram-gb"},      {"dram_type", "--dram-type"},
    {"ssd_gb", "--ssd-gb"},       {"ssd_type", "--ssd-type"},    {"inferences", "--inferences"},
    {"grid_gco2_per_kwh", "--grid"}, {"grid", "--grid"},         {"preset", "--preset"}};

[[noreturn]] void rethrow_as_flag(const InvalidError& e) {
  auto it = kFlagOf.find(e.where());
  throw InvalidError(it == kFlagOf.end() ? e.where() : it->second, e.message());
}

hw::Architecture load_arch(const CarbonCliOptions& o) {
  std::error_code ec;
  bool looks_like_file = std::filesystem::exists(o.arch, ec) || o.arch.ends_with(".yaml") || o.arch.ends_with(".yml");
  hw::Architecture a = looks_like_file ? hw::load_any(read_file(o.arch), o.arch) : hw::build_template(o.arch);
  if (!o.ert.empty()) hw::apply_ert(a, read_file(o.ert), o.ert, {});
  if (!o.art.empty()) hw::apply_art(a, read_file(o.art), o.art);
  return a;
}

// The carbon options: defaults, then the preset, then each flag given. The node defaults to the
// architecture's own technology node (its area was computed there) unless a preset or --node sets it.
carbon::CarbonOptions resolve(const CarbonCliOptions& o, const hw::Architecture& a, std::string& grid_name,
                              std::string& node_from) {
  const carbon::Tables& t = carbon::tables();
  carbon::CarbonOptions c;
  grid_name = "california";
  node_from = "default";
  try {
    if (!o.preset.empty()) {
      carbon::Preset p = carbon::preset(o.preset, t);
      c = p.options;
      grid_name = p.grid_name;
      node_from = "preset " + o.preset;
    } else if (a.technology_nm > 0) {
      if (a.technology_nm != std::floor(a.technology_nm) || !t.epa_kwh_per_cm2.values.count(static_cast<int>(a.technology_nm))) {
        std::string nodes;
        for (auto it = t.epa_kwh_per_cm2.values.rbegin(); it != t.epa_kwh_per_cm2.values.rend(); ++it)
          nodes += (nodes.empty() ? "" : ", ") + std::to_string(it->first);
        throw InvalidError("--node", format("the architecture is %g nm, a node ACT's tables do not list (they have %s nm); "
                                            "pass --node N to price its area at one of them",
                                            a.technology_nm, nodes.c_str()));
      }
      c.node_nm = static_cast<int>(a.technology_nm);
      node_from = "architecture";
    }
    if (given(o.o_node)) c.node_nm = o.node_nm, node_from = "--node";
    if (given(o.o_fab)) c.fab_location = o.fab;
    if (given(o.o_abatement)) c.gas_abatement = o.abatement;
    if (given(o.o_yield)) c.yield = o.yield;
    if (given(o.o_inferences)) c.inferences = o.inferences;
    if (given(o.o_dram_gb)) c.dram_gb = o.dram_gb;
    if (given(o.o_dram_type)) c.dram_type = o.dram_type;
    if (given(o.o_ssd_gb)) c.ssd_gb = o.ssd_gb;
    if (given(o.o_ssd_type)) c.ssd_type = o.ssd_type;
    if (given(o.o_grid)) {
      c.grid_gco2_per_kwh = carbon::grid_intensity_gco2_per_kwh(o.grid, t);
      char* end = nullptr;
      std::strtod(o.grid.c_str(), &end);
      grid_name = end == o.grid.c_str() + o.grid.size() ? "" : o.grid;   // a number has no name
    }
    carbon::check(c, t);
  } catch (const InvalidError& e) {
    rethrow_as_flag(e);
  }
  return c;
}

int run_carbon(const CarbonCliOptions& o) {
  hw::Architecture a = load_arch(o);
  std::string grid_name, node_from;
  carbon::CarbonOptions c = resolve(o, a, grid_name, node_from);  // bad flags fail before the mapping
  graph::Graph g = load_model(o.model);
  exec::specialize(g, o.batch);
  map::MapperOptions mo;
  if (o.threads >= 0) mo.threads = o.threads;
  map::NetworkMapping n = map::map_network(workload::extract(g), a, mo);
  double area_mm2 = n.area_um2 / 1e6;
  double energy_pj = n.energy_pj / static_cast<double>(o.batch);
  carbon::CarbonEstimate e = carbon::estimate(area_mm2, energy_pj, c);
  carbon::ChipCarbon chip = carbon::chip_carbon(c);
  double dram_g_per_gb = carbon::dram_carbon_per_gb(c), ssd_g_per_gb = carbon::ssd_carbon_per_gb(c);

  if (o.json) {
    nlohmann::ordered_json j;
    j["model"] = o.model;
    j["arch"] = o.arch;
    j["layers"] = n.layers.size();
    j["batch"] = o.batch;
    j["area_mm2"] = area_mm2;
    j["energy_uj_per_inference"] = energy_pj / 1e6;
    j["latency_us"] = a.clock_mhz > 0 ? n.cycles / a.clock_mhz / static_cast<double>(o.batch) : -1.0;
    j["options"] = {{"node_nm", c.node_nm},
                    {"node_from", node_from},
                    {"fab_location", c.fab_location},
                    {"fab_gco2_per_kwh", chip.fab_gco2_per_kwh},
                    {"gas_abatement", c.gas_abatement},
                    {"yield", c.yield},
                    {"dram_gb", c.dram_gb},
                    {"dram_type", c.dram_type},
                    {"ssd_gb", c.ssd_gb},
                    {"ssd_type", c.ssd_type},
                    {"inferences", c.inferences},
                    {"grid_gco2_per_kwh", c.grid_gco2_per_kwh},
                    {"grid", grid_name}};
    j["chip_g_per_cm2"] = e.chip_g_per_cm2;
    j["chip_terms_g_per_cm2"] = {{"energy", chip.energy_g_per_cm2}, {"gas", chip.gas_g_per_cm2},
                                 {"materials", chip.materials_g_per_cm2}};
    j["dram_g_per_gb"] = dram_g_per_gb;
    j["ssd_g_per_gb"] = ssd_g_per_gb;
    j["embodied_chip_g"] = e.embodied_chip_g;
    j["embodied_dram_g"] = e.embodied_dram_g;
    j["embodied_ssd_g"] = e.embodied_ssd_g;
    j["embodied_memory_g"] = e.embodied_memory_g;
    j["embodied_g"] = e.embodied_g;
    j["energy_kwh_per_inference"] = e.energy_kwh_per_inference;
    j["per_inference_operational_g"] = e.per_inference_operational_g;
    j["operational_g"] = e.operational_g;
    j["total_g"] = e.total_g;
    j["mapping_seconds"] = n.seconds;
    std::printf("%s\n", j.dump().c_str());
    return 0;
  }
  if (node_from != "architecture" && a.technology_nm > 0 && a.technology_nm != c.node_nm)
    std::fprintf(stderr, "note: the architecture's area was modelled at %g nm and is priced at ACT's %d nm (%s)\n",
                 a.technology_nm, c.node_nm, node_from.c_str());
  std::string grid = grid_name.empty() ? "" : " (" + grid_name + ")";
  std::printf("%s on %s: %zu layers mapped in %.2f s%s\n", o.model.c_str(), o.arch.c_str(), n.layers.size(), n.seconds,
              o.batch > 1 ? format(", batch %lld (per inference = / %lld)", (long long)o.batch, (long long)o.batch).c_str() : "");
  std::printf("%-26s %14.6g mm^2   at %d nm\n", "area", area_mm2, c.node_nm);
  std::printf("%-26s %14.6g uJ\n", "energy per inference", energy_pj / 1e6);
  std::printf("%-26s %14.6g g/cm^2 = (%g g/kWh fab %s x %g kWh/cm^2 + %g g/cm^2 gases at %d%% + %g g/cm^2 materials) / %g yield\n",
              "chip carbon per area", e.chip_g_per_cm2, chip.fab_gco2_per_kwh, c.fab_location.c_str(), chip.epa_kwh_per_cm2,
              chip.gpa_g_per_cm2, c.gas_abatement, chip.mpa_g_per_cm2, c.yield);
  std::printf("%-26s %14.6g g      = %g cm^2 x %g g/cm^2\n", "embodied: chip", e.embodied_chip_g, e.area_cm2, e.chip_g_per_cm2);
  std::printf("%-26s %14.6g g      = %g GB %s x %g g/GB", "embodied: memory", e.embodied_memory_g, c.dram_gb,
              c.dram_type.c_str(), dram_g_per_gb);
  if (c.ssd_gb > 0) std::printf(" + %g GB %s x %g g/GB", c.ssd_gb, c.ssd_type.c_str(), ssd_g_per_gb);
  std::printf("\n%-26s %14.6g g\n", "embodied", e.embodied_g);
  std::printf("%-26s %14.6g g      = %g inferences x %g g (%g kWh x %g g/kWh%s)\n", "operational", e.operational_g,
              c.inferences, e.per_inference_operational_g, e.energy_kwh_per_inference, c.grid_gco2_per_kwh, grid.c_str());
  std::printf("%-26s %14.6g g      (%.1f%% embodied, %.1f%% operational)\n", "total", e.total_g,
              e.total_g > 0 ? 100 * e.embodied_g / e.total_g : 0.0, e.total_g > 0 ? 100 * e.operational_g / e.total_g : 0.0);
  return 0;
}

}  // namespace

Action add_carbon(CLI::App& app) {
  auto o = std::make_shared<CarbonCliOptions>();
  auto* sub = app.add_subcommand("carbon", "Embodied and operational carbon of a model on an architecture (ACT model)");
  sub->add_option("--model", o->model, "MODEL: an .onnx file or zoo:NAME[?key=value&...]")->required();
  sub->add_option("--arch", o->arch,
                  "the architecture: a YAML file (coda's or Timeloop's) or a template, e.g. gemmini?dim=32 "
                  "(gemmini, eyeriss, simba, tpu-v1, edge-npu, catransformers)")
      ->required();
  sub->add_option("--ert", o->ert, "Accelergy energy table for a Timeloop architecture")->check(CLI::ExistingFile);
  sub->add_option("--art", o->art, "Accelergy area table")->check(CLI::ExistingFile);
  sub->add_option("--preset", o->preset, "start from a named set of carbon options: catransformers "
                                         "(22 nm, taiwan, 95%, yield 0.875, 1 GB lpddr3_20nm, 3e7 inferences, 224 g/kWh)");
  o->o_node = sub->add_option("--node", o->node_nm,
                              "ACT logic node in nm: 28, 22, 20, 14, 10, 8, 7, 5, 3 (default: the architecture's node, else 22)");
  o->o_fab = sub->add_option("--fab", o->fab,
                             "fab location (taiwan, usa, europe, iceland, world, ...) or energy source (coal, solar, ...); "
                             "default taiwan");
  o->o_abatement = sub->add_option("--abatement", o->abatement, "fab gas abatement in %: 95 (default), 99, or 97 (their mean)");
  o->o_yield = sub->add_option("--yield", o->yield, "fab yield in (0, 1] (default 0.875)");
  o->o_grid = sub->add_option("--grid", o->grid,
                              "operational grid intensity: gCO2/kWh or california (224, default), british_columbia (68), taiwan (524)");
  o->o_inferences = sub->add_option("--inferences", o->inferences, "inferences over the lifetime (default 3e7)");
  o->o_dram_gb = sub->add_option("--dram-gb", o->dram_gb, "DRAM capacity priced as embodied carbon, GB (default 0; preset 1)");
  o->o_dram_type = sub->add_option("--dram-type", o->dram_type, "ACT DRAM type (default lpddr3_20nm; ddr4_10nm, lpddr4, ...)");
  o->o_ssd_gb = sub->add_option("--ssd-gb", o->ssd_gb, "SSD capacity priced as embodied carbon, GB (default 0)");
  o->o_ssd_type = sub->add_option("--ssd-type", o->ssd_type, "ACT SSD type (default nand_10nm)");
  sub->add_option("--batch", o->batch, "size bound to unknown input dims; energy per inference = mapped energy / batch")
      ->check(CLI::PositiveNumber);
  sub->add_option("--threads", o->threads, "mapper worker threads (default: all cores)")->check(CLI::NonNegativeNumber);
  sub->add_flag("--json", o->json, "print JSON with the same fields");
  return [o] { return run_carbon(*o); };
}

}  // namespace coda::cli
