// Internal to report/: pieces of the HTML page shared by html.cpp (page, header, Pareto fronts,
// accuracy) and html_point.cpp (the chosen point and its roofline).
#pragma once
#include <string>
#include <vector>

#include "coda/report/data.h"

namespace coda::report::detail {

// The page's palette (also used inside the SVG charts).
inline constexpr const char* kGreyPoint = "#9aa3af";
inline constexpr const char* kInfeasible = "#c3c9d2";
inline constexpr const char* kFront = "#2563eb";
inline constexpr const char* kFront2d = "#1e3a8a";
inline constexpr const char* kChosen = "#ea580c";
// Components (MAC, then storage levels innermost first) and actions.
inline const std::vector<std::string> kComponentColors = {"#e11d48", "#2563eb", "#0d9488", "#d97706", "#7c3aed", "#64748b", "#db2777", "#65a30d"};
inline const std::vector<std::string> kActionColors = {"#2563eb", "#14b8a6", "#f59e0b", "#a855f7", "#e11d48"};
inline const std::vector<std::string> kCarbonColors = {"#0f766e", "#5eead4", "#f59e0b"};

std::string note(const std::string& text);                        // a highlighted remark (escaped)
std::string figure(const std::string& svg);                       // a chart in its frame
std::string table(const std::vector<std::string>& head, const std::vector<std::vector<std::string>>& rows,
                  const std::vector<bool>& numeric, const std::string& cls = "", const std::vector<size_t>& marked = {});
std::string code(const std::string& text);

// Sections 2 (the chosen point) and 3 (its roofline).
std::string point_section(const ReportData& d);
std::string roofline_section(const ReportData& d);

}  // namespace coda::report::detail
