// dse::mpi: the few MPI calls a distributed search needs, behind a small interface so that the rest of
// dse never includes <mpi.h>, and coda builds and runs where MPI is absent.
//
// MPI is used only when the process was started by an MPI launcher (mpirun / mpiexec / srun set
// OMPI_COMM_WORLD_SIZE, PMI_SIZE or PMIX_RANK); a plain `coda explore` never initialises MPI. The
// world is initialised on first use and finalised at exit.
//
//   if (mpi::launched()) {
//     mpi::World& w = mpi::world();
//     if (w.rank() != 0) w.send(0, "records"); else for (int r = 1; r < w.size(); ++r) w.receive(r);
//   }
#pragma once
#include <string>
#include <vector>

namespace coda::dse::mpi {

// True when an MPI launcher started this process (and coda was built with MPI).
bool launched();
// True when coda was built with MPI.
bool available();

class World {
 public:
  virtual ~World() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  // receive() polls and sleeps instead of spinning, so that a waiting rank leaves its core to the
  // ranks that work.
  virtual void send(int to, const std::string& bytes) = 0;        // posted: returns without waiting for the receiver
  virtual std::string receive(int from) = 0;
  // A message from any rank if one has arrived (its sender in `from`), without waiting.
  virtual bool try_receive(int& from, std::string& bytes) = 0;
  virtual int min_all(int v) = 0;
};

// Sleeps `us` microseconds, then doubles it up to 1 ms: the pause between two polls of a waiting rank
// (start at 20 us; reset to 20 once something arrives).
void nap(int& us);

// The MPI world (InvalidError "mpi": when coda was built without MPI). A process not started by a
// launcher gets a world of one rank.
World& world();

// Byte encoding of the messages (little-endian host order; all ranks run one binary).
class Writer {
 public:
  void u64(uint64_t v);
  void f64(double v);
  void str(const std::string& s);
  std::string bytes;
};
class Reader {
 public:
  explicit Reader(const std::string& b) : b_(b) {}
  uint64_t u64();
  double f64();
  std::string str();
  void skip(size_t n);
 private:
  const std::string& b_;
  size_t at_ = 0;
};

}  // namespace coda::dse::mpi
