// Import of Timeloop's v0.2/v0.3 architecture YAML (the timeloop-accelergy exercises' format) and of
// Accelergy's energy and area reference tables (ERT, ART).
//
// The architecture is a tree of `subtree` nodes holding `local` components; a name like PE[0..167]
// multiplies the instances of everything below it. Storage components (DRAM, SRAM, regfile,
// smartbuffer_*) become levels in tree order, outermost first; the one compute component (a class
// containing "mac") becomes the MAC array. Attributes read: depth/memory_depth/entries/sizeKB,
// width/memory_width, block-size/n_words, word-bits/word_width/datawidth, instances, meshX,
// read_bandwidth, write_bandwidth, multiple-buffering, cluster-size, n_banks (StorageLevel::banks),
// and wire-energy (pJ/bit/mm) x tile-width (um) as the level's NoC hop energy (0 when either is absent).
//
// ERT: Timeloop v0.3 takes, for each action, the most expensive of its argument combinations
// (e.g. read with address_delta=1, data_delta=1), and charges every access of a storage level the
// most expensive of all its actions (its "vector access energy"). That is the default here; with
// ErtOptions::per_action reads cost the read action and fills/updates the write action.
//
//   hw::Architecture a = hw::parse_timeloop_architecture(arch_text, "arch.yaml");
//   hw::apply_ert(a, ert_text, "ERT.yaml");
//   hw::apply_art(a, art_text, "ART.yaml");
#pragma once
#include <string>

#include "coda/hw/architecture.h"

namespace coda::hw {

// Throws ParseError on malformed YAML or a missing attribute, UnsupportedError on a component class
// that is neither storage nor compute, InvalidError on an inconsistent hierarchy.
Architecture parse_timeloop_architecture(const std::string& yaml_text, const std::string& where);

struct ErtOptions {
  bool per_action = false;  // false: Timeloop v0.3 (one energy, the maximum, for every access)
};

// Sets the energies of the levels and the MAC array named in the table (matched by the last
// component of the table's dotted name, without its [a..b] range). Components the architecture
// does not have are ignored, as Timeloop ignores them.
void apply_ert(Architecture& a, const std::string& ert_yaml, const std::string& where, const ErtOptions& opt = {});
void apply_art(Architecture& a, const std::string& art_yaml, const std::string& where);

// The level or compute name an ERT/ART entry refers to: "system.eyeriss.PE[0..167].mac" -> "mac".
std::string reference_table_component(const std::string& dotted_name);

}  // namespace coda::hw
