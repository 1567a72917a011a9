#include "coda/dse/merge.h"

#include <filesystem>
#include <optional>

#include "coda/core/error.h"
#include "coda/dse/store.h"

namespace coda::dse {

MergeResult merge_stores(const std::string& out, const std::vector<std::string>& inputs) {
  namespace fs = std::filesystem;
  if (inputs.empty()) throw InvalidError("merge", "no input databases");
  std::vector<Store> in;
  std::optional<std::string> space;
  std::string first;
  for (const std::string& path : inputs) {
    std::error_code ec;
    if (fs::exists(out) && fs::equivalent(out, path, ec))
      throw InvalidError(path, "is the output database too; merge into a new file");
    Store s(path, Store::Open::existing);
    auto sp = s.meta("space");
    if (!sp) throw InvalidError(path, "holds no design space (it was not written by `coda explore`)");
    if (space && *sp != *space) throw InvalidError(path, "holds another design space than " + first);
    if (!space) space = *sp, first = path;
    in.push_back(std::move(s));
  }
  if (fs::exists(out)) {
    Store o(out, Store::Open::existing);
    if (auto sp = o.meta("space"); sp && *sp != *space) throw InvalidError(out, "holds another design space than " + first);
  }
  Store o(out);
  MergeResult r;
  r.inputs = in.size();
  for (const auto& [k, v] : in.front().all_meta())
    if (k != "shard") o.set_meta(k, v);
  for (const Store& s : in) {
    std::vector<PointRecord> pts = s.all();
    r.points += pts.size();
    const size_t added = o.put_many(pts);
    r.added += added;
    r.duplicates += pts.size() - added;
  }
  r.total = o.size();
  return r;
}

}  // namespace coda::dse
