// report::svg: self-contained SVG charts written as text: scatter/line charts on linear or log axes,
// horizontal (stacked) bar charts and rooflines, with ticks, grid, titles, legends and tooltips
// (<title> children, no script). Every chart is one <svg> element with its own viewBox, ready to be
// inlined in an HTML page or saved as a .svg file.
//
//   svg::XYChart c;
//   c.id = "lat-carbon";  c.title = "Carbon vs latency";
//   c.x = svg::axis("Latency", "s", /*log=*/true);
//   c.y = svg::axis("Carbon", "gCO2e");
//   svg::Series ok;  ok.color = "#9ca3af";  ok.points = {{1e-6, 300, "point a"}, {1e-4, 280, "point b"}};
//   c.series.push_back(ok);
//   std::string text = svg::xy_chart(c);        // "<svg xmlns=... viewBox=\"0 0 560 360\" ...>...</svg>"
//
// Geometry: the plot area is [frame.left, frame.width - frame.right] x [frame.top, frame.height -
// frame.bottom]; an axis maps its domain's minimum to the plot's left (x) or bottom (y) edge.
// Coordinates are written with at most two decimals.
#pragma once
#include <cmath>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace coda::report::svg {

// Text for XML content and attribute values: & < > " ' become entities.
std::string escape(std::string_view text);
// A coordinate or length: rounded to two decimals, trailing zeros dropped ("12.5", "-3", "0.07").
std::string num(double v);
// A short label with an SI prefix and `significant` digits: 1.5e-6 -> "1.5µ", 2000 -> "2k",
// 0.25 -> "0.25" (values in [0.01, 1000) get no prefix), 0 -> "0".
std::string si(double v, int significant = 3);
// si() with a prefix whatever the value (0.01 -> "10m", 1 -> "1"): for log-axis labels.
std::string si_prefixed(double v, int significant = 3);

using Formatter = std::function<std::string(double)>;

// Maps a data interval [lo, hi] onto pixels: lo lands on px_lo and hi on px_hi, linearly or linearly
// in log10 (log needs 0 < lo < hi).
struct Scale {
  double lo = 0, hi = 1;
  double px_lo = 0, px_hi = 1;
  bool log = false;
  double operator()(double v) const;
};

struct Tick {
  double value = 0;
  bool major = true;    // minor ticks get a short mark and no label
  std::string label;
};

// About `target` ticks at multiples of a nice step (1, 2 or 5 x 10^k) inside [lo, hi]; labels by `f`,
// else with as many digits as the step needs.
std::vector<Tick> linear_ticks(double lo, double hi, int target = 6, const Formatter& f = {});
// Major (labelled) ticks at the powers of ten inside [lo, hi], minor ones at 2..9 x 10^k; when fewer
// than three powers of ten fall inside, 2 x and 5 x 10^k are labelled majors too. Labels by `f`, else si_prefixed().
std::vector<Tick> log_ticks(double lo, double hi, const Formatter& f = {});
// The domain an axis shows for data in [lo, hi]: linear - padded by 4% and widened to the enclosing
// multiples of the tick step (a single value v gets v +- 10%, or +-1 for 0); log - padded by 6% of the
// span in decades (at least a fifth of a decade each side). Needs finite values (and lo > 0 for log).
std::pair<double, double> nice_domain(double lo, double hi, bool log);
// True when the positive values span more than `decades` powers of ten (all must be > 0).
bool spans_decades(const std::vector<double>& values, double decades);

struct Axis {
  std::string label;   // "Latency"
  std::string unit;    // "s": the title reads "Latency (s)"
  bool log = false;
  double min = NAN, max = NAN;  // the domain; NaN: nice_domain of the data
  Formatter format;             // tick labels (default: linear_ticks' / si())
  std::vector<Tick> ticks;      // explicit ticks (e.g. categories at 0, 1, 2, ...); empty: automatic
  std::string title() const;
};
// An axis with a label and unit, its domain from the data.
Axis axis(std::string label, std::string unit, bool log = false);

// The chart's size and the margins around its plot area, in px. The title, subtitle and legend sit
// in the top margin: a chart raises `top` to what they need (plot_frame).
struct Frame {
  double width = 560, height = 360;
  double left = 64, right = 20, top = 56, bottom = 50;
  double plot_left() const { return left; }
  double plot_right() const { return width - right; }
  double plot_top() const { return top; }
  double plot_bottom() const { return height - bottom; }
};

enum class Shape { circle, ring, cross, diamond, star, square };

struct Point {
  double x = 0, y = 0;
  std::string tip;     // tooltip (the marker's <title>)
};

// Markers of one kind; series are drawn in order, so later ones lie on top.
struct Series {
  std::string name;    // legend text ("" = not in the legend)
  std::string color = "#6b7280";
  Shape shape = Shape::circle;
  double size = 3.5;   // radius in px
  double opacity = 1;
  std::vector<Point> points;
  std::string css_class;  // class of each marker (e.g. "front"), for styling and tests
};

// A polyline in data coordinates, clipped to the plot area.
struct Line {
  std::string name;    // legend text ("" = not in the legend)
  std::string color = "#374151";
  double width = 1.5;
  std::string dash;    // stroke-dasharray, e.g. "4 3"
  std::vector<std::pair<double, double>> points;
};

// Text at a data position (offset by dx, dy px).
struct Note {
  double x = 0, y = 0;
  std::string text;
  std::string color = "#374151";
  std::string anchor = "start";  // start | middle | end
  double dx = 0, dy = 0;
};

struct XYChart {
  std::string id = "chart";   // unique within a page (clip-path ids derive from it)
  std::string title, subtitle;
  Frame frame;
  Axis x, y;
  std::vector<Line> lines;
  std::vector<Series> series;
  std::vector<Note> notes;
};

// The frame an XYChart is drawn in (top raised for its title, subtitle and legend) and the scales its
// axes resolve to (domains from the data when not given).
Frame plot_frame(const XYChart& c);
std::pair<Scale, Scale> xy_scales(const XYChart& c);
std::string xy_chart(const XYChart& c);

// Horizontal bars, one row per label; a row's values stack left to right in `segments` order.
struct BarRow {
  std::string label;
  std::vector<double> values;   // one per segment (negative values count as 0)
  std::string tip;              // extra tooltip text
  bool highlight = false;       // the label in bold
};

struct BarChart {
  std::string id = "bars";
  std::string title, subtitle;
  double width = 560;
  double label_width = 170;     // the left column of row labels (longer labels are cut with "…")
  double row_height = 18;       // height follows: top + rows x row_height + bottom
  double top = 0;               // the plot's top; 0: what the title, subtitle and legend need
  double bottom = 46, right = 64;
  Axis x;                       // the value axis, linear from 0 (min/max may be given)
  std::vector<std::string> segments;   // one name per value ("" and a single segment: no legend)
  std::vector<std::string> colors;     // one per segment (cycled)
  std::vector<BarRow> rows;
  Formatter value_format;       // the total printed after each bar (default si())
};

// The plot's geometry: x scale and the y of row i's top edge.
Scale bar_scale(const BarChart& c);
double bar_row_top(const BarChart& c, size_t row);
double bar_chart_height(const BarChart& c);
std::string bar_chart(const BarChart& c);

// A roofline on log-log axes: the compute roof at `peak`, the memory roof bandwidth x intensity up
// to the ridge (none when bandwidth is 0 = unlimited), and one marker per point.
struct RooflinePoint {
  std::string name;
  double intensity = 0, performance = 0;
  std::string tip;
};

struct RooflineChart {
  std::string id = "roofline";
  std::string title, subtitle;
  Frame frame;
  double peak = 0;              // performance units
  double bandwidth = 0;         // performance units per intensity unit; 0 = unlimited
  std::string peak_label, bandwidth_label;   // text beside the roofs
  std::string performance_unit = "ops/s", intensity_unit = "ops/byte";
  std::string color = "#2563eb";
  std::vector<RooflinePoint> points;
};

XYChart roofline_xy(const RooflineChart& c);   // the XYChart it draws
std::string roofline_chart(const RooflineChart& c);

}  // namespace coda::report::svg
