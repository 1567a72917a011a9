// Writes the seed inputs that are not text a person writes: `fuzz_seeds OUT_DIR` creates
//   OUT_DIR/results_db/seed-store.db            the store results_db edits (results_store_seed.h)
//   OUT_DIR/arch_yaml/seed-<template>.yaml      each template written in coda's schema (hw::to_yaml),
//                                               behind arch_yaml's mode byte 0 (YAML)
// scripts/fuzz.sh does not need it; it was used once to start the corpora, and can refresh them.
#include <filesystem>
#include <fstream>

#include "coda/hw/arch_yaml.h"
#include "coda/hw/templates.h"
#include "results_store_seed.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUT_DIR\n", argv[0]);
    return 2;
  }
  std::filesystem::path out = argv[1];
  std::filesystem::create_directories(out / "results_db");
  std::filesystem::create_directories(out / "arch_yaml");
  std::filesystem::path db = out / "results_db" / "seed-store.db";
  std::filesystem::remove(db);
  fuzz::make_results_store(db.string());
  for (const char* suffix : {"-wal", "-shm"}) std::filesystem::remove(db.string() + suffix);
  for (const std::string& name : coda::hw::template_names()) {
    std::ofstream f(out / "arch_yaml" / ("seed-" + name + ".yaml"), std::ios::binary);
    f << '\0' << coda::hw::to_yaml(coda::hw::build_template(name));
  }
  std::printf("seeds written to %s\n", out.c_str());
  return 0;
}
