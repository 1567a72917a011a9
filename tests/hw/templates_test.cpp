// Architecture templates: each builds and passes hw::check; MAC counts and buffer capacities equal the
// published numbers (written here with their citation); parameters change what they should; bad specs
// give errors that list the valid choices.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "coda/core/error.h"
#include "coda/hw/templates.h"
#include "coda/hw/arch_yaml.h"

namespace {

using namespace coda::hw;

const ComponentLibrary& lib() {
  static const ComponentLibrary l = load_components(std::string(CODA_SOURCE_DIR) + "/data");
  return l;
}

TemplateResult build(const std::string& spec) { return build_template_full(spec, lib()); }

const StorageLevel& level(const Architecture& a, const std::string& name) {
  int i = a.level_index(name);
  EXPECT_GE(i, 0) << name;
  return a.levels.at(static_cast<size_t>(std::max(i, 0)));
}

int64_t bytes(const StorageLevel& l) { return l.capacity_words * l.word_bits / 8; }

int64_t macs(const Architecture& a) { return a.compute.instances; }

TEST(Templates, NamesAreSortedAndEveryTemplateBuildsAndChecks) {
  std::vector<std::string> names = template_names();
  EXPECT_EQ(names, (std::vector<std::string>{"catransformers", "edge-npu", "eyeriss", "gemmini", "simba", "tpu-v1"}));
  for (const std::string& n : names) {
    SCOPED_TRACE(n);
    TemplateResult r = build(n);
    EXPECT_NO_THROW(check(r.arch, n));
    EXPECT_EQ(r.arch.name, n);
    EXPECT_EQ(r.arch.levels.back().kind, "DRAM");
    EXPECT_GT(r.clock_mhz, 0);
    EXPECT_GT(r.technology_nm, 0);
    EXPECT_EQ(r.arch.clock_mhz, r.clock_mhz);  // the architecture carries them too
    EXPECT_EQ(r.arch.technology_nm, r.technology_nm);
    Architecture back = load(to_yaml(r.arch), n);  // and its YAML keeps them
    EXPECT_EQ(back.clock_mhz, r.clock_mhz);
    EXPECT_EQ(back.technology_nm, r.technology_nm);
    EXPECT_GT(r.arch.compute.energy_per_mac_pj, 0);
    EXPECT_GT(r.arch.area_um2(), 0);
    for (const StorageLevel& l : r.arch.levels) EXPECT_GT(l.read_energy_pj, 0) << l.name;
    std::string d = describe_template(n);
    EXPECT_NE(d.find("technology_nm"), std::string::npos);
    EXPECT_NE(d.find("sources:"), std::string::npos);
  }
}

// Gemmini defaultConfig (ucb-bar/gemmini Configs.scala; Genc et al. DAC 2021): 16x16 mesh, INT8 inputs,
// INT32 accumulators, 256 KiB scratchpad in 4 banks, 64 KiB accumulator.
TEST(Templates, GemminiDefaultMatchesPublishedConfig) {
  TemplateResult r = build("gemmini");
  const Architecture& a = r.arch;
  EXPECT_EQ(macs(a), 16 * 16);
  EXPECT_EQ(mesh_x(a.compute), 16);
  EXPECT_EQ(a.compute.word_bits, 8);
  EXPECT_EQ(bytes(level(a, "Scratchpad")), 256 * 1024);
  EXPECT_EQ(bytes(level(a, "Accumulator")), 64 * 1024);
  EXPECT_EQ(level(a, "Accumulator").word_bits, 32);
  EXPECT_TRUE(level(a, "PERegister").may_hold("Weights"));    // weight-stationary by default
  EXPECT_FALSE(level(a, "PERegister").may_hold("Outputs"));
  // Energies come from the component models at the template's node.
  EXPECT_DOUBLE_EQ(a.compute.energy_per_mac_pj, mac_cost(lib(), "INT8", r.technology_nm).energy_pj);
  StorageCost sp = storage_cost(lib(), "SRAM", 8 * 16, 256 * 1024 / 16, 4, r.technology_nm);
  EXPECT_DOUBLE_EQ(level(a, "Scratchpad").read_energy_pj, sp.read_energy_pj);
  EXPECT_DOUBLE_EQ(level(a, "Scratchpad").area_um2, sp.area_um2);
}

TEST(Templates, GemminiParametersChangeWhatTheyShould) {
  Architecture big = build("gemmini?dim=32&sp_kib=512").arch, base = build("gemmini").arch;
  EXPECT_EQ(macs(big), 32 * 32);
  EXPECT_EQ(bytes(level(big, "Scratchpad")), 512 * 1024);
  EXPECT_EQ(bytes(level(big, "Accumulator")), 64 * 1024);
  EXPECT_GT(level(big, "Scratchpad").area_um2, level(base, "Scratchpad").area_um2);
  Architecture os = build("gemmini?dataflow=os").arch;
  EXPECT_TRUE(level(os, "PERegister").may_hold("Outputs"));
  EXPECT_FALSE(level(os, "PERegister").may_hold("Weights"));
  EXPECT_EQ(level(os, "PERegister").word_bits, 32);
  // A smaller node: cheaper MACs and smaller SRAM.
  Architecture n7 = build("gemmini?technology_nm=7").arch;
  EXPECT_LT(n7.compute.energy_per_mac_pj, base.compute.energy_per_mac_pj);
  EXPECT_LT(n7.area_um2(), base.area_um2());
  EXPECT_DOUBLE_EQ(build("gemmini?clock_mhz=500").clock_mhz, 500);
  // DRAM type: LPDDR4 at 8 pJ/bit x 128-bit DMA beats.
  EXPECT_DOUBLE_EQ(base.levels.back().read_energy_pj, 8.0 * 128);
  EXPECT_LT(build("gemmini?dram=HBM2").arch.levels.back().read_energy_pj, base.levels.back().read_energy_pj);
}

// Eyeriss v1 (Chen et al., ISSCC 2016 / JSSC 2017): 12x14 = 168 PEs, row-stationary, 108 KB global
// buffer, per-PE scratchpads 12x16b ifmap, 224x16b weights, 24x16b psums, 65 nm.
TEST(Templates, EyerissMatchesPublishedSizes) {
  TemplateResult r = build("eyeriss");
  const Architecture& a = r.arch;
  EXPECT_EQ(macs(a), 168);
  EXPECT_EQ(mesh_x(a.compute), 14);
  EXPECT_EQ(a.compute.word_bits, 16);
  EXPECT_EQ(bytes(level(a, "GlobalBuffer")), 108 * 1024);
  EXPECT_EQ(level(a, "IfmapSpad").capacity_words, 12);
  EXPECT_EQ(level(a, "WeightsSpad").capacity_words, 224);
  EXPECT_EQ(level(a, "PsumSpad").capacity_words, 24);
  EXPECT_EQ(level(a, "WeightsSpad").word_bits, 16);
  EXPECT_EQ(level(a, "IfmapSpad").instances, 168);
  EXPECT_EQ(r.technology_nm, 65);
  EXPECT_EQ(fanout(a, a.level_index("GlobalBuffer")), 168);
  EXPECT_EQ(fanout_x(a, a.level_index("GlobalBuffer")), 14);
  Architecture b = build("eyeriss?pe_rows=16&glb_kib=216").arch;
  EXPECT_EQ(macs(b), 16 * 14);
  EXPECT_EQ(bytes(level(b, "GlobalBuffer")), 216 * 1024);
}

// Simba (Shao et al., MICRO 2019): per PE 8 vector MACs x 8 lanes, 32 KB weight, 8 KB input and 3 KB
// accumulation buffers; 64 KB global PE buffer; 16 PEs per chiplet; 36 chiplets per package.
TEST(Templates, SimbaMatchesPublishedSizes) {
  Architecture a = build("simba").arch;
  EXPECT_EQ(macs(a), 16 * 8 * 8);
  EXPECT_EQ(bytes(level(a, "WeightBuffer")), 32 * 1024);
  EXPECT_EQ(bytes(level(a, "InputBuffer")), 8 * 1024);
  EXPECT_EQ(bytes(level(a, "AccumulationBuffer")), 3 * 1024);
  EXPECT_EQ(bytes(level(a, "GlobalBuffer")), 64 * 1024);
  Architecture pkg = build("simba?chiplets=36").arch;
  EXPECT_EQ(macs(pkg), 36 * 16 * 64);
  EXPECT_EQ(level(pkg, "GlobalBuffer").instances, 36);
  EXPECT_EQ(level(pkg, "WeightBuffer").instances, 36 * 16);
}

// TPU v1 (Jouppi et al., ISCA 2017): 256x256 = 65,536 8-bit MACs, 24 MiB unified buffer, 4 MiB of
// 32-bit accumulators, 700 MHz, 28 nm.
TEST(Templates, TpuV1MatchesPublishedSizes) {
  TemplateResult r = build("tpu-v1");
  EXPECT_EQ(macs(r.arch), 65536);
  EXPECT_EQ(bytes(level(r.arch, "UnifiedBuffer")), 24 * 1024 * 1024);
  EXPECT_EQ(bytes(level(r.arch, "Accumulators")), 4 * 1024 * 1024);
  EXPECT_EQ(level(r.arch, "Accumulators").word_bits, 32);
  EXPECT_EQ(r.clock_mhz, 700);
  EXPECT_EQ(r.technology_nm, 28);
  // Peak 92 TOPS = 65,536 MACs x 2 ops x 700 MHz (Jouppi et al., abstract).
  EXPECT_NEAR(2.0 * macs(r.arch) * r.clock_mhz * 1e6 / 1e12, 92, 0.5);
}

TEST(Templates, EdgeNpuScalesPrecision) {
  Architecture i8 = build("edge-npu").arch, i4 = build("edge-npu?precision=INT4").arch,
               i2 = build("edge-npu?precision=INT2").arch;
  // The same 16 x 16 physical units in every mode; an INT8 unit runs 2 INT4 or 4 INT2 MACs a cycle.
  EXPECT_EQ(macs(i8), 256);
  EXPECT_EQ(macs(i4), 256);
  EXPECT_EQ(macs(i2), 256);
  EXPECT_EQ(i8.compute.ops_per_cycle, 1);
  EXPECT_EQ(i4.compute.ops_per_cycle, 2);
  EXPECT_EQ(i2.compute.ops_per_cycle, 4);
  EXPECT_EQ(i4.compute.precision, "INT4");
  EXPECT_EQ(i4.compute.word_bits, 4);
  EXPECT_NEAR(i4.compute.energy_per_mac_pj, i8.compute.energy_per_mac_pj / 2, 1e-12);
  // Same silicon: the unit, the register files, the buffer and so the whole area do not depend on the mode.
  EXPECT_DOUBLE_EQ(i4.compute.area_um2, i8.compute.area_um2);
  EXPECT_DOUBLE_EQ(i4.area_um2(), i8.area_um2());
  EXPECT_DOUBLE_EQ(i2.area_um2(), i8.area_um2());
  EXPECT_EQ(bytes(level(i8, "GlobalBuffer")), 512 * 1024);
  EXPECT_EQ(bytes(level(i4, "GlobalBuffer")), 512 * 1024);
  EXPECT_EQ(level(i4, "GlobalBuffer").capacity_words, 2 * level(i8, "GlobalBuffer").capacity_words);
  EXPECT_EQ(level(i4, "PERegisterFile").block_size, 2);   // one byte = 2 INT4 operands per access
}

// Energy per MAC of the INT4 mode from the data: Horowitz (ISSCC 2014, 45 nm) INT8 multiply 0.2 pJ +
// 32-bit add 0.1 pJ, +10% for the decomposable unit (arith.yaml's energy_overhead), shared by 2 MACs.
TEST(Templates, EdgeNpuInt4EnergyPerMacFromTheComponentModel) {
  Architecture a = build("edge-npu?precision=INT4&technology_nm=45").arch;
  EXPECT_NEAR(a.compute.energy_per_mac_pj, (0.2 + 0.1) * 1.10 / 2, 1e-12);
  EXPECT_NEAR(build("edge-npu?precision=INT2&technology_nm=45").arch.compute.energy_per_mac_pj, 0.3 * 1.10 / 4, 1e-12);
  // Unit area: Horowitz 8-bit multiply 282 um2 + 32-bit add 137 um2, +15%.
  EXPECT_NEAR(a.compute.area_um2, (282 + 137) * 1.15, 1e-9);
}

// Templates keep the bank count on the level and the SRAM model uses it: Gemmini's 4-bank
// scratchpad and 2-bank accumulator, Eyeriss' 27-bank global buffer.
TEST(Templates, BanksAreKeptAndCosted) {
  TemplateResult r = build("gemmini");
  const StorageLevel& sp = level(r.arch, "Scratchpad");
  EXPECT_EQ(sp.banks, 4);
  EXPECT_EQ(level(r.arch, "Accumulator").banks, 2);
  EXPECT_EQ(level(build("eyeriss").arch, "GlobalBuffer").banks, 27);
  EXPECT_EQ(level(r.arch, "PERegister").banks, 1);
  // The model's banking term is banks^c (energy) and banks^c' (area), storage.yaml's fitted exponents:
  // 4 banks against 1 of the same geometry.
  StorageLevel one = sp;
  one.banks = 1;
  cost_storage_level(lib(), one, r.technology_nm);
  EXPECT_NEAR(sp.read_energy_pj / one.read_energy_pj, std::pow(4.0, lib().sram.read_energy_pj.c), 1e-12);
  EXPECT_NEAR(sp.area_um2 / one.area_um2, std::pow(4.0, lib().sram.area_um2.c), 1e-12);
  EXPECT_NEAR(std::pow(4.0, 0.11796047), sp.read_energy_pj / one.read_energy_pj, 1e-6);  // the published fit
  EXPECT_GT(build("gemmini?sp_banks=8").arch.levels[2].read_energy_pj, sp.read_energy_pj);
}

// NoC: a level that fans out gets energy per bit per hop = wire pJ/bit/mm x one tile pitch (the
// square root of the area under one child instance); levels without fan-out get none.
TEST(Templates, NocHopEnergyIsWireEnergyTimesTilePitch) {
  Architecture a = build("eyeriss").arch;
  const StorageLevel& glb = level(a, "GlobalBuffer");
  // One PE: its three scratchpads and its MAC.
  double pe_um2 = level(a, "IfmapSpad").area_um2 + level(a, "WeightsSpad").area_um2 + level(a, "PsumSpad").area_um2 +
                  a.compute.area_um2;
  EXPECT_NEAR(tile_pitch_mm(a, a.level_index("GlobalBuffer")), std::sqrt(pe_um2) / 1000, 1e-12);
  // Keckler et al. 2011 Table 1: 310 pJ for 256 bits over 10 mm (data/components/noc.yaml).
  EXPECT_NEAR(glb.noc_hop_energy_pj_per_bit, 310.0 / (256 * 10) * std::sqrt(pe_um2) / 1000, 1e-15);
  EXPECT_GT(glb.noc_hop_energy_pj_per_bit, 0);
  EXPECT_EQ(level(a, "IfmapSpad").noc_hop_energy_pj_per_bit, 0);  // one MAC per PE: no network
  EXPECT_EQ(level(a, "DRAM").noc_hop_energy_pj_per_bit, 0);       // one global buffer
  // Gemmini: the level that fans out to the 16 x 16 PEs is the accumulator (the scratchpad's inputs
  // and weights cross the same array); a hop is one PE, its register and MAC.
  Architecture g = build("gemmini").arch;
  const StorageLevel& reg = level(g, "PERegister");
  EXPECT_NEAR(level(g, "Accumulator").noc_hop_energy_pj_per_bit,
              310.0 / 2560 * std::sqrt(reg.area_um2 + g.compute.area_um2) / 1000, 1e-15);
  EXPECT_EQ(level(g, "Scratchpad").noc_hop_energy_pj_per_bit, 0);
}

// CATransformers (Wang et al., NeurIPS 2025; configurations.py): num_tc clusters of width x depth MACs,
// 22 nm, 625 MHz; TOPS = num_tc * width * depth * 2 * f / 1e12 (81.92 at the largest point; the search keeps <= 20.48).
TEST(Templates, CatransformersFollowsTheSearchSpace) {
  TemplateResult r = build("catransformers?clusters=4&width=256&depth=64&l2_kib=1024&glb_mib=8");
  EXPECT_EQ(macs(r.arch), 4 * 256 * 64);
  EXPECT_EQ(r.clock_mhz, 625);
  EXPECT_EQ(r.technology_nm, 22);
  EXPECT_NEAR(2.0 * macs(r.arch) * r.clock_mhz * 1e6 / 1e12, 81.92, 1e-9);
  EXPECT_EQ(level(r.arch, "L2").instances, 4);
  EXPECT_EQ(bytes(level(r.arch, "L2")), 1024 * 1024);
  EXPECT_EQ(bytes(level(r.arch, "GlobalBuffer")), 8 * 1024 * 1024);
  TemplateResult small = build("catransformers?clusters=1&width=32&depth=2&l2_bw=32");
  EXPECT_EQ(macs(small.arch), 64);
  EXPECT_EQ(level(small.arch, "L2").read_bandwidth, 32);
  EXPECT_LT(small.arch.area_um2(), r.arch.area_um2());
  EXPECT_EQ(fanout(small.arch, small.arch.level_index("L2")), 64);
}

template <class F>
std::string error_of(F f) {
  try {
    f();
  } catch (const coda::InvalidError& e) {
    return e.what();
  }
  return "(no InvalidError)";
}

TEST(Templates, BadSpecsListTheValidChoices) {
  std::string e = error_of([] { build("gemini"); });
  EXPECT_NE(e.find("unknown template 'gemini'"), std::string::npos) << e;
  EXPECT_NE(e.find("valid templates: catransformers, edge-npu, eyeriss, gemmini, simba, tpu-v1"), std::string::npos) << e;
  e = error_of([] { build("gemmini?dim=32&spad_kib=512"); });
  EXPECT_NE(e.find("gemmini?dim=32&spad_kib=512"), std::string::npos) << e;   // where = the spec
  EXPECT_NE(e.find("unknown parameter 'spad_kib'"), std::string::npos) << e;
  EXPECT_NE(e.find("valid parameters: dim, dataflow, sp_kib"), std::string::npos) << e;
  e = error_of([] { build("gemmini?dim=abc"); });
  EXPECT_NE(e.find("dim: expected a positive number, got 'abc'"), std::string::npos) << e;
  e = error_of([] { build("gemmini?dim=0"); });
  EXPECT_NE(e.find("dim: expected a positive number, got '0'"), std::string::npos) << e;
  e = error_of([] { build("gemmini?dim=2.5"); });
  EXPECT_NE(e.find("dim: expected a positive integer"), std::string::npos) << e;
  e = error_of([] { build("gemmini?dataflow=is"); });
  EXPECT_NE(e.find("dataflow: 'is' is not one of ws, os"), std::string::npos) << e;
  e = error_of([] { build("catransformers?width=48"); });
  EXPECT_NE(e.find("width: '48' is not one of 32, 64, 128, 256"), std::string::npos) << e;
  e = error_of([] { build("gemmini?dim"); });
  EXPECT_NE(e.find("expected key=value, got 'dim'"), std::string::npos) << e;
  e = error_of([] { build("gemmini?dim=8&dim=16"); });
  EXPECT_NE(e.find("'dim' given twice"), std::string::npos) << e;
  e = error_of([] { build("gemmini?technology_nm=1"); });
  EXPECT_NE(e.find("outside the supported range"), std::string::npos) << e;
  e = error_of([] { build("gemmini?dim=2000000"); });
  EXPECT_NE(e.find("dim: expected a positive integer up to 1048576"), std::string::npos) << e;
  e = error_of([] { build("simba?chiplets=1048576&pes_per_chiplet=1048576&lanes=1048576"); });
  EXPECT_NE(e.find("simba: the array is too large"), std::string::npos) << e;
  e = error_of([] { describe_template("tpu"); });
  EXPECT_NE(e.find("valid templates:"), std::string::npos) << e;
}

TEST(Templates, DescriptionShowsPresetDefaultsAndPublishedRanges) {
  std::string d = describe_template("catransformers");
  EXPECT_NE(d.find("clusters = 2"), std::string::npos) << d;
  EXPECT_NE(d.find("one of 1, 2, 4"), std::string::npos) << d;
  EXPECT_NE(d.find("arXiv 2505.01386"), std::string::npos) << d;
  EXPECT_NE(describe_template("gemmini").find("sp_kib = 256"), std::string::npos);
}

// Presets come from data/components/templates.yaml: a missing file or a preset that does not match
// the template's parameters is reported against that file.
TEST(Templates, PresetFileErrorsNameTheFile) {
  auto dir = std::filesystem::temp_directory_path() / "coda_templates_presets";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir / "components");
  for (const char* f : {"storage.yaml", "arith.yaml", "dram.yaml", "technology.yaml", "noc.yaml"})
    std::filesystem::copy_file(std::string(CODA_SOURCE_DIR) + "/data/components/" + f, dir / "components" / f);
  ComponentLibrary l = load_components(dir.string());
  EXPECT_THROW(build_template_full("gemmini", l), coda::IoError);
  std::ofstream(dir / "components" / "templates.yaml")
      << "gemmini:\n  sources: x\n  params: {dim: 16, mesh: 4}\n";
  try {
    build_template_full("gemmini", l);
    FAIL();
  } catch (const coda::ParseError& e) {
    EXPECT_NE(e.where().find("templates.yaml"), std::string::npos) << e.what();
    EXPECT_NE(e.message().find("no default for 'dataflow'"), std::string::npos) << e.what();
  }
  try {
    build_template_full("eyeriss", l);
    FAIL();
  } catch (const coda::ParseError& e) {
    EXPECT_NE(e.message().find("no preset for template 'eyeriss'"), std::string::npos) << e.what();
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
