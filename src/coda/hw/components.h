// hw::ComponentLibrary and the component models: energy per action and area of SRAMs, register
// files, DRAM, adders, multipliers and MACs by precision (including precision-scalable MACs), at any
// technology node. Every constant comes from data/components/*.yaml, where each table cites its
// source; this file only evaluates the fitted forms described there.
//
//   hw::ComponentLibrary lib = hw::load_components();           // data_dir()/components/*.yaml
//   hw::StorageCost glb = hw::storage_cost(lib, "SRAM", 64, 16384, 32, 45);   // 64-bit x 16K, 32 banks
//   double mac_pj = hw::mac_cost(lib, "INT8", 22).energy_pj;     // INT8 x INT8 + INT32 add at 22 nm
//   double lp4 = hw::dram_energy_pj_per_bit(lib, "LPDDR4");     // 8 pJ/bit
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "coda/hw/architecture.h"
#include "coda/hw/technology.h"

namespace coda::hw {

// value = k * width_bits^a * depth^b * banks^c, fitted in log space (data/components/storage.yaml).
struct PowerLawFit {
  double k = 0, a = 0, b = 0, c = 0;
  double max_error = 0;                 // largest |fit / point - 1| over the fitting points
  double eval(double width_bits, double depth, double banks) const;
};

// One published point a fit was made from, kept so tests (and users) can check the fit against it.
struct FitPoint {
  std::string source;
  double width_bits = 0, depth = 0, banks = 1;
  double read_energy_pj = 0, write_energy_pj = 0, area_um2 = 0;   // 0 = not given
};

struct StorageModel {
  PowerLawFit read_energy_pj, area_um2;
  double write_to_read = 1;
  std::vector<FitPoint> fit_points;
};

struct ArithPoint {                     // one entry of Horowitz's ISSCC 2014 table
  std::string op;                       // int_add, int_mult, fp_add, fp_mult
  int bits = 0;
  double energy_pj = 0, area_um2 = 0;
};

struct MacPrecision {
  std::string name;                     // INT2 ... FP32
  bool is_float = false;
  int bits = 0, significand_bits = 0, acc_bits = 32;
};

struct ScalableMode {
  std::string name;                     // INT8, INT4, INT2
  int ops_per_cycle = 1;
};

struct DramType {
  std::string type;                     // LPDDR4, DDR4, HBM2, DDR3
  double energy_pj_per_bit = 0;
  bool verified = false;
};

struct ComponentLibrary {
  std::string data_dir;
  StorageModel sram, regfile;
  double arith_technology_nm = 45;      // node of the arithmetic table
  double storage_technology_nm = 45;    // node class of the storage fits
  std::vector<ArithPoint> arith;
  std::vector<MacPrecision> precisions;
  std::string scalable_base = "INT8";
  std::vector<ScalableMode> scalable_modes;
  double scalable_area_overhead = 0, scalable_energy_overhead = 0;
  std::vector<DramType> dram;
  // On-chip network (data/components/noc.yaml): energy per bit per hop = router + wire x hop length.
  double noc_wire_pj_per_bit_mm = 0;
  double noc_router_pj_per_bit_hop = 0;
  bool noc_wire_verified = false;
  TechnologyScaling technology;
};

// The data directory: $CODA_DATA_DIR if set, else <coda source dir>/data (compiled in).
std::string data_dir();

// Loads data/components/{storage,arith,dram,technology}.yaml from `dir`. IoError naming the file if
// one is missing; ParseError naming the file and key if one is malformed.
ComponentLibrary load_components(const std::string& dir = data_dir());

struct StorageCost {
  double read_energy_pj = 0;            // per access of one width_bits word
  double write_energy_pj = 0;
  double area_um2 = 0;
};

// kind is "SRAM" or "regfile". depth = words of width_bits; banks >= 1. InvalidError on a bad kind
// or non-positive size.
StorageCost storage_cost(const ComponentLibrary& lib, const std::string& kind, int width_bits, int64_t depth,
                         int banks, double technology_nm);

// The component model's energies and area for a storage level of kind SRAM or regfile from its own
// geometry: width = word_bits x block_size bits, depth = capacity_words / block_size, its banks.
// Sets read/fill/update energies (fill = update = write) and area_um2. InvalidError for another kind
// or an unbounded level.
void cost_storage_level(const ComponentLibrary& lib, StorageLevel& level, double technology_nm);

// The MAC model for compute.precision: a fixed MAC when ops_per_cycle is 1, else a precision-scalable
// unit in that mode (whose ops per cycle must equal compute.ops_per_cycle). Sets energy_per_mac_pj
// (per MAC) and area_um2 (per unit). InvalidError naming the valid precisions otherwise.
void cost_compute(const ComponentLibrary& lib, ComputeLevel& compute, double technology_nm);

// NoC: energy per bit per hop over a hop of hop_mm millimetres (router + wire x length).
double noc_hop_energy_pj_per_bit(const ComponentLibrary& lib, double hop_mm);
// Side of one tile below `level` in mm: the square root of the area of one instance of the level
// below it (or one MAC unit for level 0) plus everything under that instance. 0 if the areas are 0.
double tile_pitch_mm(const Architecture& a, int level);
// Sets noc_hop_energy_pj_per_bit of every level that fans out (fanout > 1) from the NoC model, the
// hop being one tile pitch; levels without fan-out keep 0.
void apply_noc_model(const ComponentLibrary& lib, Architecture& a);

// pJ per bit for a DRAM type; InvalidError listing the known types otherwise.
double dram_energy_pj_per_bit(const ComponentLibrary& lib, const std::string& type);

struct ArithCost {
  double energy_pj = 0;                 // per operation
  double area_um2 = 0;                  // per unit
};

// Integer adder and multiplier of `bits`, floating-point adder of `bits` and multiplier of
// `significand_bits`, interpolated between the table's points as data/components/arith.yaml states.
ArithCost int_adder_cost(const ComponentLibrary& lib, int bits, double technology_nm);
ArithCost int_multiplier_cost(const ComponentLibrary& lib, int bits, double technology_nm);
ArithCost fp_adder_cost(const ComponentLibrary& lib, int bits, double technology_nm);
ArithCost fp_multiplier_cost(const ComponentLibrary& lib, int significand_bits, double technology_nm);

// One MAC (multiplier + accumulator adder) at a precision: INT2, INT4, INT8, INT16, FP8, BF16, FP16,
// FP32. InvalidError listing the valid names otherwise.
ArithCost mac_cost(const ComponentLibrary& lib, const std::string& precision, double technology_nm);
const MacPrecision& mac_precision(const ComponentLibrary& lib, const std::string& precision);

// A precision-scalable MAC unit (PINTA / ESCA style) running in `mode` (INT8, INT4, INT2):
// energy_pj is per operation, area_um2 per unit; ops_per_cycle(mode) operations share one cycle.
ArithCost scalable_mac_cost(const ComponentLibrary& lib, const std::string& mode, double technology_nm);
int scalable_ops_per_cycle(const ComponentLibrary& lib, const std::string& mode);

}  // namespace coda::hw
