#include "coda/map/evaluator.h"

#include <algorithm>
#include <cmath>

#include "coda/core/error.h"

namespace coda::map {

Evaluator::Evaluator(const workload::Problem& p, const hw::Architecture& a) : problem_(&p), arch_(&a) {
  dims_ = static_cast<int>(p.dims.size());
  spaces_ = static_cast<int>(p.data_spaces.size());
  levels_ = a.num_levels();
  CODA_CHECK(dims_ <= 64 && spaces_ <= 32, "%d dimensions, %d data spaces: too many", dims_, spaces_);
  for (int s = 0; s < spaces_; ++s) proj_.push_back(detail::project(p, s));
  for (int i = 0; i < levels_; ++i) {
    fan_x_.push_back(hw::fanout_x(a, i));
    fan_y_.push_back(hw::fanout_y(a, i));
    fan_hw_.push_back(hw::fanout(a, i));
    capacity_.push_back(a.levels[static_cast<size_t>(i)].effective_capacity_words());
  }
  size_t ld = static_cast<size_t>(levels_) * static_cast<size_t>(dims_);
  tile_.assign(ld, 1);
  below_.assign(ld, 1);
  outer_.assign(ld, 1);
  tile_words_.assign(static_cast<size_t>(levels_) * static_cast<size_t>(spaces_), 0);
  spatial_total_.assign(static_cast<size_t>(levels_) + 1, 1);
  dims_buf_.assign(static_cast<size_t>(dims_) * 2, 1);  // [0, dims): scratch; [dims, 2 dims): ones
  loops_.reserve(ld);
  net_words_.assign(static_cast<size_t>(levels_), 0);
  net_hops_.assign(static_cast<size_t>(levels_), 0);
  net_bit_hops_.assign(static_cast<size_t>(levels_), 0);
}

namespace {

// Hops of one delivery to (or reduction from) `multicast` of the `fanout` instances below a level:
// Timeloop's legacy network model (NVlabs/timeloop src/model/network-legacy.cpp, NumHops), a tree
// from a side entry point of a sqrt(F) x sqrt(F) array. multicast 1 gives sqrt(F)/2.
double network_hops(double multicast, double fanout) {
  double rf = std::sqrt(multicast), rn = std::sqrt(fanout);
  return rn * rf + 0.5 * (rn - rf) - rn / rf + 0.5;
}

}  // namespace

void Evaluator::prepare(Cost& c) const {
  c.levels.assign(static_cast<size_t>(levels_), LevelCost{});
  for (LevelCost& l : c.levels) l.data_spaces.assign(static_cast<size_t>(spaces_), DataSpaceCost{});
}

bool Evaluator::fits(const Mapping& m, EvalStatus& st) {
  st = EvalStatus{};
  iterations_ = 1;
  const size_t D = static_cast<size_t>(dims_);
  for (int i = 0; i < levels_; ++i) {
    const LevelMapping& l = m.levels[static_cast<size_t>(i)];
    int64_t px = 1, py = 1;
    for (size_t d = 0; d < D; ++d) {
      int64_t prev = i ? tile_[(static_cast<size_t>(i) - 1) * D + d] : 1;
      int64_t b = prev * l.spatial[d];
      below_[static_cast<size_t>(i) * D + d] = b;
      tile_[static_cast<size_t>(i) * D + d] = b * l.temporal[d];
      (l.spatial_y[d] ? py : px) *= l.spatial[d];
      iterations_ *= l.temporal[d];
    }
    spatial_total_[static_cast<size_t>(i)] = px * py;
    if (px > fan_x_[static_cast<size_t>(i)] || py > fan_y_[static_cast<size_t>(i)]) {
      bool x = px > fan_x_[static_cast<size_t>(i)];
      st = {x ? Fail::fanout_x : Fail::fanout_y, i, -1, x ? px : py, x ? fan_x_[static_cast<size_t>(i)] : fan_y_[static_cast<size_t>(i)]};
      return false;
    }
  }
  for (int i = 0; i < levels_; ++i) {
    const LevelMapping& l = m.levels[static_cast<size_t>(i)];
    int64_t used = 0, largest = -1;
    int largest_space = -1;
    for (int s = 0; s < spaces_; ++s) {
      int64_t w = l.keeps(s) ? detail::tile_words(proj_[static_cast<size_t>(s)], &tile_[static_cast<size_t>(i) * D]) : 0;
      tile_words_[static_cast<size_t>(i * spaces_ + s)] = w;
      used += w;
      if (w > largest) largest = w, largest_space = s;
    }
    int64_t cap = capacity_[static_cast<size_t>(i)];
    if (cap > 0 && used > cap) {
      st = {Fail::capacity, i, largest_space, used, cap};
      return false;
    }
  }
  return true;
}

void Evaluator::count_accesses(const Mapping& m, Cost& c) {
  const size_t D = static_cast<size_t>(dims_);
  // Temporal loops of the whole nest that iterate, innermost first; level_start[i] = first of level i.
  loops_.clear();
  int level_start[65];
  CODA_CHECK(levels_ < 64, "too many levels");
  for (int i = 0; i < levels_; ++i) {
    level_start[i] = static_cast<int>(loops_.size());
    const LevelMapping& l = m.levels[static_cast<size_t>(i)];
    for (int d : l.permutation)
      if (l.temporal[static_cast<size_t>(d)] >= 2)
        loops_.push_back({d, l.temporal[static_cast<size_t>(d)], below_[static_cast<size_t>(i) * D + static_cast<size_t>(d)]});
  }
  level_start[levels_] = static_cast<int>(loops_.size());
  for (size_t d = 0; d < D; ++d) {
    int64_t run = 1;
    for (int i = levels_ - 1; i >= 0; --i) {
      outer_[static_cast<size_t>(i) * D + d] = run;
      run *= m.levels[static_cast<size_t>(i)].temporal[d];
    }
  }
  const int64_t* ones = dims_buf_.data() + D;
  {
    int64_t inst = 1;
    for (int i = levels_ - 1; i >= 0; --i) {
      c.levels[static_cast<size_t>(i)].utilized_instances = inst;
      inst *= spatial_total_[static_cast<size_t>(i)];
    }
    c.mac_instances = inst;
  }
  std::fill(net_words_.begin(), net_words_.end(), 0.0);
  std::fill(net_hops_.begin(), net_hops_.end(), 0.0);
  std::fill(net_bit_hops_.begin(), net_bit_hops_.end(), 0.0);
  int64_t chain_distinct[64];
  for (int s = 0; s < spaces_; ++s) {
    const detail::Projection& w = proj_[static_cast<size_t>(s)];
    int child = -1;              // -1: the MACs
    int64_t per_child = iterations_;  // words one child exchanges with its parent over the run
    for (int p = 0; p < levels_; ++p) {
      DataSpaceCost& dc = c.levels[static_cast<size_t>(p)].data_spaces[static_cast<size_t>(s)];
      if (!m.levels[static_cast<size_t>(p)].keeps(s)) {
        dc = DataSpaceCost{};
        continue;
      }
      int64_t distinct = 1, fan = 1;
      for (int j = child + 1; j <= p; ++j) {
        const int64_t* scale = j ? &tile_[(static_cast<size_t>(j) - 1) * D] : ones;
        chain_distinct[j] = detail::distinct_offsets(w, m.levels[static_cast<size_t>(j)].spatial.data(), scale, dims_, reuse_);
        distinct *= chain_distinct[j];
        fan *= spatial_total_[static_cast<size_t>(j)];
      }
      int64_t served = per_child * distinct;
      dc.kept = true;
      dc.tile_words = tile_words_[static_cast<size_t>(p * spaces_ + s)];
      dc.fanout = fan;
      dc.distinct = distinct;
      for (size_t d = 0; d < D; ++d) dims_buf_[d] = tile_[static_cast<size_t>(p) * D + d] * outer_[static_cast<size_t>(p) * D + d];
      dc.partition_words = detail::tile_words(w, dims_buf_.data());
      if (w.read_write) {
        dc.updates = served;
        dc.reads = std::max<int64_t>(0, served - dc.partition_words);  // the first write is not a read
      } else {
        dc.reads = served;
        dc.updates = 0;
      }
      // Network: the words this keeper exchanges with the instances below it cross the network of
      // every level from p down to its child keeper that fans out; a word multicast (or reduced)
      // at a level above j reaches j once per receiving instance.
      {
        double bits = static_cast<double>(arch_->levels[static_cast<size_t>(p)].word_bits);
        double words = static_cast<double>(c.levels[static_cast<size_t>(p)].utilized_instances) *
                       static_cast<double>(dc.reads + dc.updates);
        for (int j = p; j > child; --j) {
          double multicast = static_cast<double>(spatial_total_[static_cast<size_t>(j)]) /
                             static_cast<double>(chain_distinct[j]);
          if (fan_hw_[static_cast<size_t>(j)] > 1 && words > 0) {
            double hops = words * network_hops(multicast, static_cast<double>(fan_hw_[static_cast<size_t>(j)]));
            net_words_[static_cast<size_t>(j)] += words;
            net_hops_[static_cast<size_t>(j)] += hops;
            net_bit_hops_[static_cast<size_t>(j)] += hops * bits;
          }
          words *= multicast;
        }
      }
      int first = level_start[p + 1];
      dc.fills = p == levels_ - 1 ? 0
                                  : detail::fill_words(w, &tile_[static_cast<size_t>(p) * D], loops_.data() + first,
                                                       level_start[levels_] - first, reuse_);
      per_child = dc.fills;
      child = p;
    }
  }
  for (int i = levels_ - 1; i >= 0; --i) {
    LevelCost& lc = c.levels[static_cast<size_t>(i)];
    for (DataSpaceCost& dc : lc.data_spaces) dc.instances = dc.kept ? lc.utilized_instances : 0;
  }
}

void Evaluator::price(Cost& c) const {
  c.energy_pj = 0;
  c.network_energy_pj = 0;
  // A unit completing ops_per_cycle MACs per cycle runs the nest's iterations in 1/ops the cycles.
  const int64_t ops = arch_->compute.ops_per_cycle;
  c.compute_cycles = (iterations_ + ops - 1) / ops;
  c.cycles = c.compute_cycles;
  for (int i = 0; i < levels_; ++i) {
    const hw::StorageLevel& hl = arch_->levels[static_cast<size_t>(i)];
    LevelCost& lc = c.levels[static_cast<size_t>(i)];
    lc.read_energy_pj = lc.fill_energy_pj = lc.update_energy_pj = 0;
    int64_t read_words = 0, write_words = 0;
    int64_t clusters = std::max<int64_t>(1, hl.instances / hl.cluster_size);
    for (DataSpaceCost& dc : lc.data_spaces) {
      dc.energy_pj = 0;
      int64_t total = dc.reads + dc.fills + dc.updates;
      if (!dc.kept || total == 0) continue;
      // Timeloop: ceil(accesses / block) vector accesses per instance, paid once per used cluster.
      int64_t vectors = (total + hl.block_size - 1) / hl.block_size;
      double per_word = static_cast<double>(vectors) * static_cast<double>(std::min(dc.instances, clusters)) /
                        static_cast<double>(total);
      double r = static_cast<double>(dc.reads) * hl.read_energy_pj * per_word;
      double f = static_cast<double>(dc.fills) * hl.fill_energy_pj * per_word;
      double u = static_cast<double>(dc.updates) * hl.update_energy_pj * per_word;
      dc.energy_pj = r + f + u;
      lc.read_energy_pj += r;
      lc.fill_energy_pj += f;
      lc.update_energy_pj += u;
      read_words += dc.reads;
      write_words += dc.fills + dc.updates;
    }
    lc.network_words = net_words_[static_cast<size_t>(i)];
    lc.network_hops = net_hops_[static_cast<size_t>(i)];
    lc.network_energy_pj = net_bit_hops_[static_cast<size_t>(i)] * hl.noc_hop_energy_pj_per_bit;
    c.network_energy_pj += lc.network_energy_pj;
    lc.energy_pj = lc.read_energy_pj + lc.fill_energy_pj + lc.update_energy_pj + lc.network_energy_pj;
    c.energy_pj += lc.energy_pj;
    // Bandwidth: demand per instance over the compute cycles against the level's words per cycle.
    double cycles = static_cast<double>(c.compute_cycles);
    lc.slowdown = 1;
    if (hl.read_bandwidth > 0 && read_words > 0)
      lc.slowdown = std::min(lc.slowdown, hl.read_bandwidth * cycles / static_cast<double>(read_words));
    if (hl.write_bandwidth > 0 && write_words > 0)
      lc.slowdown = std::min(lc.slowdown, hl.write_bandwidth * cycles / static_cast<double>(write_words));
    lc.cycles = static_cast<int64_t>(std::ceil(cycles / lc.slowdown));
    c.cycles = std::max(c.cycles, lc.cycles);
  }
  c.padded_macs = iterations_ * c.mac_instances;
  c.mac_energy_pj = static_cast<double>(c.padded_macs) * arch_->compute.energy_per_mac_pj;
  c.energy_pj += c.mac_energy_pj;
  c.macs = problem_->macs();
  c.utilization = static_cast<double>(c.macs) / (static_cast<double>(c.cycles) *
                                                 static_cast<double>(arch_->compute.instances) * static_cast<double>(ops));
  c.area_um2 = arch_->area_um2();
}

bool Evaluator::evaluate(const Mapping& m, Cost& c) {
  if (!fits(m, c.status)) {
    if (c.status.fail == Fail::capacity) {  // keep the tiles of the failing level for describe()
      int i = c.status.level;
      for (int s = 0; s < spaces_; ++s) {
        DataSpaceCost& dc = c.levels[static_cast<size_t>(i)].data_spaces[static_cast<size_t>(s)];
        dc = DataSpaceCost{};
        dc.kept = m.levels[static_cast<size_t>(i)].keeps(s);
        dc.tile_words = tile_words_[static_cast<size_t>(i * spaces_ + s)];
      }
    }
    return false;
  }
  complete(m, c);
  return true;
}

void Evaluator::complete(const Mapping& m, Cost& c) {
  c.status = EvalStatus{};
  count_accesses(m, c);
  price(c);
}

Cost evaluate(const workload::Problem& p, const hw::Architecture& a, const Mapping& m) {
  check(m, p, a, "mapping");
  Evaluator ev(p, a);
  Cost c;
  ev.prepare(c);
  ev.evaluate(m, c);
  return c;
}

}  // namespace coda::map
