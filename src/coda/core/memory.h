// Memory limits: coda refuses work that does not fit, with a message naming the sizes, instead of
// meeting the kernel's OOM killer.
//
// Every tensor's storage is counted while it lives. An allocation that would bring the total over the
// limit raises ResourceError ("memory: a [1048576,8192] float32 tensor needs 32.0 GiB, more than the
// memory limit of 21.4 GiB allows (--memory-limit)"). The limit is set_memory_limit()'s (the
// CLI's --memory-limit or CODA_MEMORY_LIMIT), else the machine's: the memory available when coda
// starts (MemAvailable), or the cgroup's memory.max when smaller (containers, Kubernetes, Slurm).
//
//   set_memory_limit(parse_size("4G", "--memory-limit"));
//   check_fits(variants * model_bytes, "design space: 54 model variants of 1.2 MiB");   // early, before the work
#pragma once
#include <cstdint>
#include <string>

#include "coda/core/error.h"

namespace coda {

// Work that does not fit the memory allowed, named with its size (exit status 2 like any bad input).
struct ResourceError : InvalidError {
  using InvalidError::InvalidError;
};

// "123", "512K", "64M", "4G", "1.5GiB", "2T" (K/M/G/T are powers of 1024; a trailing B or iB is
// accepted). InvalidError at `where` for anything else or for 0.
uint64_t parse_size(const std::string& text, const std::string& where);
// "1.5 GiB", "512 MiB", "100 B".
std::string format_bytes(uint64_t bytes);

uint64_t physical_memory_bytes();
// The limit in force: the one set, else available memory or the cgroup limit, whichever is smaller.
uint64_t memory_limit_bytes();
void set_memory_limit(uint64_t bytes);  // 0: back to the machine's
// Bytes of tensor storage alive now.
uint64_t tensor_bytes_in_use();

// ResourceError at "memory" when `bytes` more would exceed the limit; `what` names the request.
void check_fits(uint64_t bytes, const std::string& what);

namespace internal {
// Tensor storage accounting (core/tensor.cpp): reserve throws ResourceError past the limit.
void reserve_tensor_bytes(uint64_t bytes, const std::string& what);
void release_tensor_bytes(uint64_t bytes);
}  // namespace internal

}  // namespace coda
