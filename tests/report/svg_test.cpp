// report::svg: escaping, number text, scales and ticks checked by hand, and charts whose markers and
// bars land on hand-computed pixel coordinates.
#include <gtest/gtest.h>

#include <cmath>
#include <regex>
#include <string>
#include <vector>

#include "coda/report/format.h"
#include "coda/report/svg.h"

namespace coda::report::svg {
namespace {

// The values of attribute `name` on every element `tag` of `text`, in order.
std::vector<double> attrs(const std::string& text, const std::string& tag, const std::string& name) {
  std::vector<double> out;
  const std::regex re("<" + tag + "[^>]*\\s" + name + "=\"([-0-9.]+)\"");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator(); ++it)
    out.push_back(std::stod((*it)[1]));
  return out;
}

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t p = text.find(what); p != std::string::npos; p = text.find(what, p + what.size())) ++n;
  return n;
}

TEST(Svg, EscapesTheFiveXmlCharacters) {
  EXPECT_EQ(escape("a<b & \"c\" 'd'>"), "a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;");
  EXPECT_EQ(escape("&amp;"), "&amp;amp;");  // escaping is not idempotent: text is escaped exactly once
  EXPECT_EQ(escape("plain µs"), "plain µs");
  // Titles, labels and tooltips are escaped where they enter the SVG.
  XYChart c;
  c.title = "a<b & \"c\"";
  c.x.label = "x<1";
  Series se;
  se.name = "s&t";
  se.points = {{1, 2, "key=<1>;\"q\""}};
  c.series.push_back(se);
  const std::string s = xy_chart(c);
  EXPECT_NE(s.find("a&lt;b &amp; &quot;c&quot;"), std::string::npos);
  EXPECT_NE(s.find("x&lt;1"), std::string::npos);
  EXPECT_NE(s.find("s&amp;t"), std::string::npos);
  EXPECT_NE(s.find("key=&lt;1&gt;;&quot;q&quot;"), std::string::npos);
  EXPECT_EQ(s.find("a<b"), std::string::npos);
}

TEST(Svg, NumbersAndSiLabels) {
  EXPECT_EQ(num(12.5), "12.5");
  EXPECT_EQ(num(-3.0), "-3");
  EXPECT_EQ(num(0.074), "0.07");
  EXPECT_EQ(num(-0.001), "0");
  EXPECT_EQ(si(1.5e-6), "1.5µ");
  EXPECT_EQ(si(2000), "2k");
  EXPECT_EQ(si(0.25), "0.25");
  EXPECT_EQ(si(0), "0");
  EXPECT_EQ(si(999.9), "1k");
  EXPECT_EQ(si(0.005), "5m");
  EXPECT_EQ(si(-4.2e9), "-4.2G");
  EXPECT_EQ(si(12345, 4), "12.35k");
  EXPECT_EQ(with_unit(1.4848e-6, "s"), "1.485 µs");
  EXPECT_EQ(with_unit(3.2e-7, "J"), "320 nJ");
  EXPECT_EQ(with_unit(12.5, "mm²"), "12.5 mm²");     // no prefix on mm²
  EXPECT_EQ(with_unit(1234.4, "gCO₂e"), "1.234 kgCO₂e");
  EXPECT_EQ(with_unit(999.96, "s"), "1 ks");
  EXPECT_EQ(metric_text("accuracy", 0.8475), "84.75%");
  EXPECT_EQ(metric_text("accuracy", 20.764), "20.764 dB");
  Unit u = pick_unit(3.2e-7, "J");
  EXPECT_EQ(u.name, "nJ");
  EXPECT_DOUBLE_EQ(u.factor, 1e-9);
}

TEST(Svg, ScalesMapTheDomainOntoThePlot) {
  Scale lin{0, 10, 64, 540, false};
  EXPECT_DOUBLE_EQ(lin(0), 64);
  EXPECT_DOUBLE_EQ(lin(10), 540);
  EXPECT_DOUBLE_EQ(lin(5), 302);
  Scale y{0, 100, 310, 56, false};  // y grows upward: the minimum at the bottom
  EXPECT_DOUBLE_EQ(y(0), 310);
  EXPECT_DOUBLE_EQ(y(100), 56);
  EXPECT_DOUBLE_EQ(y(25), 310 - 0.25 * 254);
  Scale lg{1, 1000, 0, 300, true};
  EXPECT_NEAR(lg(10), 100, 1e-9);
  EXPECT_NEAR(lg(100), 200, 1e-9);
  EXPECT_NEAR(lg(std::sqrt(10.0)), 50, 1e-9);
}

TEST(Svg, LinearTicksAreNiceSteps) {
  std::vector<Tick> t = linear_ticks(0, 1, 6);
  ASSERT_EQ(t.size(), 6u);  // 1/6 -> step 0.2
  for (size_t i = 0; i < t.size(); ++i) EXPECT_NEAR(t[i].value, 0.2 * static_cast<double>(i), 1e-12);
  EXPECT_EQ(t[0].label, "0");
  EXPECT_EQ(t[1].label, "0.2");
  EXPECT_EQ(t[5].label, "1");
  t = linear_ticks(100.2, 101.9, 4);  // step 0.5: 100.5, 101, 101.5 need four digits
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[0].label, "100.5");
  EXPECT_EQ(t[1].label, "101");
  t = linear_ticks(1.1e-6, 2.05e-6, 5);  // step 2e-7
  ASSERT_EQ(t.size(), 5u);
  EXPECT_EQ(t[0].label, "1.2µ");
  EXPECT_EQ(t[4].label, "2µ");
  // Domains widen to the tick step, and keep 0 for non-negative data.
  auto [lo, hi] = nice_domain(0.80, 0.85, false);  // padded to 0.798 .. 0.852, step 0.01
  EXPECT_NEAR(lo, 0.79, 1e-12);
  EXPECT_NEAR(hi, 0.86, 1e-12);
  EXPECT_EQ(nice_domain(0, 37, false).first, 0);
}

TEST(Svg, LogTicksSitAtPowersOfTen) {
  std::vector<Tick> t = log_ticks(1e-3, 200);
  std::vector<double> majors;
  std::vector<std::string> labels;
  size_t minors = 0;
  for (const Tick& k : t) {
    if (k.major) {
      majors.push_back(k.value);
      labels.push_back(k.label);
    } else {
      ++minors;
      EXPECT_TRUE(k.label.empty());
    }
  }
  ASSERT_EQ(majors.size(), 6u);
  for (size_t i = 0; i < majors.size(); ++i) EXPECT_NEAR(majors[i], std::pow(10.0, -3 + static_cast<int>(i)), 1e-15 * majors[i] * 10);
  EXPECT_EQ(labels, (std::vector<std::string>{"1m", "10m", "100m", "1", "10", "100"}));
  EXPECT_EQ(minors, 5u * 8u + 1u);  // 2..9 in five decades, and 200
  // Less than three powers of ten inside: 2x and 5x are labelled too.
  t = log_ticks(1.5, 60);
  std::vector<double> m;
  for (const Tick& k : t)
    if (k.major) m.push_back(k.value);
  EXPECT_EQ(m, (std::vector<double>{2, 5, 10, 20, 50}));
  EXPECT_TRUE(spans_decades({1e-6, 3e-4}, 2));
  EXPECT_FALSE(spans_decades({1e-6, 9e-5}, 2));
  EXPECT_FALSE(spans_decades({0, 1e6}, 2));  // zero cannot go on a log axis
}

TEST(Svg, ScatterMarkersLandOnHandComputedPixels) {
  XYChart c;
  c.frame = Frame{.width = 500, .height = 400, .left = 60, .right = 20, .top = 50, .bottom = 50};
  c.x = axis("x", "s");
  c.x.min = 0;
  c.x.max = 10;
  c.y = axis("y", "", true);
  c.y.min = 1;
  c.y.max = 1e4;
  c.series.push_back({.name = "", .color = "#000", .shape = Shape::circle, .size = 3, .opacity = 1,
                      .points = {{0, 1, ""}, {10, 1e4, ""}, {2.5, 100, ""}}, .css_class = "p"});
  const std::string s = xy_chart(c);
  std::vector<double> cx = attrs(s, "circle class=\"p\"", "cx"), cy = attrs(s, "circle class=\"p\"", "cy");
  ASSERT_EQ(cx.size(), 3u);
  EXPECT_DOUBLE_EQ(cx[0], 60);    // the axis minimum: the plot's left edge
  EXPECT_DOUBLE_EQ(cy[0], 350);   // ... and its bottom edge (400 - 50)
  EXPECT_DOUBLE_EQ(cx[1], 480);   // the maximum: right edge (500 - 20), top edge
  EXPECT_DOUBLE_EQ(cy[1], 50);
  EXPECT_DOUBLE_EQ(cx[2], 165);   // 60 + 0.25 x 420
  EXPECT_DOUBLE_EQ(cy[2], 200);   // 100 is half way up four decades: 350 - 0.5 x 300
  EXPECT_EQ(count(s, "<svg"), 1u);
  EXPECT_NE(s.find("x (s)"), std::string::npos);  // axis title with its unit
  EXPECT_NE(s.find(">1k<"), std::string::npos);   // log tick labels at powers of ten
  EXPECT_NE(s.find(">10k<"), std::string::npos);
  // With domains from the data, the smallest x lands where the resolved axis minimum is.
  c.x.min = c.x.max = NAN;
  auto [xs, ys] = xy_scales(c);
  EXPECT_LE(xs.lo, 0);
  EXPECT_GE(xs.hi, 10);
  EXPECT_DOUBLE_EQ(xs(xs.lo), 60);
  const std::string t = xy_chart(c);
  EXPECT_NEAR(attrs(t, "circle class=\"p\"", "cx")[0], xs(0), 0.006);
}

TEST(Svg, StackedBarsAreProportional) {
  BarChart b;
  b.width = 600;
  b.label_width = 100;
  b.right = 50;
  b.top = 40;
  b.row_height = 20;
  b.x = axis("Energy", "µJ");
  b.x.min = 0;
  b.x.max = 10;
  b.segments = {"read", "write"};
  b.colors = {"#111", "#222"};
  b.rows = {{"a", {2, 3}, "", false}, {"<long & odd name>", {10, 0}, "", false}, {"c", {0, 0}, "", false}};
  const std::string s = bar_chart(b);
  EXPECT_EQ(count(s, "class=\"bar-row\""), 3u);
  EXPECT_EQ(count(s, "class=\"bar\""), 3u);  // zero-valued segments draw nothing
  std::vector<double> x = attrs(s, "rect class=\"bar\"", "x"), w = attrs(s, "rect class=\"bar\"", "width"),
                      y = attrs(s, "rect class=\"bar\"", "y");
  ASSERT_EQ(x.size(), 3u);
  // Plot spans 100 .. 550 px for 0 .. 10: 45 px per unit.
  EXPECT_DOUBLE_EQ(x[0], 100);
  EXPECT_DOUBLE_EQ(w[0], 90);
  EXPECT_DOUBLE_EQ(x[1], 190);   // the second segment starts where the first ends
  EXPECT_DOUBLE_EQ(w[1], 135);
  EXPECT_DOUBLE_EQ(x[2], 100);
  EXPECT_DOUBLE_EQ(w[2], 450);   // the axis maximum reaches the plot's right edge
  EXPECT_DOUBLE_EQ(y[0], 40 + (20 - 14.4) / 2);
  EXPECT_DOUBLE_EQ(y[2], 60 + (20 - 14.4) / 2);
  EXPECT_DOUBLE_EQ(bar_chart_height(b), 40 + 3 * 20 + 46);
  EXPECT_NE(s.find("&lt;long &amp; odd name&gt;"), std::string::npos);
  EXPECT_NE(s.find("Energy (µJ)"), std::string::npos);
}

TEST(Svg, RooflinePointsAndRoofs) {
  RooflineChart r;
  r.peak = 1e12;
  r.bandwidth = 1e10;  // ridge at 100 ops/byte
  r.points = {{"a", 1, 5e9, ""}, {"b", 1000, 8e11, ""}};
  XYChart x = roofline_xy(r);
  EXPECT_TRUE(x.x.log);
  EXPECT_TRUE(x.y.log);
  ASSERT_EQ(x.lines.size(), 3u);  // ridge marker, memory roof, compute roof
  const auto& mem = x.lines[1].points;
  EXPECT_DOUBLE_EQ(mem.back().first, 100);
  EXPECT_DOUBLE_EQ(mem.back().second, 1e12);
  EXPECT_DOUBLE_EQ(mem.front().second, 1e10 * mem.front().first);
  EXPECT_DOUBLE_EQ(x.lines[2].points.front().second, 1e12);
  EXPECT_LE(x.x.min, 1);
  EXPECT_GE(x.x.max, 1000);
  EXPECT_GT(x.y.max, 1e12);
  const std::string s = roofline_chart(r);
  EXPECT_EQ(count(s, "class=\"roofline-point\""), 2u);
  EXPECT_EQ(count(s, "<polyline"), 3u);
  // Unlimited bandwidth: the compute roof alone, across the whole plot.
  r.bandwidth = 0;
  x = roofline_xy(r);
  ASSERT_EQ(x.lines.size(), 1u);
  EXPECT_DOUBLE_EQ(x.lines[0].points.front().first, x.x.min);
}

}  // namespace
}  // namespace coda::report::svg
