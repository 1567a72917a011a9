// `coda merge OUT.db IN.db...`: join the results databases of one design space (the shards of a
// batch-system run, `coda explore --shard I/N`) without duplicates.
#include <cstdio>

#include "commands.h"
#include "coda/dse/merge.h"

namespace coda::cli {

Action add_merge(CLI::App& app) {
  struct Options {
    std::string out;
    std::vector<std::string> inputs;
  };
  auto o = std::make_shared<Options>();
  auto* sub = app.add_subcommand("merge", "Merge results databases of one design space (e.g. shards) into one");
  sub->add_option("out", o->out, "output database (created, or added to)")->required();
  sub->add_option("inputs", o->inputs, "input databases (shard_*.db)")->required();
  return [o] {
    dse::MergeResult m = dse::merge_stores(o->out, o->inputs);
    std::printf("%s: merged %zu database(s): %zu points read, %zu added, %zu duplicate(s) skipped; %zu points in all\n",
                o->out.c_str(), m.inputs, m.points, m.added, m.duplicates, m.total);
    return 0;
  };
}

}  // namespace coda::cli
