// Gaussian-process regression for the Bayesian optimizer: a Matérn 5/2 kernel with one lengthscale
// per input (ARD), a signal and a noise variance, fitted by maximizing the log marginal likelihood
// (Rasmussen & Williams 2006, eqs. 2.30 and 5.9) with L-BFGS from a warm start plus random restarts.
//
//   k(x, x') = s2 · (1 + √5 r + 5/3 r²) · exp(-√5 r),   r² = Σ_i (x_i - x'_i)² / l_i²
//
// Inputs are expected in [0,1] (the optimizer's GP coding); outputs are standardized inside (mean 0,
// variance 1) and predictions are returned in the caller's units. Hyperparameters are searched within
// l in [0.01, 100], s2 in [0.01, 100] and noise in [1e-6, 1] (standardized units) through a sigmoid
// reparametrization, so the search is unconstrained.
//
//   dse::GaussianProcess gp;
//   gp.fit(X, y, {.restarts = 2, .seed = 7});        // X: n × d in [0,1], y: n
//   Eigen::VectorXd mean, sd;
//   gp.predict(Xs, mean, sd);                          // latent mean and standard deviation at rows of Xs
//   gp.add_observation(x_new, mean_at_x_new);          // Kriging believer: condition on a fantasy value
#pragma once
#include <Eigen/Dense>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace coda::dse {

struct GpHyperparameters {
  std::vector<double> log_lengthscales;   // one per input dimension
  double log_signal_variance = 0;         // of the standardized outputs
  double log_noise_variance = -9.2;       // ≈ log 1e-4

  // Packed as [log l_1 .. log l_d, log s2, log noise] (the order of the gradient below).
  std::vector<double> pack() const;
  static GpHyperparameters unpack(const std::vector<double>& theta);
};

struct GpFitOptions {
  size_t restarts = 2;          // random starting points besides the warm (or default) start
  size_t max_iterations = 60;   // L-BFGS iterations per start
  uint64_t seed = 0;            // for the random starts
};

// The log marginal likelihood of outputs y (used as given) at inputs X (n × d) and hyperparameters h,
// and, when `gradient` is given, its gradient with respect to h.pack(). -infinity when the kernel matrix
// is not positive definite.
double gp_log_marginal_likelihood(const Eigen::MatrixXd& X, const Eigen::VectorXd& y, const GpHyperparameters& h,
                                  std::vector<double>* gradient = nullptr);

// The Matérn 5/2 ARD kernel matrix between the rows of A and of B.
Eigen::MatrixXd matern52(const Eigen::MatrixXd& A, const Eigen::MatrixXd& B, const GpHyperparameters& h);

class GaussianProcess {
 public:
  // Standardizes y, maximizes the log marginal likelihood from `warm` (or the default start: l = 0.5,
  // s2 = 1, noise 1e-4) and opt.restarts random starts, keeps the best, and conditions on the data.
  void fit(const Eigen::MatrixXd& X, const Eigen::VectorXd& y, const GpFitOptions& opt = {},
           const GpHyperparameters* warm = nullptr);
  // Conditions on the data with the given hyperparameters (no search).
  void condition(const Eigen::MatrixXd& X, const Eigen::VectorXd& y, const GpHyperparameters& h);
  // Appends one observation (in y's units) keeping the hyperparameters and the standardization:
  // O(n²) by extending the Cholesky factor.
  void add_observation(const Eigen::VectorXd& x, double y);

  // Posterior mean and standard deviation of the latent function (noise excluded) at the rows of Xs, in
  // y's units. mean and sd are resized to Xs.rows().
  void predict(const Eigen::MatrixXd& Xs, Eigen::VectorXd& mean, Eigen::VectorXd& sd) const;

  const GpHyperparameters& hyperparameters() const { return h_; }
  double log_marginal_likelihood() const { return lml_; }  // of the standardized outputs, at the fit
  size_t size() const { return static_cast<size_t>(X_.rows()); }

 private:
  void factorize();

  Eigen::MatrixXd X_;
  Eigen::VectorXd ys_;                 // standardized outputs
  double y_mean_ = 0, y_scale_ = 1;
  GpHyperparameters h_;
  Eigen::MatrixXd L_;                  // Cholesky factor of K + noise·I (lower)
  Eigen::VectorXd alpha_;              // (K + noise·I)^-1 ys
  double lml_ = 0;
};

}  // namespace coda::dse
