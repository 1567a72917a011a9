// ofmap_write_stalls: SCALE-Sim's write_buffer.service_writes replayed from drain to drain. Between two
// events (a drain starting, the array waiting) nothing but the buffer's occupancy changes, and the
// ofmap writes up to any demand row are a closed form, so the next event row is a binary search.
#include <algorithm>
#include <deque>

#include "coda/core/error.h"
#include "coda/map/systolic_stalls.h"

namespace coda::map {

namespace {

// Cumulative ofmap writes over a layer's demand rows. In fold (fr, fc) the ofmap demand block, before
// skew, has `height` rows of `width` writes starting at local row `first`; skew delays column c by c.
class OfmapWrites {
 public:
  OfmapWrites(const SystolicFolds& f, const SystolicArray& a) : f_(f), a_(a) {}

  int64_t rows() const { return f_.demand_rows(); }
  int64_t total() const { return upto(rows() - 1); }

  // Writes in demand rows [0, row].
  int64_t upto(int64_t row) const {
    if (row < 0) return 0;
    int64_t fold = row / f_.cycles_per_fold, local = row % f_.cycles_per_fold;
    int64_t fc = fold / f_.row_folds, fr = fold % f_.row_folds;
    int64_t before = fc * a_.cols * height_total() + width(fc) * height_before(fr);
    int64_t h = height(fr), x = local - first(fr) + 1;
    return before + ramp(x, h) - ramp(x - width(fc), h);
  }

  // The demand row holding the m-th write (1-based), or -1 past the last write.
  int64_t row_of(int64_t m) const {
    if (m > total()) return -1;
    int64_t lo = 0, hi = rows() - 1;
    while (lo < hi) {
      int64_t mid = lo + (hi - lo) / 2;
      if (upto(mid) >= m) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

 private:
  bool os() const { return a_.dataflow == hw::SystolicDataflow::os; }
  int64_t used_rows(int64_t fr) const { return std::min(a_.rows, f_.spatial_rows - fr * a_.rows); }
  int64_t width(int64_t fc) const { return std::min(a_.cols, f_.spatial_cols - fc * a_.cols); }
  // OS: the fold's used rows, flipped to the bottom of the array, after T - 1 cycles of streaming.
  // WS/IS: T rows after 2R - 1 cycles of weight load and first-partial-sum latency.
  int64_t first(int64_t fr) const {
    return os() ? f_.temporal - 1 + (a_.rows - used_rows(fr)) : 2 * a_.rows - 1;
  }
  int64_t height(int64_t fr) const { return os() ? used_rows(fr) : f_.temporal; }
  int64_t height_before(int64_t fr) const { return fr * (os() ? a_.rows : f_.temporal); }
  int64_t height_total() const { return os() ? f_.spatial_rows : f_.row_folds * f_.temporal; }
  // Sum over z <= y of min(max(z, 0), h).
  static int64_t ramp(int64_t y, int64_t h) {
    if (y <= 0) return 0;
    if (y <= h) return y * (y + 1) / 2;
    return h * (h + 1) / 2 + h * (y - h);
  }

  const SystolicFolds& f_;
  const SystolicArray& a_;
};

// write_buffer's state: free space as it counts it, the drain in flight, and its trace of lines (each
// drain first flushes the writes since the last one as full lines plus one partial line).
struct WriteBuffer {
  int64_t size, active, bw, lines_per_drain;
  int64_t free_space, drain_end = 0, pending = 0;
  struct Segment {
    int64_t full_lines, partial;
  };
  std::deque<Segment> trace;

  WriteBuffer(int64_t words, int64_t bandwidth)
      : size(words), active((words + 1) / 2), bw(bandwidth), free_space(words) {
    int64_t drain_size = size - active;
    lines_per_drain = (drain_size + bw - 1) / bw;
    CODA_CHECK(lines_per_drain >= 1, "ofmap buffer of %lld words is too small to drain", (long long)words);
  }

  void store(int64_t n) {
    free_space -= n;
    pending += n;
  }

  // empty_drain_buf: up to lines_per_drain lines from the trace, one per cycle from `start`; the
  // space it frees counts every line as full but the last.
  int64_t drain(int64_t start) {
    if (pending > 0) trace.push_back({pending / bw, pending % bw});
    pending = 0;
    int64_t taken = 0, last_fill = bw;
    while (taken < lines_per_drain && !trace.empty()) {
      Segment& s = trace.front();
      if (s.full_lines > 0) {
        int64_t k = std::min(s.full_lines, lines_per_drain - taken);
        s.full_lines -= k;
        taken += k;
        last_fill = bw;
      } else {
        taken += 1;
        last_fill = s.partial;
        s.partial = 0;
      }
      if (s.full_lines == 0 && s.partial == 0) trace.pop_front();
    }
    CODA_CHECK(taken > 0, "drain with an empty trace");
    free_space += taken * bw - (bw - last_fill);
    return start + taken - 1;
  }
};

}  // namespace

int64_t ofmap_write_stalls(const SystolicFolds& folds, const SystolicArray& array, int64_t drain_words_per_cycle) {
  OfmapWrites writes(folds, array);
  WriteBuffer buf(array.ofmap_sram_words, drain_words_per_cycle);
  const int64_t total = writes.total(), last_row = writes.rows() - 1;
  int64_t stalls = 0, done = 0, row = 0;  // writes stored before `row`
  auto advance_to = [&](int64_t r) {      // store the writes of rows [row, r) with nothing happening
    int64_t upto = writes.upto(r - 1);
    buf.store(upto - done);
    done = upto, row = r;
  };
  while (done < total) {
    int64_t event_row;
    if (row + stalls < buf.drain_end) {
      // Rows before the drain ends: the array waits only if the buffer fills up.
      int64_t first_free_row = buf.drain_end - stalls;
      event_row = writes.row_of(done + std::max<int64_t>(buf.free_space, 1));
      if (event_row < 0 || event_row >= first_free_row) {
        if (first_free_row > last_row) break;
        advance_to(first_free_row);
        continue;
      }
    } else {
      // No drain in flight: the next drain starts once the buffer is more than half full.
      event_row = writes.row_of(done + std::max<int64_t>(buf.free_space - buf.active + 1, 1));
      if (event_row < 0) break;
    }
    advance_to(event_row);
    // The event row, write by write, as service_writes does.
    int64_t n = writes.upto(event_row) - done;
    int64_t start = event_row + stalls, cycle = start;
    for (int64_t i = 0; i < n; ++i) {
      buf.store(1);
      if (cycle < buf.drain_end) {
        if (buf.free_space <= 0) cycle = buf.drain_end;
      } else if (buf.free_space < buf.active) {
        buf.drain_end = buf.drain(cycle);
      }
    }
    done += n;
    row = event_row + 1;
    stalls += cycle - start;
  }
  return stalls;
}

}  // namespace coda::map
