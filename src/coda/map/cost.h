// map::Cost: what one mapping costs, per storage level and data space, in Timeloop's words.
//
// Per instance of a level and per data space (Timeloop's "scalar" counts):
//   reads   - words read out of the level: to its children (or the MACs), plus, for a read-write
//             data space (partial sums), the reads of read-modify-write updates; the first write of
//             each element is not preceded by a read, so reads = updates - partition size;
//   fills   - words written into the level from the level above;
//   updates - partial-sum words written into the level from below (read-write data spaces only).
// Counts are exact integers; energies are totals over all utilized instances.
//
//   Cost c = evaluate(problem, arch, mapping);
//   if (!c.status.ok()) std::puts(describe(c.status, c, problem, arch).c_str());
//   c.levels[1].data_spaces[0].reads;   // per instance
//   c.energy_pj, c.cycles, c.pj_per_mac();
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "coda/hw/architecture.h"
#include "coda/workload/problem.h"

namespace coda::map {

// Why a well-formed mapping cannot run: an expected outcome, not an error.
enum class Fail : uint8_t {
  none,
  capacity,  // the tiles a level keeps exceed its capacity
  fanout_x,  // the spatial loops along X need more instances than the level fans out to
  fanout_y,
};

struct EvalStatus {
  Fail fail = Fail::none;
  int level = -1;       // the level that rejects the mapping
  int data_space = -1;  // for capacity: the largest tile at that level
  int64_t needed = 0;   // words (capacity) or instances (fan-out)
  int64_t available = 0;
  bool ok() const { return fail == Fail::none; }
};

struct DataSpaceCost {
  bool kept = false;
  int64_t tile_words = 0;        // Timeloop's utilized capacity
  int64_t partition_words = 0;   // everything one instance holds over the run
  int64_t reads = 0, fills = 0, updates = 0;  // per instance
  int64_t instances = 0;         // utilized instances holding this data space
  int64_t fanout = 1;            // children (next keeper below, or MACs) per instance
  int64_t distinct = 1;          // of those, how many need different data: fanout / distinct is the
                                 // multicast (read-only) or spatial-reduction (read-write) factor
  double energy_pj = 0;          // all instances
};

struct LevelCost {
  std::vector<DataSpaceCost> data_spaces;
  int64_t utilized_instances = 0;
  int64_t cycles = 0;            // bandwidth-bound cycles of this level
  double slowdown = 1;           // Timeloop's bandwidth throttling: 1 = none
  double read_energy_pj = 0, fill_energy_pj = 0, update_energy_pj = 0;
  // The network from this level to the instances below it (docs/cost_model.md, "Network"), all
  // instances, all data spaces: words delivered (a multicast or a spatial reduction counts once),
  // hops travelled (each delivery its hop tree) and their energy, hops x word bits x the level's
  // noc_hop_energy_pj_per_bit. Zero for a level that does not fan out.
  double network_words = 0, network_hops = 0, network_energy_pj = 0;
  double energy_pj = 0;          // read + fill + update + network
  int64_t reads() const;         // summed over data spaces, all instances
  int64_t fills() const;
  int64_t updates() const;
};

struct Cost {
  EvalStatus status;
  std::vector<LevelCost> levels;  // innermost first
  int64_t macs = 0;               // the problem's multiply-accumulates
  int64_t padded_macs = 0;        // the mapped nest's (larger for an imperfect factorization)
  int64_t mac_instances = 0;      // utilized MAC units
  int64_t compute_cycles = 0;     // temporal iterations of the nest / the MAC units' ops_per_cycle
  int64_t cycles = 0;             // max(compute, every level's bandwidth-bound cycles)
  double mac_energy_pj = 0;
  double network_energy_pj = 0;   // summed over levels (included in energy_pj)
  double energy_pj = 0;
  double utilization = 0;         // macs / (cycles x MAC units x ops_per_cycle)
  double area_um2 = 0;

  double pj_per_mac() const { return macs ? energy_pj / static_cast<double>(macs) : 0; }
  double edp() const { return energy_pj * static_cast<double>(cycles); }  // pJ x cycles
};

// One line: "level shared_glb: tiles need 70000 words (largest: Outputs 64432), capacity 65536".
std::string describe(const EvalStatus& s, const Cost& c, const workload::Problem& p, const hw::Architecture& a);

}  // namespace coda::map
