// dse::merge_stores: joins results databases of one design space (the shards of a batch-system run,
// `coda explore --shard I/N`) into one, without duplicates.
//
//   MergeResult m = merge_stores("all.db", {"shard_0.db", "shard_1.db"});   // m.added, m.duplicates
//
// Every input must be a coda results store of the same design space (its meta "space"), as must the
// output when it already exists; otherwise InvalidError naming the file, and nothing is written. A
// point found in several inputs is stored once (the first); points already in the output stay. The
// output's spec and objectives are the inputs'.
#pragma once
#include <string>
#include <vector>

namespace coda::dse {

struct MergeResult {
  size_t inputs = 0;
  size_t points = 0;      // read from the inputs
  size_t added = 0;       // new in the output
  size_t duplicates = 0;  // already in the output or in an earlier input
  size_t total = 0;       // points in the output afterwards
};

MergeResult merge_stores(const std::string& out, const std::vector<std::string>& inputs);

}  // namespace coda::dse
