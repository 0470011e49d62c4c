// The NIST StRD nonlinear regression problems (27 data sets, two starting
// points each): certified parameters and standard errors must be reached to
// at least 6 significant digits (log relative error >= 6, the StRD criterion),
// by Levenberg–Marquardt and by L-BFGS on the sum of squares. The certified
// values are NIST's, independent of this code. The data files are read from
// $PURE_NIST_DIR, else from the shared folder beside the checkout
// (<repo>/../shared/data/nist-strd); the tests skip when neither exists.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <pure/fit/fit.hpp>
#include <pure/pure.hpp>

namespace {

struct StrdProblem {
  std::string name;
  std::vector<double> start1, start2, certified, certified_sd;
  double certified_rss = 0.0;
  std::vector<double> y;
  std::vector<std::vector<double>> x;  // one vector per predictor
};

std::string nist_dir() {
  if (const char* env = std::getenv("PURE_NIST_DIR")) return env;
  return std::string(PURE_TEST_DATA_DIR) + "/../../../shared/data/nist-strd";
}

bool file_exists(const std::string& path) { return std::ifstream(path).good(); }

std::vector<double> numbers_in(const std::string& line) {
  std::istringstream in(line);
  std::vector<double> out;
  std::string tok;
  while (in >> tok) {
    char* end = nullptr;
    const double v = std::strtod(tok.c_str(), &end);
    if (end == tok.c_str() || *end != '\0') return {};
    out.push_back(v);
  }
  return out;
}

// The StRD format: parameter lines "  b1 = start1 start2 certified sd", a
// "Residual Sum of Squares:" line, then after the last line starting with
// "Data:" one observation per line (y first, then the predictors).
StrdProblem parse_strd(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(line);
  }
  StrdProblem p;
  std::size_t data_start = 0;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string& l = lines[i];
    if (l.rfind("Data:", 0) == 0) data_start = i + 1;
    const std::size_t eq = l.find('=');
    const std::size_t first = l.find_first_not_of(' ');
    if (eq != std::string::npos && first != std::string::npos && l[first] == 'b' &&
        l.find_first_not_of("0123456789 ", first + 1) == eq) {
      const std::vector<double> v = numbers_in(l.substr(eq + 1));
      if (v.size() != 4) throw std::runtime_error(path + ": bad parameter line: " + l);
      p.start1.push_back(v[0]);
      p.start2.push_back(v[1]);
      p.certified.push_back(v[2]);
      p.certified_sd.push_back(v[3]);
    }
    if (l.find("Residual Sum of Squares:") != std::string::npos) {
      p.certified_rss = numbers_in(l.substr(l.find(':') + 1)).at(0);
    }
  }
  for (std::size_t i = data_start; i < lines.size(); ++i) {
    const std::vector<double> v = numbers_in(lines[i]);
    if (v.empty()) continue;
    if (p.x.empty()) p.x.resize(v.size() - 1);
    if (v.size() != p.x.size() + 1) throw std::runtime_error(path + ": ragged data line: " + lines[i]);
    p.y.push_back(v[0]);
    for (std::size_t k = 1; k < v.size(); ++k) p.x[k - 1].push_back(v[k]);
  }
  if (p.start1.empty() || p.y.empty()) throw std::runtime_error(path + ": no parameters or no data");
  return p;
}

using pure::Array;
Array b(const Array& params, int k) { return pure::index(params, k - 1); }  // NIST numbers from 1

// y_model(params, x) for each problem, written from the model line of its file.
using Model = std::function<Array(const Array& params, const std::vector<Array>& x)>;

Array exp_decay_sum(const Array& p, const Array& x) {  // Lanczos1/2/3
  return b(p, 1) * pure::exp(-b(p, 2) * x) + b(p, 3) * pure::exp(-b(p, 4) * x) + b(p, 5) * pure::exp(-b(p, 6) * x);
}
Array gauss(const Array& p, const Array& x) {  // Gauss1/2/3
  return b(p, 1) * pure::exp(-b(p, 2) * x) + b(p, 3) * pure::exp(-pure::square(x - b(p, 4)) / pure::square(b(p, 5))) +
         b(p, 6) * pure::exp(-pure::square(x - b(p, 7)) / pure::square(b(p, 8)));
}
Array rational_cubic(const Array& p, const Array& x) {  // Hahn1, Thurber
  const Array x2 = pure::square(x), x3 = x2 * x;
  return (b(p, 1) + b(p, 2) * x + b(p, 3) * x2 + b(p, 4) * x3) / (1.0 + b(p, 5) * x + b(p, 6) * x2 + b(p, 7) * x3);
}
Array chwirut(const Array& p, const Array& x) { return pure::exp(-b(p, 1) * x) / (b(p, 2) + b(p, 3) * x); }
Array saturating(const Array& p, const Array& x) { return b(p, 1) * (1.0 - pure::exp(-b(p, 2) * x)); }

constexpr double pi = 3.141592653589793238462643383279;  // as Roszman1.dat writes it

const std::map<std::string, Model>& models() {
  static const std::map<std::string, Model> m = {
      {"Misra1a", [](const Array& p, const std::vector<Array>& x) { return saturating(p, x[0]); }},
      {"Chwirut2", [](const Array& p, const std::vector<Array>& x) { return chwirut(p, x[0]); }},
      {"Chwirut1", [](const Array& p, const std::vector<Array>& x) { return chwirut(p, x[0]); }},
      {"Lanczos3", [](const Array& p, const std::vector<Array>& x) { return exp_decay_sum(p, x[0]); }},
      {"Gauss1", [](const Array& p, const std::vector<Array>& x) { return gauss(p, x[0]); }},
      {"Gauss2", [](const Array& p, const std::vector<Array>& x) { return gauss(p, x[0]); }},
      {"DanWood", [](const Array& p, const std::vector<Array>& x) { return b(p, 1) * pure::power(x[0], b(p, 2)); }},
      {"Misra1b",
       [](const Array& p, const std::vector<Array>& x) {
         return b(p, 1) * (1.0 - 1.0 / pure::square(1.0 + b(p, 2) * x[0] / 2.0));
       }},
      {"Kirby2",
       [](const Array& p, const std::vector<Array>& x) {
         const Array x2 = pure::square(x[0]);
         return (b(p, 1) + b(p, 2) * x[0] + b(p, 3) * x2) / (1.0 + b(p, 4) * x[0] + b(p, 5) * x2);
       }},
      {"Hahn1", [](const Array& p, const std::vector<Array>& x) { return rational_cubic(p, x[0]); }},
      // log[y] = b1 - b2*x1 * exp[-b3*x2]: the response is log(y) (see nelson_response).
      {"Nelson",
       [](const Array& p, const std::vector<Array>& x) { return b(p, 1) - b(p, 2) * x[0] * pure::exp(-b(p, 3) * x[1]); }},
      {"MGH17",
       [](const Array& p, const std::vector<Array>& x) {
         return b(p, 1) + b(p, 2) * pure::exp(-x[0] * b(p, 4)) + b(p, 3) * pure::exp(-x[0] * b(p, 5));
       }},
      {"Lanczos1", [](const Array& p, const std::vector<Array>& x) { return exp_decay_sum(p, x[0]); }},
      {"Lanczos2", [](const Array& p, const std::vector<Array>& x) { return exp_decay_sum(p, x[0]); }},
      {"Gauss3", [](const Array& p, const std::vector<Array>& x) { return gauss(p, x[0]); }},
      {"Misra1c",
       [](const Array& p, const std::vector<Array>& x) {
         return b(p, 1) * (1.0 - 1.0 / pure::sqrt(1.0 + 2.0 * b(p, 2) * x[0]));
       }},
      {"Misra1d",
       [](const Array& p, const std::vector<Array>& x) {
         return b(p, 1) * b(p, 2) * x[0] / (1.0 + b(p, 2) * x[0]);
       }},
      {"Roszman1",
       [](const Array& p, const std::vector<Array>& x) {
         return b(p, 1) - b(p, 2) * x[0] - pure::arctan(b(p, 3) / (x[0] - b(p, 4))) / pi;
       }},
      {"ENSO",
       [](const Array& p, const std::vector<Array>& x) {
         const Array t = 2.0 * pi * x[0];
         return b(p, 1) + b(p, 2) * pure::cos(t / 12.0) + b(p, 3) * pure::sin(t / 12.0) +
                b(p, 5) * pure::cos(t / b(p, 4)) + b(p, 6) * pure::sin(t / b(p, 4)) +
                b(p, 8) * pure::cos(t / b(p, 7)) + b(p, 9) * pure::sin(t / b(p, 7));
       }},
      {"MGH09",
       [](const Array& p, const std::vector<Array>& x) {
         const Array x2 = pure::square(x[0]);
         return b(p, 1) * (x2 + x[0] * b(p, 2)) / (x2 + x[0] * b(p, 3) + b(p, 4));
       }},
      {"Thurber", [](const Array& p, const std::vector<Array>& x) { return rational_cubic(p, x[0]); }},
      {"BoxBOD", [](const Array& p, const std::vector<Array>& x) { return saturating(p, x[0]); }},
      {"Rat42",
       [](const Array& p, const std::vector<Array>& x) {
         return b(p, 1) / (1.0 + pure::exp(b(p, 2) - b(p, 3) * x[0]));
       }},
      {"MGH10",
       [](const Array& p, const std::vector<Array>& x) { return b(p, 1) * pure::exp(b(p, 2) / (x[0] + b(p, 3))); }},
      {"Eckerle4",
       [](const Array& p, const std::vector<Array>& x) {
         return (b(p, 1) / b(p, 2)) * pure::exp(-0.5 * pure::square((x[0] - b(p, 3)) / b(p, 2)));
       }},
      {"Rat43",
       [](const Array& p, const std::vector<Array>& x) {
         return b(p, 1) / pure::power(1.0 + pure::exp(b(p, 2) - b(p, 3) * x[0]), 1.0 / b(p, 4));
       }},
      {"Bennett5",
       [](const Array& p, const std::vector<Array>& x) {
         return b(p, 1) * pure::power(b(p, 2) + x[0], -1.0 / b(p, 3));
       }},
  };
  return m;
}

// The order of NIST's table (by difficulty).
const std::vector<std::string> kProblems = {
    "Misra1a", "Chwirut2", "Chwirut1", "Lanczos3", "Gauss1",   "Gauss2", "DanWood",  "Misra1b", "Kirby2",
    "Hahn1",   "Nelson",   "MGH17",    "Lanczos1", "Lanczos2", "Gauss3", "Misra1c",  "Misra1d", "Roszman1",
    "ENSO",    "MGH09",    "Thurber",  "BoxBOD",   "Rat42",    "MGH10",  "Eckerle4", "Rat43",   "Bennett5"};

// Log relative error (absolute when the certified value is 0), capped at 15.
double lre(double got, double certified) {
  if (!std::isfinite(got)) return 0.0;
  const double err = certified == 0.0 ? std::abs(got) : std::abs(got - certified) / std::abs(certified);
  if (err == 0.0) return 15.0;
  return std::clamp(-std::log10(err), 0.0, 15.0);
}

// The least LRE over the parameters, and over the standard errors.
struct Digits {
  double params = 15.0, errors = 15.0;
  double min() const { return std::min(params, errors); }
};
Digits digits(const StrdProblem& p, const std::vector<double>& x, const std::vector<double>& se) {
  Digits d;
  for (std::size_t k = 0; k < p.certified.size(); ++k) {
    d.params = std::min(d.params, lre(x[k], p.certified[k]));
    d.errors = std::min(d.errors, lre(se[k], p.certified_sd[k]));
  }
  return d;
}

struct Row {
  std::string name;
  int start;
  Digits lm_digits, lbfgs_digits, mf_digits;
  std::string lm_reason, lbfgs_reason, mf_reason;
};

pure::fit::detail::FlatArrayFn residual_fn(const StrdProblem& p) {
  std::vector<Array> x;
  for (const auto& col : p.x) x.push_back(pure::from_host(col));
  std::vector<double> yv = p.y;
  if (p.name == "Nelson") {
    for (double& v : yv) v = std::log(v);
  }
  const Array y = pure::from_host(yv);
  const Model model = models().at(p.name);
  return [model, x, y](const Array& params) { return model(params, x) - y; };
}

std::vector<Row>& table() {
  static std::vector<Row> rows;
  return rows;
}

class Strd : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!file_exists(nist_dir() + "/Misra1a.dat")) {
      GTEST_SKIP() << "NIST StRD data not found in " << nist_dir()
                   << " (set PURE_NIST_DIR to the folder holding Misra1a.dat ...)";
    }
  }
};

TEST_F(Strd, ParserReadsTheFileFormat) {
  const StrdProblem p = parse_strd(nist_dir() + "/Nelson.dat");
  EXPECT_EQ(p.certified.size(), 3u);
  EXPECT_EQ(p.y.size(), 128u);
  ASSERT_EQ(p.x.size(), 2u);
  EXPECT_EQ(p.x[1][0], 180.0);
  EXPECT_EQ(p.start2[1], 0.000000005);
  EXPECT_EQ(p.certified[2], -5.7701013174E-02);
  EXPECT_EQ(p.certified_rss, 3.7976833176E+00);
}

// Every model at the certified parameters gives the certified residual sum of
// squares (to the 10 digits printed): checks each hand-written model.
TEST_F(Strd, ModelsReproduceTheCertifiedResidualSumOfSquares) {
  for (const std::string& name : kProblems) {
    StrdProblem p = parse_strd(nist_dir() + "/" + name + ".dat");
    p.name = name;
    const std::vector<double> r = residual_fn(p)(pure::from_host(p.certified)).to_host<double>();
    double rss = 0.0;
    for (double v : r) rss += v * v;
    if (p.certified_rss < 1e-20) {
      // Lanczos1 (RSS 1.4e-25): the certified values, rounded to 11 digits,
      // leave residuals of about 1e-11, far above the certified ones.
      EXPECT_LE(rss, 1e-20) << name;
    } else {
      EXPECT_NEAR(rss, p.certified_rss, 1e-8 * p.certified_rss) << name;
    }
  }
}

TEST_F(Strd, CertifiedValuesToSixDigits) {
  const auto t0 = std::chrono::steady_clock::now();
  int lm_pass = 0, lbfgs_pass = 0, mf_pass = 0;
  for (const std::string& name : kProblems) {
    StrdProblem p = parse_strd(nist_dir() + "/" + name + ".dat");
    p.name = name;
    const pure::fit::detail::FlatArrayFn r = residual_fn(p);
    for (int start = 1; start <= 2; ++start) {
      const std::vector<double>& x0 = start == 1 ? p.start1 : p.start2;
      Row row{name, start, {}, {}, {}, "", "", ""};
      pure::fit::LmOptions lm;
      lm.jit = true;
      const auto fit = pure::fit::detail::levenberg_marquardt_flat(r, x0, lm);
      row.lm_digits = digits(p, fit.x, fit.standard_errors);
      row.lm_reason = pure::fit::to_string(fit.reason).substr(0, pure::fit::to_string(fit.reason).find(':'));
      lm.matrix_free = true;
      // 200 linearizations keep the run short; with the default 1000, three
      // more runs pass (MGH17 start 1, Bennett5).
      lm.max_iterations = 200;
      const auto mf = pure::fit::detail::levenberg_marquardt_flat(r, x0, lm);
      row.mf_digits = digits(p, mf.x, mf.standard_errors);
      row.mf_reason = pure::fit::to_string(mf.reason).substr(0, pure::fit::to_string(mf.reason).find(':'));

      pure::fit::LbfgsOptions lb;
      lb.jit = true;
      lb.gradient_tolerance = 0.0;
      lb.max_iterations = 1000;
      // Passing runs need at most ~750 evaluations; the ones that would need
      // more fail anyway (Hahn1, Nelson). Keeps sanitizer runs short.
      lb.max_evaluations = 1500;
      const auto sos = [r](const Array& params) { return pure::sum(pure::square(r(params))); };
      const auto min = pure::fit::detail::lbfgs_flat(sos, x0, lb);
      const std::vector<double> jac = pure::fit::flat_jacobian(r, min.x);
      const auto cov = pure::fit::least_squares_covariance(jac, static_cast<std::int64_t>(p.y.size()),
                                                           static_cast<std::int64_t>(x0.size()), min.value);
      row.lbfgs_digits = digits(p, min.x, cov.standard_errors);
      row.lbfgs_reason = pure::fit::to_string(min.reason).substr(0, pure::fit::to_string(min.reason).find(':'));
      lm_pass += row.lm_digits.min() >= 6.0;
      lbfgs_pass += row.lbfgs_digits.min() >= 6.0;
      mf_pass += row.mf_digits.min() >= 6.0;
      table().push_back(row);
    }
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  // Digits: the least log relative error over the parameters / over the standard errors.
  std::printf(
      "| problem | start | LM | LM digits (params / std. errors) | LM stop | matrix-free LM | digits | stop "
      "| L-BFGS | digits | stop |\n");
  std::printf("|---|---|---|---|---|---|---|---|---|---|---|\n");
  const auto cells = [](const Digits& d, const std::string& reason) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "%s | %.1f / %.1f | %s", d.min() >= 6.0 ? "pass" : "FAIL", d.params, d.errors,
                  reason.c_str());
    return std::string(buf);
  };
  for (const Row& row : table()) {
    std::printf("| %s | %d | %s | %s | %s |\n", row.name.c_str(), row.start,
                cells(row.lm_digits, row.lm_reason).c_str(), cells(row.mf_digits, row.mf_reason).c_str(),
                cells(row.lbfgs_digits, row.lbfgs_reason).c_str());
  }
  std::printf("LM: %d of 54 pass; matrix-free LM: %d of 54 pass; L-BFGS: %d of 54 pass (%.1f s)\n", lm_pass, mf_pass,
              lbfgs_pass, seconds);
  // Floors at the counts reached when this test was written: a drop is a regression.
  EXPECT_GE(lm_pass, 52);
  EXPECT_GE(lbfgs_pass, 36);
  EXPECT_GE(mf_pass, 44);
}

}  // namespace
