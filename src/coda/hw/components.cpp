// The component models: evaluating the fits and interpolations that data/components/*.yaml describes.
#include "coda/hw/components.h"

#include <algorithm>
#include <cmath>

#include "coda/core/error.h"

namespace coda::hw {

double PowerLawFit::eval(double width_bits, double depth, double banks) const {
  return k * std::pow(width_bits, a) * std::pow(depth, b) * std::pow(banks, c);
}

namespace {

std::vector<const ArithPoint*> points(const ComponentLibrary& lib, const char* op) {
  std::vector<const ArithPoint*> v;
  for (const ArithPoint& p : lib.arith)
    if (p.op == op) v.push_back(&p);
  std::sort(v.begin(), v.end(), [](const ArithPoint* x, const ArithPoint* y) { return x->bits < y->bits; });
  if (v.size() < 2) throw InvalidError(lib.data_dir + "/components/arith.yaml", format("op %s needs two points", op));
  return v;
}

// Piecewise linear in x through (x_i, y_i), extended by the end segments; never below `floor`.
double piecewise_linear(const std::vector<double>& xs, const std::vector<double>& ys, double x) {
  size_t hi = 1;
  while (hi + 1 < xs.size() && xs[hi] < x) ++hi;
  double t = (x - xs[hi - 1]) / (xs[hi] - xs[hi - 1]);
  double y = ys[hi - 1] + t * (ys[hi] - ys[hi - 1]);
  return std::max(y, 0.05 * ys[0]);
}

// k * x^p through the first and last points.
double power_law(double x0, double y0, double x1, double y1, double x) {
  double p = std::log(y1 / y0) / std::log(x1 / x0);
  return y0 * std::pow(x / x0, p);
}

ArithCost scaled(const ComponentLibrary& lib, ArithCost c, double technology_nm) {
  c.energy_pj *= energy_scale(lib.technology, lib.arith_technology_nm, technology_nm);
  c.area_um2 *= area_scale(lib.technology, lib.arith_technology_nm, technology_nm);
  return c;
}

ArithCost linear_op(const ComponentLibrary& lib, const char* op, double bits, double technology_nm) {
  auto v = points(lib, op);
  std::vector<double> xs, es, as;
  for (const ArithPoint* p : v) {
    xs.push_back(p->bits);
    es.push_back(p->energy_pj);
    as.push_back(p->area_um2);
  }
  return scaled(lib, {piecewise_linear(xs, es, bits), piecewise_linear(xs, as, bits)}, technology_nm);
}

void positive_bits(int bits, const char* what) {
  if (bits <= 0) throw InvalidError("components", format("%s: bits must be positive, got %d", what, bits));
}

}  // namespace

StorageCost storage_cost(const ComponentLibrary& lib, const std::string& kind, int width_bits, int64_t depth,
                         int banks, double technology_nm) {
  const StorageModel* m = kind == "SRAM" ? &lib.sram : kind == "regfile" ? &lib.regfile : nullptr;
  if (!m) throw InvalidError("components", "storage kind '" + kind + "': expected SRAM or regfile");
  if (width_bits <= 0 || depth <= 0 || banks <= 0)
    throw InvalidError("components", format("%s: width_bits %d, depth %lld and banks %d must be positive",
                                            kind.c_str(), width_bits, (long long)depth, banks));
  double w = width_bits, d = static_cast<double>(depth), b = banks;
  double e = m->read_energy_pj.eval(w, d, b) * energy_scale(lib.technology, lib.storage_technology_nm, technology_nm);
  double a = m->area_um2.eval(w, d, b) * area_scale(lib.technology, lib.storage_technology_nm, technology_nm);
  return {e, e * m->write_to_read, a};
}

double dram_energy_pj_per_bit(const ComponentLibrary& lib, const std::string& type) {
  std::string valid;
  for (const DramType& d : lib.dram) {
    if (d.type == type) return d.energy_pj_per_bit;
    valid += (valid.empty() ? "" : ", ") + d.type;
  }
  throw InvalidError("components", "unknown DRAM type '" + type + "'; valid: " + valid);
}

ArithCost int_adder_cost(const ComponentLibrary& lib, int bits, double technology_nm) {
  positive_bits(bits, "integer adder");
  return linear_op(lib, "int_add", bits, technology_nm);
}

ArithCost fp_adder_cost(const ComponentLibrary& lib, int bits, double technology_nm) {
  positive_bits(bits, "floating-point adder");
  return linear_op(lib, "fp_add", bits, technology_nm);
}

ArithCost int_multiplier_cost(const ComponentLibrary& lib, int bits, double technology_nm) {
  positive_bits(bits, "integer multiplier");
  auto v = points(lib, "int_mult");
  const ArithPoint &lo = *v.front(), &hi = *v.back();
  return scaled(lib,
                {power_law(lo.bits, lo.energy_pj, hi.bits, hi.energy_pj, bits),
                 power_law(lo.bits, lo.area_um2, hi.bits, hi.area_um2, bits)},
                technology_nm);
}

ArithCost fp_multiplier_cost(const ComponentLibrary& lib, int significand_bits, double technology_nm) {
  positive_bits(significand_bits, "floating-point multiplier");
  auto v = points(lib, "fp_mult");
  const ArithPoint &lo = *v.front(), &hi = *v.back();
  // The table is indexed by format width; its significands are those of the IEEE formats of that width.
  auto significand = [&](int bits) {
    for (const MacPrecision& p : lib.precisions)
      if (p.is_float && p.bits == bits && (p.name == "FP16" || p.name == "FP32")) return p.significand_bits;
    throw InvalidError("components", format("no IEEE precision of %d bits in arith.yaml", bits));
  };
  double s0 = significand(lo.bits), s1 = significand(hi.bits);
  return scaled(lib,
                {power_law(s0, lo.energy_pj, s1, hi.energy_pj, significand_bits),
                 power_law(s0, lo.area_um2, s1, hi.area_um2, significand_bits)},
                technology_nm);
}

const MacPrecision& mac_precision(const ComponentLibrary& lib, const std::string& precision) {
  std::string valid;
  for (const MacPrecision& p : lib.precisions) {
    if (p.name == precision) return p;
    valid += (valid.empty() ? "" : ", ") + p.name;
  }
  throw InvalidError("components", "unknown MAC precision '" + precision + "'; valid: " + valid);
}

ArithCost mac_cost(const ComponentLibrary& lib, const std::string& precision, double technology_nm) {
  const MacPrecision& p = mac_precision(lib, precision);
  ArithCost mul = p.is_float ? fp_multiplier_cost(lib, p.significand_bits, technology_nm)
                             : int_multiplier_cost(lib, p.bits, technology_nm);
  ArithCost add = p.is_float ? fp_adder_cost(lib, p.acc_bits, technology_nm)
                             : int_adder_cost(lib, p.acc_bits, technology_nm);
  return {mul.energy_pj + add.energy_pj, mul.area_um2 + add.area_um2};
}

int scalable_ops_per_cycle(const ComponentLibrary& lib, const std::string& mode) {
  std::string valid;
  for (const ScalableMode& m : lib.scalable_modes) {
    if (m.name == mode) return m.ops_per_cycle;
    valid += (valid.empty() ? "" : ", ") + m.name;
  }
  throw InvalidError("components", "unknown precision-scalable mode '" + mode + "'; valid: " + valid);
}

ArithCost scalable_mac_cost(const ComponentLibrary& lib, const std::string& mode, double technology_nm) {
  int ops = scalable_ops_per_cycle(lib, mode);
  ArithCost base = mac_cost(lib, lib.scalable_base, technology_nm);
  return {base.energy_pj * (1 + lib.scalable_energy_overhead) / ops, base.area_um2 * (1 + lib.scalable_area_overhead)};
}

void cost_storage_level(const ComponentLibrary& lib, StorageLevel& l, double technology_nm) {
  if (l.kind != "SRAM" && l.kind != "regfile")
    throw InvalidError("level " + l.name, "kind '" + l.kind + "' has no component model (SRAM or regfile); give its energies");
  if (l.unbounded()) throw InvalidError("level " + l.name, "an unbounded level has no component model; give capacity_words");
  int64_t depth = std::max<int64_t>(1, l.capacity_words / l.block_size);
  StorageCost c = storage_cost(lib, l.kind, l.word_bits * l.block_size, depth, l.banks, technology_nm);
  l.read_energy_pj = c.read_energy_pj;
  l.fill_energy_pj = c.write_energy_pj;
  l.update_energy_pj = c.write_energy_pj;
  l.area_um2 = c.area_um2;
}

void cost_compute(const ComponentLibrary& lib, ComputeLevel& c, double technology_nm) {
  if (c.precision.empty())
    throw InvalidError("compute " + c.name, "no precision: give energy_per_mac_pj or a precision (INT8, FP16, ...)");
  ArithCost m;
  if (c.ops_per_cycle > 1) {
    int ops = scalable_ops_per_cycle(lib, c.precision);
    if (ops != c.ops_per_cycle)
      throw InvalidError("compute " + c.name, format("a precision-scalable unit runs %d %s MACs per cycle, not %d", ops,
                                                      c.precision.c_str(), c.ops_per_cycle));
    m = scalable_mac_cost(lib, c.precision, technology_nm);
  } else {
    m = mac_cost(lib, c.precision, technology_nm);
  }
  c.energy_per_mac_pj = m.energy_pj;
  c.area_um2 = m.area_um2;
}

double noc_hop_energy_pj_per_bit(const ComponentLibrary& lib, double hop_mm) {
  if (!(hop_mm >= 0)) throw InvalidError("components", format("NoC hop length %g mm must not be negative", hop_mm));
  return lib.noc_router_pj_per_bit_hop + lib.noc_wire_pj_per_bit_mm * hop_mm;
}

double tile_pitch_mm(const Architecture& a, int level) {
  CODA_CHECK(level >= 0 && level < a.num_levels(), "level %d out of range", level);
  double child_instances, area_um2;
  if (level == 0) {
    child_instances = static_cast<double>(a.compute.instances);
    area_um2 = a.compute.area_um2;
  } else {
    const StorageLevel& child = a.levels[static_cast<size_t>(level - 1)];
    child_instances = static_cast<double>(child.instances);
    area_um2 = a.compute.area_um2 * static_cast<double>(a.compute.instances) / child_instances;
    for (int k = 0; k < level; ++k) {
      const StorageLevel& l = a.levels[static_cast<size_t>(k)];
      area_um2 += l.area_um2 * static_cast<double>(l.instances) / child_instances;
    }
  }
  return std::sqrt(std::max(0.0, area_um2)) / 1000.0;
}

void apply_noc_model(const ComponentLibrary& lib, Architecture& a) {
  for (int i = 0; i < a.num_levels(); ++i)
    a.levels[static_cast<size_t>(i)].noc_hop_energy_pj_per_bit =
        fanout(a, i) > 1 ? noc_hop_energy_pj_per_bit(lib, tile_pitch_mm(a, i)) : 0.0;
}

}  // namespace coda::hw
