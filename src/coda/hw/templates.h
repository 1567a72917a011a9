// Architecture templates: published accelerators as parametric builders of hw::Architecture.
// A spec names a template and optionally overrides its parameters, URL-query style:
// "gemmini", "gemmini?dim=32&sp_kib=512", "eyeriss?glb_kib=216". Energies and areas come from the
// component models (components.h) at the template's technology node.
//
//   hw::Architecture a = hw::build_template("gemmini?dim=32&dataflow=os");
//   hw::TemplateResult r = hw::build_template_full("catransformers?clusters=2&width=64&depth=8");
//   r.clock_mhz;  r.technology_nm;            // 625, 22
//   for (auto& n : hw::template_names()) std::puts(hw::describe_template(n).c_str());
#pragma once
#include <string>
#include <vector>

#include "coda/hw/architecture.h"
#include "coda/hw/components.h"

namespace coda::hw {

// hw::Architecture has no clock or technology fields yet, so templates return them alongside.
struct TemplateResult {
  Architecture arch;
  double clock_mhz = 0;
  double technology_nm = 0;
};

// Valid template names, sorted.
std::vector<std::string> template_names();

// The parameter names of a template (InvalidError for an unknown template).
std::vector<std::string> template_parameters(const std::string& name);

// A multi-line description: what the template models, its sources, and each parameter with its
// default and allowed values. InvalidError listing the valid names for an unknown template.
std::string describe_template(const std::string& name);

// Builds the spec's architecture. InvalidError("<spec>", ...) for an unknown template (listing the
// valid ones), an unknown parameter (listing the template's parameters) or a bad value; the result
// passes hw::check. The one-argument forms load the component library from data_dir().
TemplateResult build_template_full(const std::string& spec);
TemplateResult build_template_full(const std::string& spec, const ComponentLibrary& lib);
Architecture build_template(const std::string& spec);

}  // namespace coda::hw
