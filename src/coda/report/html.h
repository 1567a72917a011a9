// report::html_report: one self-contained HTML page about a results store: no script, no external
// font, stylesheet or image; every chart an inline <svg> drawn by report/svg.h.
//
//   dse::Store db("results.db", dse::Store::Open::existing);
//   std::string page = report::html_report(db, report::ReportOptions{});
//   report::write_file("report.html", page);    // IoError naming the path if it cannot be written
//
// Sections: header (spec, counts, objectives, generation time); 1 Pareto fronts (every pair of
// objectives, the front over all objectives and each pair's 2-D front) with the front's table;
// 2 the chosen point (knobs, metrics, per-layer latency and energy, energy by component and action,
// carbon split); 3 its roofline; 4 accuracy by model variant and precision. docs/report.md explains
// each number.
#pragma once
#include <string>

#include "coda/dse/store.h"
#include "coda/report/data.h"

namespace coda::report {

// The page of collected data.
std::string render_html(const ReportData& d);
// collect() + render_html().
std::string html_report(const dse::Store& db, const ReportOptions& o);
// Writes `text` to `path` (replacing it): IoError("<path>", why) when it cannot be written.
void write_file(const std::string& path, const std::string& text);

}  // namespace coda::report
