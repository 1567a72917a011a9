// The Gaussian process (likelihood, gradient, posterior, fit) against direct dense formulas and
// finite differences, and the EHVI box decomposition against hypervolume differences and Monte Carlo.
#include "coda/dse/gp.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "coda/dse/bo.h"
#include "coda/dse/pareto.h"

namespace coda::dse {
namespace {

constexpr double kPi = 3.14159265358979323846;

GpHyperparameters hyper(std::vector<double> log_l, double log_s2, double log_noise) {
  GpHyperparameters h;
  h.log_lengthscales = std::move(log_l);
  h.log_signal_variance = log_s2;
  h.log_noise_variance = log_noise;
  return h;
}

// Matérn 5/2 written out for one pair.
double matern_pair(const Eigen::RowVectorXd& a, const Eigen::RowVectorXd& b, const GpHyperparameters& h) {
  double r2 = 0;
  for (Eigen::Index i = 0; i < a.size(); ++i) r2 += std::pow((a[i] - b[i]) / std::exp(h.log_lengthscales[i]), 2);
  const double r = std::sqrt(r2);
  return std::exp(h.log_signal_variance) * (1 + std::sqrt(5.0) * r + 5.0 / 3.0 * r2) * std::exp(-std::sqrt(5.0) * r);
}

Eigen::MatrixXd random_inputs(int n, int d, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  Eigen::MatrixXd X(n, d);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < d; ++j) X(i, j) = u(rng);
  return X;
}

TEST(Gp, KernelMatchesThePairFormula) {
  Eigen::MatrixXd A = random_inputs(4, 3, 1), B = random_inputs(5, 3, 2);
  GpHyperparameters h = hyper({std::log(0.3), std::log(0.7), std::log(2.0)}, std::log(1.7), -9);
  Eigen::MatrixXd K = matern52(A, B, h);
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 5; ++j) EXPECT_NEAR(K(i, j), matern_pair(A.row(i), B.row(j), h), 1e-12);
  EXPECT_NEAR(matern52(A, A, h)(2, 2), 1.7, 1e-12);
}

TEST(Gp, LogMarginalLikelihoodMatchesDenseFormula) {
  Eigen::MatrixXd X = random_inputs(7, 2, 3);
  Eigen::VectorXd y(7);
  for (int i = 0; i < 7; ++i) y[i] = std::sin(5 * X(i, 0)) + X(i, 1);
  GpHyperparameters h = hyper({std::log(0.4), std::log(0.9)}, std::log(1.3), std::log(0.01));
  Eigen::MatrixXd K = matern52(X, X, h) + 0.01 * Eigen::MatrixXd::Identity(7, 7);
  const double expect = -0.5 * y.dot(K.inverse() * y) - 0.5 * std::log(K.determinant()) - 3.5 * std::log(2 * kPi);
  EXPECT_NEAR(gp_log_marginal_likelihood(X, y, h), expect, 1e-9);
}

TEST(Gp, GradientMatchesFiniteDifferences) {
  Eigen::MatrixXd X = random_inputs(12, 3, 4);
  Eigen::VectorXd y(12);
  for (int i = 0; i < 12; ++i) y[i] = std::cos(4 * X(i, 0)) * X(i, 2) + 0.3 * X(i, 1);
  GpHyperparameters h = hyper({std::log(0.5), std::log(0.2), std::log(1.5)}, std::log(0.8), std::log(1e-3));
  std::vector<double> g;
  gp_log_marginal_likelihood(X, y, h, &g);
  std::vector<double> theta = h.pack();
  ASSERT_EQ(g.size(), theta.size());
  for (size_t i = 0; i < theta.size(); ++i) {
    const double eps = 1e-5;
    std::vector<double> tp = theta, tm = theta;
    tp[i] += eps;
    tm[i] -= eps;
    const double fd = (gp_log_marginal_likelihood(X, y, GpHyperparameters::unpack(tp)) -
                       gp_log_marginal_likelihood(X, y, GpHyperparameters::unpack(tm))) / (2 * eps);
    EXPECT_NEAR(g[i], fd, 1e-5 * (1 + std::fabs(fd))) << "parameter " << i;
  }
}

TEST(Gp, PosteriorMatchesDenseFormulaAndKrigingBelieverUpdate) {
  Eigen::MatrixXd X = random_inputs(6, 2, 5), Xs = random_inputs(4, 2, 6);
  Eigen::VectorXd y(6);
  for (int i = 0; i < 6; ++i) y[i] = 3 + 2 * X(i, 0) - X(i, 1) * X(i, 1);
  GpHyperparameters h = hyper({std::log(0.6), std::log(0.8)}, std::log(1.2), std::log(1e-4));
  GaussianProcess gp;
  gp.condition(X, y, h);
  // Standardization as documented: mean and sample standard deviation.
  const double mean = y.mean(), scale = std::sqrt((y.array() - mean).square().sum() / 5);
  auto check = [&](const Eigen::MatrixXd& Xd, const Eigen::VectorXd& ys) {
    const Eigen::Index n = Xd.rows();
    Eigen::MatrixXd Kinv = (matern52(Xd, Xd, h) + 1e-4 * Eigen::MatrixXd::Identity(n, n)).inverse();
    Eigen::MatrixXd Ks = matern52(Xs, Xd, h);
    Eigen::VectorXd mu = (Ks * Kinv * ys).array() * scale + mean;
    Eigen::VectorXd var = (1.2 - (Ks * Kinv * Ks.transpose()).diagonal().array()).matrix();
    Eigen::VectorXd m, sd;
    gp.predict(Xs, m, sd);
    for (int i = 0; i < Xs.rows(); ++i) {
      EXPECT_NEAR(m[i], mu[i], 1e-8);
      EXPECT_NEAR(sd[i], std::sqrt(var[i]) * scale, 1e-6);
    }
  };
  check(X, (y.array() - mean) / scale);
  // Add a fantasy observation: same hyperparameters and standardization, one more row.
  Eigen::VectorXd xnew(2);
  xnew << 0.33, 0.77;
  gp.add_observation(xnew, 4.5);
  Eigen::MatrixXd X2(7, 2);
  X2 << X, xnew.transpose();
  Eigen::VectorXd y2(7);
  y2 << (y.array() - mean) / scale, (4.5 - mean) / scale;
  check(X2, y2);
  EXPECT_EQ(gp.size(), 7u);
}

TEST(Gp, FitFindsTheRelevantInputAndPredicts) {
  // y depends on x0 only: the fitted lengthscale of x1 must be much longer, and held-out predictions good.
  Eigen::MatrixXd X = random_inputs(40, 2, 7);
  Eigen::VectorXd y(40);
  for (int i = 0; i < 40; ++i) y[i] = 10 + 4 * std::sin(6 * X(i, 0));
  GaussianProcess gp;
  gp.fit(X, y, {.restarts = 2, .seed = 3});
  const auto& h = gp.hyperparameters();
  EXPECT_GT(h.log_lengthscales[1] - h.log_lengthscales[0], std::log(5.0));
  Eigen::MatrixXd Xt = random_inputs(50, 2, 8);
  Eigen::VectorXd m, sd;
  gp.predict(Xt, m, sd);
  double max_err = 0;
  for (int i = 0; i < 50; ++i) max_err = std::max(max_err, std::fabs(m[i] - (10 + 4 * std::sin(6 * Xt(i, 0)))));
  EXPECT_LT(max_err, 0.05);
  // The fitted optimum is at least as good as the default start.
  GpHyperparameters start = hyper({std::log(0.5), std::log(0.5)}, 0, std::log(1e-4));
  Eigen::VectorXd ys = (y.array() - y.mean()) / std::sqrt((y.array() - y.mean()).square().sum() / 39);
  EXPECT_GE(gp.log_marginal_likelihood(), gp_log_marginal_likelihood(X, ys, start));
}

// ---- EHVI ----

double hv_gain(const std::vector<std::vector<double>>& front, const std::vector<double>& ref, const std::vector<double>& y) {
  auto with = front;
  with.push_back(y);
  return hypervolume(with, ref) - hypervolume(front, ref);
}

std::vector<std::vector<double>> random_front(size_t n, size_t m, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<std::vector<double>> pts(n, std::vector<double>(m));
  for (auto& p : pts)
    for (auto& x : p) x = u(rng);
  std::vector<std::vector<double>> front;
  for (size_t i : pareto_front(pts, std::vector<Sense>(m, Sense::Minimize))) front.push_back(pts[i]);
  return front;
}

TEST(Ehvi, ImprovementEqualsHypervolumeDifference) {
  EXPECT_DOUBLE_EQ(HypervolumeImprovement({{1, 3}, {2, 1}}, {4, 4}).improvement(std::vector<double>{1.5, 1.5}.data()), 0.75);
  std::mt19937_64 rng(9);
  std::uniform_real_distribution<double> u(-0.2, 1.2);
  for (size_t m : {1, 2, 3, 4}) {
    auto front = random_front(40, m, m);
    std::vector<double> ref(m, 1.1);
    HypervolumeImprovement hvi(front, ref);
    ASSERT_TRUE(hvi.exact());
    for (int t = 0; t < 30; ++t) {
      std::vector<double> y(m);
      for (auto& x : y) x = u(rng);
      EXPECT_NEAR(hvi.improvement(y.data()), hv_gain(front, ref, y), 1e-12) << m << " objectives";
    }
  }
}

TEST(Ehvi, ExpectationMatchesMonteCarloAndTheDeterministicLimit) {
  std::mt19937_64 rng(10);
  for (size_t m : {1, 2, 3}) {
    auto front = random_front(25, m, 20 + m);
    std::vector<double> ref(m, 1.1);
    HypervolumeImprovement hvi(front, ref);
    std::vector<double> mean(m), sd(m), zero(m, 0.0), y(m);
    for (size_t j = 0; j < m; ++j) mean[j] = 0.35 + 0.1 * j, sd[j] = 0.15 + 0.05 * j;
    const double exact = hvi.expected(mean.data(), sd.data());
    std::normal_distribution<double> g(0, 1);
    const int samples = 200000;
    double sum = 0, sum2 = 0;
    for (int s = 0; s < samples; ++s) {
      for (size_t j = 0; j < m; ++j) y[j] = mean[j] + sd[j] * g(rng);
      const double v = hvi.improvement(y.data());
      sum += v, sum2 += v * v;
    }
    const double mc = sum / samples, se = std::sqrt((sum2 / samples - mc * mc) / samples);
    EXPECT_NEAR(exact, mc, 5 * se + 1e-12) << m << " objectives";
    EXPECT_NEAR(hvi.expected(mean.data(), zero.data()), hvi.improvement(mean.data()), 1e-12);
  }
  // One objective: the expected improvement over the best value below the reference.
  HypervolumeImprovement one({{0.4}, {0.7}}, {1.0});
  const double mu = 0.5, sd = 0.2, z = (0.4 - mu) / sd;
  const double ei = (0.4 - mu) * 0.5 * std::erfc(-z / std::sqrt(2.0)) + sd * std::exp(-0.5 * z * z) / std::sqrt(2 * kPi);
  EXPECT_NEAR(one.expected(&mu, &sd), ei, 1e-14);
}

TEST(Ehvi, MonteCarloFallbackAgreesWithTheExactDecomposition) {
  auto front = random_front(30, 3, 31);
  std::vector<double> ref(3, 1.1);
  HypervolumeImprovement exact(front, ref);
  HypervolumeImprovement mc(front, ref, /*max_cells=*/10, /*samples=*/200000, /*seed=*/4);
  ASSERT_TRUE(exact.exact());
  ASSERT_FALSE(mc.exact());
  std::vector<double> mean = {0.3, 0.4, 0.35}, sd = {0.1, 0.1, 0.2};
  const double e = exact.expected(mean.data(), sd.data());
  EXPECT_GT(e, 0);
  EXPECT_NEAR(mc.expected(mean.data(), sd.data()), e, 0.03 * e);
}

}  // namespace
}  // namespace coda::dse
