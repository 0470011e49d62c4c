// Summary lines printed after the last benchmark of a binary (bench_ops,
// bench_peers): each line is value = time(a) / time(b) * factor, or
// time(a) * factor when b is empty, from the medians where repetitions ran
// (else the median of the single runs), with an optional target. Times are
// per iteration, CPU time of the benchmark's thread unless a line asks for
// wall time. Lines whose rows did not run (filtered out, not registered) are
// left out. Notes follow the lines.
#pragma once

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <map>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace pure_bench {

/// Which time a line uses: the CPU time of the benchmark's thread (Google
/// Benchmark's default clock), or wall time, for rows whose work runs partly
/// on other threads (the benchmark thread's CPU clock does not see it).
enum class SummaryClock { cpu, wall };

struct SummaryLine {
  std::string label, a, b;
  double factor;
  const char* unit;
  double target;  // <= target is met; 0 = no target
  SummaryClock clock;
};

inline std::vector<SummaryLine>& summary_lines() {
  static std::vector<SummaryLine> lines;
  return lines;
}
inline std::vector<std::string>& summary_notes() {
  static std::vector<std::string> notes;
  return notes;
}

inline void summarize(std::string label, std::string a, std::string b, double factor, const char* unit,
                      double target = 0, SummaryClock clock = SummaryClock::cpu) {
  summary_lines().push_back(SummaryLine{std::move(label), std::move(a), std::move(b), factor, unit, target, clock});
}
inline void summary_note(std::string note) { summary_notes().push_back(std::move(note)); }

class SummaryReporter : public benchmark::ConsoleReporter {
 public:
  SummaryReporter() : benchmark::ConsoleReporter(OO_Tabular) {}

  void ReportRuns(const std::vector<Run>& runs) override {
    benchmark::ConsoleReporter::ReportRuns(runs);
    for (const Run& r : runs) {
      if (r.error_occurred) continue;
      const double unit = benchmark::GetTimeUnitMultiplier(r.time_unit);
      for (SummaryClock clock : {SummaryClock::cpu, SummaryClock::wall}) {
        const double t = clock == SummaryClock::cpu ? r.GetAdjustedCPUTime() : r.GetAdjustedRealTime();
        Times& times = times_[key(r.run_name.str(), clock)];
        if (r.run_type == Run::RT_Iteration) {
          times.runs.push_back(t / unit);
        } else if (r.aggregate_name == "median") {
          times.median = t / unit;
        }
      }
    }
  }

  void Finalize() override {
    std::ostream& out = GetOutputStream();
    bool header = false;
    const bool any_wall = std::any_of(summary_lines().begin(), summary_lines().end(),
                                      [](const SummaryLine& l) { return l.clock == SummaryClock::wall; });
    const auto print_header = [&] {
      if (header) return;
      out << "\nSummary (CPU time per iteration" << (any_wall ? ", wall time on lines marked [wall]" : "")
          << "; medians where repetitions ran):\n";
      header = true;
    };
    char buf[512];
    for (const SummaryLine& l : summary_lines()) {
      double a = 0, b = 1;
      if (!lookup(key(l.a, l.clock), a) || (!l.b.empty() && !lookup(key(l.b, l.clock), b))) continue;
      print_header();
      const double v = a / b * l.factor;
      const std::string label = l.clock == SummaryClock::wall ? l.label + " [wall]" : l.label;
      const char* verdict = l.target <= 0 ? "" : (v <= l.target ? "  target met" : "  target MISSED");
      if (l.target > 0) {
        std::snprintf(buf, sizeof buf, "  %-58s %10.3f %s (target <= %g)%s\n", label.c_str(), v, l.unit, l.target,
                      verdict);
      } else {
        std::snprintf(buf, sizeof buf, "  %-58s %10.3f %s\n", label.c_str(), v, l.unit);
      }
      out << buf;
    }
    if (!times_.empty()) {
      for (const std::string& note : summary_notes()) {
        print_header();
        out << "  note: " << note << "\n";
      }
    }
    benchmark::ConsoleReporter::Finalize();
  }

 private:
  struct Times {
    double median = -1;
    std::vector<double> runs;
  };
  static std::string key(const std::string& name, SummaryClock clock) {
    return (clock == SummaryClock::cpu ? "cpu " : "wall ") + name;
  }
  bool lookup(const std::string& name, double& seconds) const {
    const auto it = times_.find(name);
    if (it == times_.end()) return false;
    if (it->second.median >= 0) {
      seconds = it->second.median;
      return true;
    }
    std::vector<double> v = it->second.runs;
    if (v.empty()) return false;
    std::sort(v.begin(), v.end());
    seconds = v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
    return true;
  }
  std::map<std::string, Times> times_;
};

/// The end of each binary's main, once its rows are registered: parses the
/// benchmark flags, runs the rows with the summary at the end, and returns the
/// exit status (1 for an unknown flag or when the filter matched nothing).
inline int run_benchmarks(int& argc, char** argv, const char* binary) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  SummaryReporter reporter;
  const std::size_t ran = benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  if (ran == 0) {
    std::fprintf(stderr, "%s: no benchmark matched the filter\n", binary);
    return 1;
  }
  return 0;
}

}  // namespace pure_bench
