// `coda report DB -o report.html`: one self-contained HTML page about a results database (what
// `coda explore --db` writes): Pareto fronts of every pair of objectives, the chosen point in detail
// (re-evaluated from the spec stored in the database), its roofline, accuracy by precision.
#include <chrono>
#include <cstdio>

#include "commands.h"
#include "coda/dse/store.h"
#include "coda/report/html.h"

namespace coda::cli {

namespace {

struct ReportCliOptions {
  std::string db, out = "report.html", point;
  int threads = 0;
  bool no_detail = false;
};

int run_report(const ReportCliOptions& c) {
  const auto t0 = std::chrono::steady_clock::now();
  dse::Store db(c.db, dse::Store::Open::existing);
  report::ReportOptions o;
  o.point = c.point;
  o.threads = c.threads;
  o.reevaluate = !c.no_detail;
  report::ReportData d = report::collect(db, o);
  const std::string page = report::render_html(d);
  report::write_file(c.out, page);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("%s: %zu points (%zu ok, %zu infeasible), front %zu, chosen %s; wrote %s (%.0f KB) in %.1f s\n", c.db.c_str(),
              d.points.size(), d.ok, d.infeasible, d.front.size(), d.chosen ? d.chosen->key.c_str() : "none", c.out.c_str(),
              static_cast<double>(page.size()) / 1024, s);
  if (d.chosen && !d.point) std::fprintf(stderr, "coda: note: %s\n", d.point_note.c_str());
  return 0;
}

}  // namespace

Action add_report(CLI::App& app) {
  auto o = std::make_shared<ReportCliOptions>();
  auto* sub = app.add_subcommand("report", "Write a self-contained HTML report of a results database (coda explore --db)");
  sub->add_option("DB", o->db, "the results database (SQLite); never created or changed")->required();
  sub->add_option("-o,--output", o->out, "the HTML file to write (default report.html)");
  sub->add_option("--point", o->point, "key of the point to detail (default: the ideal-point choice of the front)");
  sub->add_option("--threads", o->threads, "threads for re-evaluating the chosen point (default: all cores)")
      ->check(CLI::NonNegativeNumber);
  sub->add_flag("--no-detail", o->no_detail, "do not re-evaluate the chosen point (store-level sections only)");
  return [o] { return run_report(*o); };
}

}  // namespace coda::cli
