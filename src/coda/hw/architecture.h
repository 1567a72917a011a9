// hw::Architecture: an accelerator as a hierarchy of storage levels over an array of MAC units, in
// Timeloop's vocabulary. Level 0 is the innermost storage (next to the MACs); the last level is the
// backing store (DRAM). Each level has a number of instances; the ratio of instance counts between
// neighbouring levels is the spatial fan-out a mapping may use, split into X and Y by mesh_x.
//
//   Architecture a = hw::load(read_file("eyeriss.yaml"), "eyeriss.yaml");   // arch_yaml.h
//   a.levels.back().name;             // "DRAM"
//   hw::fanout(a, 1);                 // instances of level 0 per instance of level 1
//   hw::fanout_x(a, 1), hw::fanout_y(a, 1);
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace coda::hw {

// One storage level (Timeloop's buffer level). Capacities and bandwidths are per instance, in words
// of word_bits bits. Energies are per vector access: an access to n words of one data space costs
// ceil(n / block_size) vector accesses.
struct StorageLevel {
  std::string name;
  std::string kind = "SRAM";           // DRAM, SRAM, regfile, ... (a DRAM with capacity 0 is unbounded)
  int64_t capacity_words = 0;          // 0 = unbounded
  int word_bits = 16;
  int block_size = 1;                  // words per vector access
  int cluster_size = 1;                // instances sharing one vector access (Timeloop's cluster)
  int64_t instances = 1;
  int64_t mesh_x = 0;                  // instances along X; 0 = all along X
  double read_bandwidth = 0;           // words per cycle per instance; 0 = unlimited
  double write_bandwidth = 0;          // fills + updates, words per cycle per instance; 0 = unlimited
  double multiple_buffering = 1;       // 2 = double buffered: tiles may use half the capacity
  double read_energy_pj = 0;           // per vector access
  double fill_energy_pj = 0;           // per vector access (a write from the level above)
  double update_energy_pj = 0;         // per vector access (a partial-sum write from below)
  double area_um2 = 0;                 // per instance
  std::vector<std::string> holds;      // data spaces this level may keep; empty = any
  int banks = 1;                       // SRAM banks per instance (the component models' banking term)
  // Network from this level to the instances below it: energy per bit per hop (0 = not modelled).
  // Charged only when the level fans out (docs/cost_model.md, "Network").
  double noc_hop_energy_pj_per_bit = 0;

  bool operator==(const StorageLevel&) const = default;
  bool unbounded() const { return capacity_words <= 0; }
  bool may_hold(const std::string& data_space) const;
  // Capacity left for tiles after multiple buffering (0 = unbounded).
  int64_t effective_capacity_words() const;
};

// The MAC array below level 0. A unit may perform several MACs per cycle (a precision-scalable
// INT8 unit runs 2 INT4 MACs): instances counts physical units, ops_per_cycle the MACs each
// completes per cycle, energy_per_mac_pj is per MAC (operation), area_um2 per unit.
struct ComputeLevel {
  std::string name = "MAC";
  int64_t instances = 1;
  int64_t mesh_x = 0;                  // 0 = all along X
  int word_bits = 16;                  // operand width (Timeloop's datawidth)
  std::string precision;               // INT8, INT4, FP16, ... (component-model name); empty = unspecified
  int ops_per_cycle = 1;               // MACs per unit per cycle
  double energy_per_mac_pj = 0;
  double area_um2 = 0;                 // per instance
  bool operator==(const ComputeLevel&) const = default;
};

struct Architecture {
  std::string name;
  std::vector<StorageLevel> levels;    // innermost first; levels.back() is the backing store
  ComputeLevel compute;
  double clock_mhz = 0;                // 0 = unknown (latency is then reported in cycles only)
  double technology_nm = 0;            // 0 = unknown

  bool operator==(const Architecture&) const = default;
  int num_levels() const { return static_cast<int>(levels.size()); }
  int level_index(const std::string& name) const;   // -1 if absent
  // Total area of every instance of every level and MAC, in um^2.
  double area_um2() const;
};

// Instances of the level below `level` (level - 1, or the MACs for level 0) per instance of `level`.
int64_t fanout(const Architecture& a, int level);
int64_t fanout_x(const Architecture& a, int level);
int64_t fanout_y(const Architecture& a, int level);
// Instances along X of a level (its mesh_x, or all of them).
int64_t mesh_x(const StorageLevel& l);
int64_t mesh_x(const ComputeLevel& c);

// Checks names and counts: at least one level, unique names, instance counts that divide, positive
// widths. Throws InvalidError("<where>", "level <name>: ...") naming the first problem.
void check(const Architecture& a, const std::string& where);

}  // namespace coda::hw
