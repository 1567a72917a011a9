#include "coda/dse/mpi_world.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

#include "coda/core/error.h"

#ifdef CODA_HAVE_MPI
#include <mpi.h>
#endif

namespace coda::dse::mpi {

bool available() {
#ifdef CODA_HAVE_MPI
  return true;
#else
  return false;
#endif
}

bool launched() {
  if (!available()) return false;
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"})
    if (std::getenv(v)) return true;
  return false;
}

#ifdef CODA_HAVE_MPI
namespace {

void check(int rc, const char* what) {
  if (rc != MPI_SUCCESS) throw IoError("mpi", std::string(what) + " failed");
}

class MpiWorld final : public World {
 public:
  MpiWorld() {
    int init = 0;
    MPI_Initialized(&init);
    if (!init) {
      // All ranks on this node (Open MPI tells each process its world and node sizes before it
      // starts): shared memory is the only transport the run needs, and Open MPI's default search
      // for a network one (the cm PML probing its MTLs) took 0.2 of MPI_Init's 0.22 s on the 2-core
      // test machine. A PML the user chose (OMPI_MCA_pml, or --mca pml) is left alone.
      const char* size = std::getenv("OMPI_COMM_WORLD_SIZE");
      const char* local = std::getenv("OMPI_COMM_WORLD_LOCAL_SIZE");
      if (size && local && std::strcmp(size, local) == 0 && !std::getenv("OMPI_MCA_pml")) setenv("OMPI_MCA_pml", "ob1", 0);
      int provided = 0;
      check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
      std::atexit([] {
        int fin = 0;
        MPI_Finalized(&fin);
        if (!fin) MPI_Finalize();
      });
    }
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
  }
  // Runs before the MPI_Finalize registered above (statics are destroyed before earlier atexit calls).
  ~MpiWorld() override {
    for (auto& o : outgoing_) {
      for (int done = 0, us = 20; MPI_Test(&o->req, &done, MPI_STATUS_IGNORE) == MPI_SUCCESS && !done;) nap(us);
    }
  }
  int rank() const override { return rank_; }
  int size() const override { return size_; }
  // Posted (MPI_Isend of a copy), so that rank 0 never waits on a rank that is busy computing; the
  // copies are freed as their sends complete, and every send completes before MPI_Finalize.
  void send(int to, const std::string& bytes) override {
    auto out = std::make_unique<Outgoing>();
    out->bytes = bytes;
    check(MPI_Isend(out->bytes.data(), static_cast<int>(out->bytes.size()), MPI_BYTE, to, 7, MPI_COMM_WORLD, &out->req), "MPI_Isend");
    outgoing_.push_back(std::move(out));
    sweep();
  }

  std::string receive(int from) override {
    MPI_Status st;
    for (int flag = 0, us = 20;; nap(us)) {
      check(MPI_Iprobe(from, 7, MPI_COMM_WORLD, &flag, &st), "MPI_Iprobe");
      if (flag) break;
    }
    return take(st);
  }
  bool try_receive(int& from, std::string& bytes) override {
    MPI_Status st;
    int flag = 0;
    check(MPI_Iprobe(MPI_ANY_SOURCE, 7, MPI_COMM_WORLD, &flag, &st), "MPI_Iprobe");
    if (!flag) return false;
    from = st.MPI_SOURCE;
    bytes = take(st);
    return true;
  }
  // Frees the copies of completed sends.
  void sweep() {
    std::erase_if(outgoing_, [](const std::unique_ptr<Outgoing>& o) {
      int done = 0;
      check(MPI_Test(&o->req, &done, MPI_STATUS_IGNORE), "MPI_Test");
      return done != 0;
    });
  }
  std::string take(const MPI_Status& probed) {
    MPI_Status st = probed;
    const int from = st.MPI_SOURCE;
    int n = 0;
    MPI_Get_count(&st, MPI_BYTE, &n);
    std::string b(static_cast<size_t>(n), '\0');
    check(MPI_Recv(b.data(), n, MPI_BYTE, from, 7, MPI_COMM_WORLD, MPI_STATUS_IGNORE), "MPI_Recv");
    return b;
  }
  int min_all(int v) override {
    check(MPI_Allreduce(MPI_IN_PLACE, &v, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD), "MPI_Allreduce");
    return v;
  }

 private:
  struct Outgoing {
    std::string bytes;
    MPI_Request req;
  };
  int rank_ = 0, size_ = 1;
  std::vector<std::unique_ptr<Outgoing>> outgoing_;
};

}  // namespace
#endif

World& world() {
#ifdef CODA_HAVE_MPI
  static MpiWorld w;
  return w;
#else
  throw InvalidError("mpi", "coda was built without MPI (install libopenmpi-dev and rebuild)");
#endif
}

void nap(int& us) {
  std::this_thread::sleep_for(std::chrono::microseconds(us));
  us = std::min(2 * us, 1000);
}

void Writer::u64(uint64_t v) { bytes.append(reinterpret_cast<const char*>(&v), sizeof v); }
void Writer::f64(double v) { bytes.append(reinterpret_cast<const char*>(&v), sizeof v); }
void Writer::str(const std::string& s) {
  u64(s.size());
  bytes += s;
}
uint64_t Reader::u64() {
  CODA_CHECK(at_ + 8 <= b_.size(), "mpi message truncated");
  uint64_t v;
  std::memcpy(&v, b_.data() + at_, 8);
  at_ += 8;
  return v;
}
double Reader::f64() {
  const uint64_t u = u64();
  double v;
  std::memcpy(&v, &u, 8);
  return v;
}
void Reader::skip(size_t n) {
  CODA_CHECK(at_ + n <= b_.size(), "mpi message truncated");
  at_ += n;
}
std::string Reader::str() {
  const uint64_t n = u64();
  CODA_CHECK(at_ + n <= b_.size(), "mpi message truncated");
  std::string s = b_.substr(at_, n);
  at_ += n;
  return s;
}

}  // namespace coda::dse::mpi
