// report::svg: the charts (xy scatter/lines, horizontal stacked bars, roofline).
#include <algorithm>
#include <cmath>

#include "coda/report/svg.h"

namespace coda::report::svg {

namespace {

constexpr const char* kFont = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif";
constexpr const char* kInk = "#1f2937";
constexpr const char* kMuted = "#6b7280";
constexpr const char* kAxis = "#9ca3af";
constexpr const char* kGrid = "#e9ecf1";
constexpr const char* kGridMinor = "#f4f5f7";
constexpr double kCharWidth = 7.0;   // average advance of an 11 px sans-serif character (DejaVu Sans is wide)

double text_width(const std::string& s, double per_char = kCharWidth) {
  size_t chars = 0;
  for (unsigned char c : s) chars += (c & 0xC0) != 0x80;  // UTF-8 code points
  return static_cast<double>(chars) * per_char;
}

// At most `max_chars` code points; longer text keeps its tail after a leading "…".
std::string cut_front(const std::string& s, size_t max_chars) {
  size_t chars = 0;
  for (unsigned char c : s) chars += (c & 0xC0) != 0x80;
  if (chars <= max_chars || max_chars < 2) return s;
  size_t drop = chars - (max_chars - 1), i = 0;
  while (drop > 0 && i < s.size()) {
    ++i;
    while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) ++i;
    --drop;
  }
  return "…" + s.substr(i);
}

std::string open_svg(const std::string& id, double w, double h, const std::string& title, const std::string& cls) {
  std::string s = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"" + cls + "\" id=\"" + escape(id) +
                  "\" viewBox=\"0 0 " + num(w) + " " + num(h) + "\" width=\"" + num(w) + "\" height=\"" + num(h) +
                  "\" font-family=\"" + escape(kFont) + "\" font-size=\"11\" role=\"img\">";
  s += "<title>" + escape(title) + "</title>";
  s += "<rect x=\"0\" y=\"0\" width=\"" + num(w) + "\" height=\"" + num(h) + "\" fill=\"#ffffff\"/>";
  return s;
}

std::string text(double x, double y, const std::string& t, const std::string& attrs = "") {
  return "<text x=\"" + num(x) + "\" y=\"" + num(y) + "\"" + (attrs.empty() ? "" : " " + attrs) + ">" + escape(t) +
         "</text>";
}

std::string line(double x1, double y1, double x2, double y2, const std::string& stroke, double width = 1,
                 const std::string& extra = "") {
  return "<line x1=\"" + num(x1) + "\" y1=\"" + num(y1) + "\" x2=\"" + num(x2) + "\" y2=\"" + num(y2) +
         "\" stroke=\"" + stroke + "\" stroke-width=\"" + num(width) + "\"" + (extra.empty() ? "" : " " + extra) + "/>";
}

std::string titles(const std::string& title, const std::string& subtitle) {
  std::string s;
  if (!title.empty()) s += text(12, 20, title, "font-size=\"13.5\" font-weight=\"600\" fill=\"" + std::string(kInk) + "\"");
  if (!subtitle.empty()) s += text(12, 37, subtitle, "fill=\"" + std::string(kMuted) + "\"");
  return s;
}

std::string marker(Shape shape, double x, double y, double r, const std::string& color, double opacity,
                   const std::string& cls, const std::string& tip) {
  const std::string c = cls.empty() ? "" : " class=\"" + escape(cls) + "\"";
  const std::string op = opacity < 1 ? " opacity=\"" + num(opacity) + "\"" : "";
  const std::string t = tip.empty() ? "" : "<title>" + escape(tip) + "</title>";
  auto close = [&](const std::string& head, const std::string& tag) { return t.empty() ? head + "/>" : head + ">" + t + "</" + tag + ">"; };
  switch (shape) {
    case Shape::circle:
      return close("<circle" + c + " cx=\"" + num(x) + "\" cy=\"" + num(y) + "\" r=\"" + num(r) + "\" fill=\"" + color +
                       "\" stroke=\"#ffffff\" stroke-width=\"0.7\"" + op,
                   "circle");
    case Shape::ring:
      return close("<circle" + c + " cx=\"" + num(x) + "\" cy=\"" + num(y) + "\" r=\"" + num(r) + "\" fill=\"none\" stroke=\"" +
                       color + "\" stroke-width=\"1.6\"" + op,
                   "circle");
    case Shape::square:
      return close("<rect" + c + " x=\"" + num(x - r) + "\" y=\"" + num(y - r) + "\" width=\"" + num(2 * r) + "\" height=\"" +
                       num(2 * r) + "\" fill=\"" + color + "\"" + op,
                   "rect");
    case Shape::cross: {
      const double s = r * 0.85;
      return close("<path" + c + " d=\"M" + num(x - s) + " " + num(y - s) + "L" + num(x + s) + " " + num(y + s) + "M" +
                       num(x - s) + " " + num(y + s) + "L" + num(x + s) + " " + num(y - s) + "\" stroke=\"" + color +
                       "\" stroke-width=\"1.4\" fill=\"none\"" + op,
                   "path");
    }
    case Shape::diamond: {
      const double s = r * 1.25;
      return close("<path" + c + " d=\"M" + num(x) + " " + num(y - s) + "L" + num(x + s) + " " + num(y) + "L" + num(x) + " " +
                       num(y + s) + "L" + num(x - s) + " " + num(y) + "Z\" fill=\"" + color +
                       "\" stroke=\"#ffffff\" stroke-width=\"0.7\"" + op,
                   "path");
    }
    case Shape::star: {
      std::string d;
      const double outer = r * 1.7, inner = outer * 0.45;
      for (int i = 0; i < 10; ++i) {
        const double a = -M_PI / 2 + i * M_PI / 5, rr = i % 2 ? inner : outer;
        d += (i ? "L" : "M") + num(x + rr * std::cos(a)) + " " + num(y + rr * std::sin(a));
      }
      return close("<path" + c + " d=\"" + d + "Z\" fill=\"" + color + "\" stroke=\"#ffffff\" stroke-width=\"0.9\"" + op, "path");
    }
  }
  return "";
}

struct LegendItem {
  std::string name, color;
  bool is_line = false;
  Shape shape = Shape::circle;
  std::string dash;
  double opacity = 1;
};

// One row of legend items from x, at baseline y.
std::string legend(const std::vector<LegendItem>& items, double x, double y) {
  std::string s = "<g class=\"legend\">";
  for (const LegendItem& it : items) {
    if (it.is_line)
      s += line(x, y - 4, x + 16, y - 4, it.color, 2, it.dash.empty() ? "" : "stroke-dasharray=\"" + it.dash + "\"");
    else
      s += marker(it.shape, x + 8, y - 4, 4, it.color, it.opacity, "", "");
    s += text(x + 21, y, it.name, "fill=\"" + std::string(kInk) + "\"");
    x += 21 + text_width(it.name) + 14;
  }
  return s + "</g>";
}

// Which labels of ticks at pixel positions `pos` to draw so that none overlap (`gap` px between them).
std::vector<bool> fit_labels(const std::vector<double>& pos, const std::vector<double>& extent, double gap) {
  std::vector<bool> keep(pos.size(), false);
  double last = -1e300, last_half = 0;
  for (size_t i = 0; i < pos.size(); ++i) {
    if (extent[i] <= 0) continue;  // an unlabelled (minor) tick
    if (std::fabs(pos[i] - last) >= last_half + extent[i] / 2 + gap) {
      keep[i] = true;
      last = pos[i];
      last_half = extent[i] / 2;
    }
  }
  return keep;
}

std::vector<Tick> axis_ticks(const Axis& a, const Scale& s, int target) {
  if (!a.ticks.empty()) return a.ticks;
  return a.log ? log_ticks(s.lo, s.hi, a.format) : linear_ticks(s.lo, s.hi, target, a.format);
}

std::pair<double, double> domain(const Axis& a, const std::vector<double>& values) {
  double lo = INFINITY, hi = -INFINITY;
  for (double v : values) {
    if (!std::isfinite(v) || (a.log && v <= 0)) continue;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  if (lo > hi) {
    lo = a.log ? 1 : 0;
    hi = a.log ? 10 : 1;
  }
  auto [nlo, nhi] = nice_domain(lo, hi, a.log);
  if (std::isfinite(a.min)) nlo = a.min;
  if (std::isfinite(a.max)) nhi = a.max;
  if (!(nhi > nlo)) nhi = nlo + (a.log ? nlo * 9 : 1);
  return {nlo, nhi};
}

// Grid lines, tick marks and labels, axis lines and titles of a plot area.
std::string axes(const Axis& ax, const Scale& xs, const Axis& ay, const Scale& ys, double left, double right, double top,
                 double bottom, double height, int xtarget = 6) {
  std::string grid = "<g class=\"grid\">", marks = "<g class=\"ticks\" fill=\"" + std::string(kMuted) + "\">";
  // x
  std::vector<Tick> xt = axis_ticks(ax, xs, xtarget);
  std::vector<double> pos, ext;
  for (const Tick& t : xt) {
    pos.push_back(xs(t.value));
    ext.push_back(t.major && !t.label.empty() ? text_width(t.label) : 0);
  }
  std::vector<bool> keep = fit_labels(pos, ext, 8);
  for (size_t i = 0; i < xt.size(); ++i) {
    const double x = pos[i];
    grid += line(x, top, x, bottom, xt[i].major ? kGrid : kGridMinor);
    marks += line(x, bottom, x, bottom + (xt[i].major ? 5 : 3), kAxis);
    if (xt[i].major && keep[i]) marks += text(x, bottom + 17, xt[i].label, "text-anchor=\"middle\"");
  }
  // y
  std::vector<Tick> yt = axis_ticks(ay, ys, 5);
  pos.clear();
  ext.clear();
  for (const Tick& t : yt) {
    pos.push_back(-ys(t.value));  // increasing order for fit_labels
    ext.push_back(t.major && !t.label.empty() ? 12 : 0);
  }
  keep = fit_labels(pos, ext, 3);
  double widest = 0;
  for (size_t i = 0; i < yt.size(); ++i)
    if (keep[i]) widest = std::max(widest, text_width(yt[i].label));
  for (size_t i = 0; i < yt.size(); ++i) {
    const double y = -pos[i];
    grid += line(left, y, right, y, yt[i].major ? kGrid : kGridMinor);
    marks += line(left - (yt[i].major ? 5 : 3), y, left, y, kAxis);
    if (yt[i].major && keep[i]) marks += text(left - 8, y, yt[i].label, "text-anchor=\"end\" dy=\"0.33em\"");
  }
  grid += "</g>";
  marks += "</g>";
  std::string s = grid + marks;
  s += line(left, bottom, right, bottom, kAxis) + line(left, top, left, bottom, kAxis);
  s += text((left + right) / 2, height - 10, ax.title(),
            "text-anchor=\"middle\" fill=\"" + std::string(kInk) + "\" class=\"axis-title\"");
  const double cy = (top + bottom) / 2, tx = std::max(12.0, left - 8 - widest - 12);
  s += "<text x=\"" + num(tx) + "\" y=\"" + num(cy) + "\" transform=\"rotate(-90 " + num(tx) + " " + num(cy) +
       ")\" text-anchor=\"middle\" dy=\"0.33em\" fill=\"" + kInk + "\" class=\"axis-title\">" + escape(ay.title()) + "</text>";
  return s;
}

// What the title, subtitle and legend above the plot need.
double header_height(const std::string& title, const std::string& subtitle, bool legend) {
  return legend ? (subtitle.empty() ? 50 : 66) : !subtitle.empty() ? 48 : !title.empty() ? 32 : 10;
}

bool has_legend(const XYChart& c) {
  for (const Line& l : c.lines)
    if (!l.name.empty()) return true;
  for (const Series& s : c.series)
    if (!s.name.empty()) return true;
  return false;
}

bool has_legend(const BarChart& c) { return c.segments.size() > 1 || (c.segments.size() == 1 && !c.segments[0].empty()); }

}  // namespace

Frame plot_frame(const XYChart& c) {
  Frame f = c.frame;
  f.top = std::max(f.top, header_height(c.title, c.subtitle, has_legend(c)));
  return f;
}

std::pair<Scale, Scale> xy_scales(const XYChart& c) {
  std::vector<double> xs, ys;
  for (const Series& s : c.series)
    for (const Point& p : s.points) {
      xs.push_back(p.x);
      ys.push_back(p.y);
    }
  auto [x0, x1] = domain(c.x, xs);
  auto [y0, y1] = domain(c.y, ys);
  const Frame f = plot_frame(c);
  return {Scale{x0, x1, f.plot_left(), f.plot_right(), c.x.log}, Scale{y0, y1, f.plot_bottom(), f.plot_top(), c.y.log}};
}

std::string xy_chart(const XYChart& c) {
  const Frame f = plot_frame(c);
  auto [xs, ys] = xy_scales(c);
  const double l = f.plot_left(), r = f.plot_right(), t = f.plot_top(), b = f.plot_bottom();
  std::string s = open_svg(c.id, f.width, f.height, c.title, "chart xy");
  const std::string clip = c.id + "-clip", clip_pts = c.id + "-clip-points";
  s += "<defs><clipPath id=\"" + escape(clip) + "\"><rect x=\"" + num(l) + "\" y=\"" + num(t) + "\" width=\"" + num(r - l) +
       "\" height=\"" + num(b - t) + "\"/></clipPath><clipPath id=\"" + escape(clip_pts) + "\"><rect x=\"" + num(l - 8) +
       "\" y=\"" + num(t - 8) + "\" width=\"" + num(r - l + 16) + "\" height=\"" + num(b - t + 16) + "\"/></clipPath></defs>";
  s += titles(c.title, c.subtitle);
  s += axes(c.x, xs, c.y, ys, l, r, t, b, f.height, std::max(3, static_cast<int>((r - l) / 60)));
  auto ok = [](const Scale& sc, double v) { return std::isfinite(v) && (!sc.log || v > 0); };
  for (const Line& ln : c.lines) {
    std::string pts;
    for (const auto& [x, y] : ln.points)
      if (ok(xs, x) && ok(ys, y)) pts += (pts.empty() ? "" : " ") + num(xs(x)) + "," + num(ys(y));
    if (pts.empty()) continue;
    s += "<polyline points=\"" + pts + "\" fill=\"none\" stroke=\"" + ln.color + "\" stroke-width=\"" + num(ln.width) +
         "\" stroke-linejoin=\"round\"" + (ln.dash.empty() ? "" : " stroke-dasharray=\"" + ln.dash + "\"") +
         " clip-path=\"url(#" + escape(clip) + ")\"/>";
  }
  for (const Series& se : c.series) {
    s += "<g clip-path=\"url(#" + escape(clip_pts) + ")\">";
    for (const Point& p : se.points)
      if (ok(xs, p.x) && ok(ys, p.y)) s += marker(se.shape, xs(p.x), ys(p.y), se.size, se.color, se.opacity, se.css_class, p.tip);
    s += "</g>";
  }
  for (const Note& n : c.notes)
    if (ok(xs, n.x) && ok(ys, n.y))
      s += text(xs(n.x) + n.dx, ys(n.y) + n.dy, n.text, "text-anchor=\"" + n.anchor + "\" fill=\"" + n.color + "\"");
  std::vector<LegendItem> items;
  for (const Line& ln : c.lines)
    if (!ln.name.empty()) items.push_back({ln.name, ln.color, true, Shape::circle, ln.dash});
  for (const Series& se : c.series)
    if (!se.name.empty()) items.push_back({se.name, se.color, false, se.shape, "", std::max(0.6, se.opacity)});
  if (!items.empty()) s += legend(items, 12, c.subtitle.empty() ? 38 : 54);
  return s + "</svg>";
}

double bar_plot_top(const BarChart& c) { return c.top > 0 ? c.top : header_height(c.title, c.subtitle, has_legend(c)); }

double bar_chart_height(const BarChart& c) { return bar_plot_top(c) + static_cast<double>(c.rows.size()) * c.row_height + c.bottom; }

double bar_row_top(const BarChart& c, size_t row) { return bar_plot_top(c) + static_cast<double>(row) * c.row_height; }

Scale bar_scale(const BarChart& c) {
  double hi = 0;
  for (const BarRow& r : c.rows) {
    double sum = 0;
    for (double v : r.values) sum += std::max(0.0, v);
    hi = std::max(hi, sum);
  }
  double lo = std::isfinite(c.x.min) ? c.x.min : 0;
  if (std::isfinite(c.x.max)) hi = c.x.max;
  else hi = hi > 0 ? nice_domain(0, hi, false).second : 1;
  return Scale{lo, hi, c.label_width, c.width - c.right, false};
}

std::string bar_chart(const BarChart& c) {
  const double h = bar_chart_height(c);
  const Scale xs = bar_scale(c);
  const double l = c.label_width, r = c.width - c.right, t = bar_plot_top(c), b = h - c.bottom;
  std::string s = open_svg(c.id, c.width, h, c.title, "chart bars");
  s += titles(c.title, c.subtitle);
  // Value axis only (the rows are the categories).
  std::string grid = "<g class=\"grid\">", marks = "<g class=\"ticks\" fill=\"" + std::string(kMuted) + "\">";
  std::vector<Tick> ticks = linear_ticks(xs.lo, xs.hi, std::max(3, static_cast<int>((r - l) / 80)), c.x.format);
  std::vector<double> pos, ext;
  for (const Tick& tk : ticks) {
    pos.push_back(xs(tk.value));
    ext.push_back(text_width(tk.label));
  }
  std::vector<bool> keep = fit_labels(pos, ext, 8);
  for (size_t i = 0; i < ticks.size(); ++i) {
    grid += line(pos[i], t, pos[i], b, kGrid);
    marks += line(pos[i], b, pos[i], b + 5, kAxis);
    if (keep[i]) marks += text(pos[i], b + 17, ticks[i].label, "text-anchor=\"middle\"");
  }
  s += grid + "</g>" + marks + "</g>";
  s += text((l + r) / 2, h - 10, c.x.title(), "text-anchor=\"middle\" fill=\"" + std::string(kInk) + "\" class=\"axis-title\"");
  const size_t max_chars = static_cast<size_t>(std::max(4.0, (c.label_width - 16) / kCharWidth));
  const Formatter vf = c.value_format ? c.value_format : Formatter([](double v) { return si(v); });
  const double thick = c.row_height * 0.72;
  for (size_t i = 0; i < c.rows.size(); ++i) {
    const BarRow& row = c.rows[i];
    const double y = bar_row_top(c, i) + (c.row_height - thick) / 2;
    double total = 0;
    for (double v : row.values) total += std::max(0.0, v);
    std::string tip = row.label + ": " + vf(total) + (c.x.unit.empty() ? "" : " " + c.x.unit);
    if (!row.tip.empty()) tip += "\n" + row.tip;
    s += "<g class=\"bar-row\"><title>" + escape(tip) + "</title>";
    s += text(l - 8, y + thick / 2, cut_front(row.label, max_chars),
              "text-anchor=\"end\" dy=\"0.33em\" fill=\"" + std::string(kInk) + "\"" + (row.highlight ? " font-weight=\"600\"" : ""));
    double acc = 0;
    for (size_t k = 0; k < row.values.size(); ++k) {
      const double v = std::max(0.0, row.values[k]);
      if (v <= 0) continue;
      const double x0 = xs(acc), x1 = xs(acc + v);
      acc += v;
      const std::string color = c.colors.empty() ? "#2563eb" : c.colors[k % c.colors.size()];
      const std::string seg = k < c.segments.size() && !c.segments[k].empty() ? c.segments[k] + ": " : "";
      s += "<rect class=\"bar\" x=\"" + num(x0) + "\" y=\"" + num(y) + "\" width=\"" + num(std::max(0.0, x1 - x0)) +
           "\" height=\"" + num(thick) + "\" fill=\"" + color + "\"><title>" +
           escape(row.label + " — " + seg + vf(v) + (c.x.unit.empty() ? "" : " " + c.x.unit)) + "</title></rect>";
    }
    s += text(xs(acc) + 5, y + thick / 2, vf(total), "dy=\"0.33em\" fill=\"" + std::string(kMuted) + "\"");
    s += "</g>";
  }
  s += line(l, t, l, b, kAxis) + line(l, b, r, b, kAxis);
  std::vector<LegendItem> items;
  if (has_legend(c))
    for (size_t k = 0; k < c.segments.size(); ++k)
      items.push_back({c.segments[k], c.colors.empty() ? "#2563eb" : c.colors[k % c.colors.size()], false, Shape::square, "", 1});
  if (!items.empty()) s += legend(items, 12, c.subtitle.empty() ? 38 : 54);
  return s + "</svg>";
}

XYChart roofline_xy(const RooflineChart& c) {
  XYChart x;
  x.id = c.id;
  x.title = c.title;
  x.subtitle = c.subtitle;
  x.frame = c.frame;
  x.x = axis("Operational intensity", c.intensity_unit, true);
  x.y = axis("Performance", c.performance_unit, true);
  const bool memory = c.bandwidth > 0 && c.peak > 0;
  const double ridge = memory ? c.peak / c.bandwidth : NAN;
  double ilo = INFINITY, ihi = -INFINITY, plo = INFINITY;
  for (const RooflinePoint& p : c.points) {
    if (!(p.intensity > 0) || !(p.performance > 0) || !std::isfinite(p.intensity) || !std::isfinite(p.performance)) continue;
    ilo = std::min(ilo, p.intensity);
    ihi = std::max(ihi, p.intensity);
    plo = std::min(plo, p.performance);
  }
  if (memory) {
    ilo = std::min(ilo, ridge);
    ihi = std::max(ihi, ridge);
  }
  if (!(ihi >= ilo)) ilo = ihi = memory ? ridge : 1;
  const double peak = c.peak > 0 ? c.peak : 1;
  if (!(plo <= peak)) plo = peak / 100;
  // At least two decades on each axis, widened around the data.
  auto [x0, x1] = nice_domain(ilo, ihi, true);
  if (std::log10(x1 / x0) < 2) {
    const double mid = std::sqrt(x0 * x1);
    x0 = mid / 10;
    x1 = mid * 10;
  }
  double y0 = nice_domain(plo, peak, true).first, y1 = peak * std::pow(10.0, 0.35);
  if (std::log10(y1 / y0) < 2) y0 = y1 / 100;
  x.x.min = x0;
  x.x.max = x1;
  x.y.min = y0;
  x.y.max = y1;
  if (memory) {
    x.lines.push_back({.name = "", .color = "#9ca3af", .width = 1, .dash = "2 3", .points = {{ridge, y0}, {ridge, peak}}});
    x.lines.push_back({.name = "memory roof", .color = "#0d9488", .width = 2.2, .dash = "", .points = {{x0, c.bandwidth * x0}, {ridge, peak}}});
  }
  x.lines.push_back({.name = "compute roof", .color = "#111827", .width = 2.2, .dash = "", .points = {{memory ? ridge : x0, peak}, {x1, peak}}});
  Series pts{.name = "layers", .color = c.color, .shape = Shape::circle, .size = 4.2, .opacity = 0.85, .points = {}, .css_class = "roofline-point"};
  for (const RooflinePoint& p : c.points)
    pts.points.push_back({p.intensity, p.performance, p.tip.empty() ? p.name : p.tip});
  x.series.push_back(std::move(pts));
  if (!c.peak_label.empty()) x.notes.push_back({x1, peak, c.peak_label, "#111827", "end", -6, -7});
  if (memory && !c.bandwidth_label.empty()) {
    const double xm = std::sqrt(std::max(x0, y0 / c.bandwidth) * ridge);  // midway along the visible memory roof
    x.notes.push_back({xm, c.bandwidth * xm, c.bandwidth_label, "#0d9488", "start", 8, 4});
  }
  return x;
}

std::string roofline_chart(const RooflineChart& c) { return xy_chart(roofline_xy(c)); }

}  // namespace coda::report::svg
