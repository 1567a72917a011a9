// Gaussian process: Matérn 5/2 ARD kernel, log marginal likelihood with gradient, L-BFGS fit.
#include "coda/dse/gp.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include "coda/core/error.h"

namespace coda::dse {
namespace {

constexpr double kSqrt5 = 2.23606797749978969641;
constexpr double kLog2Pi = 1.83787706640934548356;

// Search box of the packed log-hyperparameters (see gp.h).
struct Box {
  double lo, hi;
};
Box param_box(size_t i, size_t dims) {
  if (i < dims) return {std::log(0.01), std::log(100.0)};
  if (i == dims) return {std::log(0.01), std::log(100.0)};
  return {std::log(1e-6), std::log(1.0)};
}

// theta = lo + (hi - lo) · sigmoid(phi).
double to_theta(double phi, Box b) { return b.lo + (b.hi - b.lo) / (1.0 + std::exp(-phi)); }
double to_phi(double theta, Box b) {
  double t = std::clamp((theta - b.lo) / (b.hi - b.lo), 1e-9, 1.0 - 1e-9);
  return std::log(t / (1.0 - t));
}

// Limited-memory BFGS minimizing f(x) (with gradient), Armijo backtracking; returns the best value.
template <typename F>
double lbfgs_minimize(F&& f, std::vector<double>& x, size_t max_iter) {
  const size_t n = x.size(), mem = 8;
  std::vector<double> g(n), gn(n), d(n), xn(n);
  double fx = f(x, g);
  if (!std::isfinite(fx)) return fx;
  std::vector<std::vector<double>> S, Y;
  std::vector<double> rho, a(mem);
  auto dot = [](const std::vector<double>& u, const std::vector<double>& v) {
    double s = 0;
    for (size_t i = 0; i < u.size(); ++i) s += u[i] * v[i];
    return s;
  };
  for (size_t it = 0; it < max_iter; ++it) {
    // Two-loop recursion: d = -H g.
    d = g;
    for (size_t k = S.size(); k-- > 0;) {
      a[k] = rho[k] * dot(S[k], d);
      for (size_t i = 0; i < n; ++i) d[i] -= a[k] * Y[k][i];
    }
    if (!S.empty()) {
      const double gamma = dot(S.back(), Y.back()) / dot(Y.back(), Y.back());
      for (double& v : d) v *= gamma;
    }
    for (size_t k = 0; k < S.size(); ++k) {
      const double b = rho[k] * dot(Y[k], d);
      for (size_t i = 0; i < n; ++i) d[i] += S[k][i] * (a[k] - b);
    }
    for (double& v : d) v = -v;
    double slope = dot(g, d);
    if (!(slope < 0)) {  // not a descent direction: restart from steepest descent
      S.clear(), Y.clear(), rho.clear();
      for (size_t i = 0; i < n; ++i) d[i] = -g[i];
      slope = -dot(g, g);
      if (slope == 0) break;
    }
    double t = S.empty() ? std::min(1.0, 1.0 / std::sqrt(-slope)) : 1.0;
    double fn = 0;
    bool ok = false;
    for (int ls = 0; ls < 30; ++ls) {
      for (size_t i = 0; i < n; ++i) xn[i] = x[i] + t * d[i];
      fn = f(xn, gn);
      if (std::isfinite(fn) && fn <= fx + 1e-4 * t * slope) {
        ok = true;
        break;
      }
      t *= 0.5;
    }
    if (!ok) break;
    std::vector<double> s(n), y(n);
    for (size_t i = 0; i < n; ++i) s[i] = xn[i] - x[i], y[i] = gn[i] - g[i];
    const double sy = dot(s, y);
    if (sy > 1e-12) {
      if (S.size() == mem) S.erase(S.begin()), Y.erase(Y.begin()), rho.erase(rho.begin());
      S.push_back(std::move(s)), Y.push_back(std::move(y)), rho.push_back(1.0 / sy);
    }
    const double change = fx - fn;
    x.swap(xn);
    g.swap(gn);
    fx = fn;
    double gmax = 0;
    for (double v : g) gmax = std::max(gmax, std::fabs(v));
    if (change < 1e-9 * (1.0 + std::fabs(fx)) || gmax < 1e-6) break;
  }
  return fx;
}

// Kernel matrix of the training inputs (exact differences) plus noise on the diagonal.
Eigen::MatrixXd train_kernel(const Eigen::MatrixXd& X, const GpHyperparameters& h) {
  const Eigen::Index n = X.rows(), d = X.cols();
  const double s2 = std::exp(h.log_signal_variance), noise = std::exp(h.log_noise_variance);
  std::vector<double> inv_l2(d);
  for (Eigen::Index i = 0; i < d; ++i) inv_l2[i] = std::exp(-2.0 * h.log_lengthscales[i]);
  Eigen::MatrixXd K(n, n);
  for (Eigen::Index b = 0; b < n; ++b) {
    K(b, b) = s2 + noise;
    for (Eigen::Index a = b + 1; a < n; ++a) {
      double r2 = 0;
      for (Eigen::Index i = 0; i < d; ++i) {
        const double diff = X(a, i) - X(b, i);
        r2 += diff * diff * inv_l2[i];
      }
      const double r = std::sqrt(r2);
      K(a, b) = K(b, a) = s2 * (1.0 + kSqrt5 * r + 5.0 / 3.0 * r2) * std::exp(-kSqrt5 * r);
    }
  }
  return K;
}

}  // namespace

std::vector<double> GpHyperparameters::pack() const {
  std::vector<double> t = log_lengthscales;
  t.push_back(log_signal_variance);
  t.push_back(log_noise_variance);
  return t;
}

GpHyperparameters GpHyperparameters::unpack(const std::vector<double>& theta) {
  CODA_CHECK(theta.size() >= 2, "gp: %zu packed hyperparameters", theta.size());
  GpHyperparameters h;
  h.log_lengthscales.assign(theta.begin(), theta.end() - 2);
  h.log_signal_variance = theta[theta.size() - 2];
  h.log_noise_variance = theta.back();
  return h;
}

Eigen::MatrixXd matern52(const Eigen::MatrixXd& A, const Eigen::MatrixXd& B, const GpHyperparameters& h) {
  CODA_CHECK(A.cols() == B.cols() && static_cast<size_t>(A.cols()) == h.log_lengthscales.size(), "gp: dimension mismatch");
  Eigen::RowVectorXd inv_l(A.cols());
  for (Eigen::Index i = 0; i < A.cols(); ++i) inv_l[i] = std::exp(-h.log_lengthscales[i]);
  const Eigen::MatrixXd As = A.array().rowwise() * inv_l.array();
  const Eigen::MatrixXd Bs = B.array().rowwise() * inv_l.array();
  Eigen::MatrixXd R2 = -2.0 * As * Bs.transpose();
  R2.colwise() += As.rowwise().squaredNorm();
  R2.rowwise() += Bs.rowwise().squaredNorm().transpose();
  const double s2 = std::exp(h.log_signal_variance);
  return R2.unaryExpr([s2](double r2) {
    r2 = std::max(r2, 0.0);
    const double r = std::sqrt(r2);
    return s2 * (1.0 + kSqrt5 * r + 5.0 / 3.0 * r2) * std::exp(-kSqrt5 * r);
  });
}

double gp_log_marginal_likelihood(const Eigen::MatrixXd& X, const Eigen::VectorXd& y, const GpHyperparameters& h,
                                  std::vector<double>* gradient) {
  const Eigen::Index n = X.rows(), d = X.cols();
  CODA_CHECK(static_cast<size_t>(d) == h.log_lengthscales.size() && y.size() == n, "gp: dimension mismatch");
  const Eigen::MatrixXd K = train_kernel(X, h);
  Eigen::LLT<Eigen::MatrixXd> llt(K);
  if (llt.info() != Eigen::Success) return -std::numeric_limits<double>::infinity();
  const Eigen::VectorXd alpha = llt.solve(y);
  const auto& L = llt.matrixLLT();
  double logdet = 0;
  for (Eigen::Index i = 0; i < n; ++i) logdet += std::log(L(i, i));
  const double lml = -0.5 * y.dot(alpha) - logdet - 0.5 * static_cast<double>(n) * kLog2Pi;
  if (!std::isfinite(lml)) return -std::numeric_limits<double>::infinity();
  if (gradient) {
    // dL/dtheta = 1/2 tr(W dK/dtheta), W = alpha alpha^T - K^-1.
    // K^-1 = L^-T L^-1 from the triangular inverse: one triangular solve and a symmetric product.
    Eigen::MatrixXd Linv = Eigen::MatrixXd::Identity(n, n);
    L.triangularView<Eigen::Lower>().solveInPlace(Linv);
    Eigen::MatrixXd W = alpha * alpha.transpose();
    W.selfadjointView<Eigen::Lower>().rankUpdate(Linv.transpose(), -1.0);  // lower triangle only
    const double s2 = std::exp(h.log_signal_variance), noise = std::exp(h.log_noise_variance);
    std::vector<double> inv_l2(d);
    for (Eigen::Index i = 0; i < d; ++i) inv_l2[i] = std::exp(-2.0 * h.log_lengthscales[i]);
    gradient->assign(d + 2, 0.0);
    auto& g = *gradient;
    double g_s2 = 0, trace = 0;
    for (Eigen::Index b = 0; b < n; ++b) {
      trace += W(b, b);
      g_s2 += 0.5 * W(b, b) * s2;
      for (Eigen::Index a = b + 1; a < n; ++a) {
        double r2 = 0;
        for (Eigen::Index i = 0; i < d; ++i) {
          const double diff = X(a, i) - X(b, i);
          r2 += diff * diff * inv_l2[i];
        }
        const double r = std::sqrt(r2), e = std::exp(-kSqrt5 * r);
        const double w = W(a, b);  // the pair (a,b) and (b,a): factor 2 cancels the 1/2
        g_s2 += w * s2 * (1.0 + kSqrt5 * r + 5.0 / 3.0 * r2) * e;
        // dk/dlog l_i = 5/3 s2 (1 + √5 r) e^{-√5 r} (x_ai - x_bi)² / l_i²
        const double c = w * 5.0 / 3.0 * s2 * (1.0 + kSqrt5 * r) * e;
        for (Eigen::Index i = 0; i < d; ++i) {
          const double diff = X(a, i) - X(b, i);
          g[i] += c * diff * diff * inv_l2[i];
        }
      }
    }
    g[d] = g_s2;
    g[d + 1] = 0.5 * trace * noise;
  }
  return lml;
}

void GaussianProcess::fit(const Eigen::MatrixXd& X, const Eigen::VectorXd& y, const GpFitOptions& opt,
                          const GpHyperparameters* warm) {
  const size_t n = static_cast<size_t>(X.rows()), d = static_cast<size_t>(X.cols());
  CODA_CHECK(n >= 1 && y.size() == X.rows(), "gp: %zu inputs, %zu outputs", n, static_cast<size_t>(y.size()));
  y_mean_ = y.mean();
  const double var = n > 1 ? (y.array() - y_mean_).square().sum() / static_cast<double>(n - 1) : 0.0;
  y_scale_ = var > 1e-24 ? std::sqrt(var) : 1.0;
  const Eigen::VectorXd ys = (y.array() - y_mean_) / y_scale_;

  std::vector<Box> box(d + 2);
  for (size_t i = 0; i < d + 2; ++i) box[i] = param_box(i, d);
  auto objective = [&](const std::vector<double>& phi, std::vector<double>& grad) {
    std::vector<double> theta(d + 2);
    for (size_t i = 0; i < d + 2; ++i) theta[i] = to_theta(phi[i], box[i]);
    std::vector<double> gt;
    const double lml = gp_log_marginal_likelihood(X, ys, GpHyperparameters::unpack(theta), &gt);
    if (!std::isfinite(lml)) return std::numeric_limits<double>::infinity();
    for (size_t i = 0; i < d + 2; ++i) {  // chain rule through the sigmoid, and minimize -lml
      const double s = (theta[i] - box[i].lo) / (box[i].hi - box[i].lo);
      grad[i] = -gt[i] * (box[i].hi - box[i].lo) * s * (1.0 - s);
    }
    return -lml;
  };

  std::vector<std::vector<double>> starts;
  GpHyperparameters start;
  if (warm && warm->log_lengthscales.size() == d) {
    start = *warm;
  } else {
    start.log_lengthscales.assign(d, std::log(0.5));
    start.log_signal_variance = 0;
    start.log_noise_variance = std::log(1e-4);
  }
  starts.push_back(start.pack());
  std::mt19937_64 rng(opt.seed);
  auto u01 = [&] { return static_cast<double>(rng() >> 11) * 0x1.0p-53; };
  for (size_t r = 0; r < opt.restarts; ++r) {
    std::vector<double> t(d + 2);
    for (size_t i = 0; i < d; ++i) t[i] = std::log(0.05) + u01() * (std::log(2.0) - std::log(0.05));
    t[d] = std::log(0.3) + u01() * (std::log(3.0) - std::log(0.3));
    t[d + 1] = std::log(1e-6) + u01() * (std::log(1e-2) - std::log(1e-6));
    starts.push_back(std::move(t));
  }
  double best = std::numeric_limits<double>::infinity();
  std::vector<double> best_theta = starts.front();
  for (const auto& s : starts) {
    std::vector<double> phi(d + 2);
    for (size_t i = 0; i < d + 2; ++i) phi[i] = to_phi(s[i], box[i]);
    const double v = lbfgs_minimize(objective, phi, opt.max_iterations);
    if (v < best) {
      best = v;
      for (size_t i = 0; i < d + 2; ++i) best_theta[i] = to_theta(phi[i], box[i]);
    }
  }
  X_ = X;
  ys_ = ys;
  h_ = GpHyperparameters::unpack(best_theta);
  factorize();
}

void GaussianProcess::condition(const Eigen::MatrixXd& X, const Eigen::VectorXd& y, const GpHyperparameters& h) {
  const Eigen::Index n = X.rows();
  CODA_CHECK(n >= 1 && y.size() == n && static_cast<size_t>(X.cols()) == h.log_lengthscales.size(), "gp: bad data");
  y_mean_ = y.mean();
  const double var = n > 1 ? (y.array() - y_mean_).square().sum() / static_cast<double>(n - 1) : 0.0;
  y_scale_ = var > 1e-24 ? std::sqrt(var) : 1.0;
  X_ = X;
  ys_ = (y.array() - y_mean_) / y_scale_;
  h_ = h;
  factorize();
}

void GaussianProcess::factorize() {
  Eigen::MatrixXd K = train_kernel(X_, h_);
  const Eigen::Index n = K.rows();
  // Add jitter until the factorization succeeds (duplicate inputs with tiny noise).
  double jitter = 0;
  for (int attempt = 0; attempt < 10; ++attempt) {
    Eigen::LLT<Eigen::MatrixXd> llt(K + jitter * Eigen::MatrixXd::Identity(n, n));
    if (llt.info() == Eigen::Success) {
      L_ = llt.matrixL();
      alpha_ = llt.solve(ys_);
      double logdet = 0;
      for (Eigen::Index i = 0; i < n; ++i) logdet += std::log(L_(i, i));
      lml_ = -0.5 * ys_.dot(alpha_) - logdet - 0.5 * static_cast<double>(n) * kLog2Pi;
      if (jitter > 0) h_.log_noise_variance = std::log(std::exp(h_.log_noise_variance) + jitter);
      return;
    }
    jitter = jitter == 0 ? 1e-8 * std::exp(h_.log_signal_variance) : jitter * 10;
  }
  CODA_CHECK(false, "gp: kernel matrix not positive definite after jitter");
}

void GaussianProcess::add_observation(const Eigen::VectorXd& x, double y) {
  const Eigen::Index n = X_.rows();
  CODA_CHECK(x.size() == X_.cols(), "gp: observation has %d inputs, expected %d", static_cast<int>(x.size()),
             static_cast<int>(X_.cols()));
  X_.conservativeResize(n + 1, Eigen::NoChange);
  X_.row(n) = x.transpose();
  ys_.conservativeResize(n + 1);
  ys_[n] = (y - y_mean_) / y_scale_;
  // Extend L: [L 0; l^T c] with L l = k, c = sqrt(k(x,x) + noise - l·l).
  const Eigen::VectorXd k = matern52(X_.topRows(n), x.transpose(), h_).col(0);
  const Eigen::VectorXd l = L_.triangularView<Eigen::Lower>().solve(k);
  const double kxx = std::exp(h_.log_signal_variance) + std::exp(h_.log_noise_variance);
  const double c2 = kxx - l.squaredNorm();
  if (!(c2 > 1e-12 * kxx)) {  // numerically singular: refactorize with jitter
    factorize();
    return;
  }
  L_.conservativeResize(n + 1, n + 1);
  L_.col(n).setZero();
  L_.row(n).head(n) = l.transpose();
  L_(n, n) = std::sqrt(c2);
  alpha_ = L_.triangularView<Eigen::Lower>().solve(ys_);
  L_.triangularView<Eigen::Lower>().transpose().solveInPlace(alpha_);
}

void GaussianProcess::predict(const Eigen::MatrixXd& Xs, Eigen::VectorXd& mean, Eigen::VectorXd& sd) const {
  const Eigen::MatrixXd Ks = matern52(Xs, X_, h_);  // m × n
  mean = (Ks * alpha_).array() * y_scale_ + y_mean_;
  const Eigen::MatrixXd V = L_.triangularView<Eigen::Lower>().solve(Ks.transpose());  // n × m
  const double s2 = std::exp(h_.log_signal_variance);
  sd.resize(Xs.rows());
  for (Eigen::Index i = 0; i < Xs.rows(); ++i) sd[i] = std::sqrt(std::max(s2 - V.col(i).squaredNorm(), 1e-12 * s2)) * y_scale_;
}

}  // namespace coda::dse
