#include "bench/process_cpu.hpp"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace bench {

namespace {

// utime + stime (fields 14 and 15 of /proc/<pid>/stat), in seconds.
double own_cpu_seconds(int pid) {
  std::ifstream in{"/proc/" + std::to_string(pid) + "/stat"};
  std::string line;
  if (!std::getline(in, line))
    return 0;
  // The command (field 2) is in parentheses and may hold spaces.
  auto close = line.rfind(')');
  if (close == std::string::npos)
    return 0;
  std::istringstream rest{line.substr(close + 2)};
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14)
      utime = std::stoull(field);
    if (i == 15)
      stime = std::stoull(field);
  }
  return static_cast<double>(utime + stime)
         / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

std::vector<int> children_of(int pid) {
  std::vector<int> out;
  std::error_code ec;
  auto tasks = "/proc/" + std::to_string(pid) + "/task";
  for (auto& task : std::filesystem::directory_iterator{tasks, ec}) {
    std::ifstream in{task.path() / "children"};
    for (int child; in >> child;)
      out.push_back(child);
  }
  return out;
}

} // namespace

double process_cpu_seconds(int pid) {
  if (pid <= 0)
    return 0;
  double total = own_cpu_seconds(pid);
  for (int child : children_of(pid))
    total += own_cpu_seconds(child);
  return total;
}

costed_load run_costed_load(uint16_t port, int server_pid, size_t connections,
                            const std::vector<std::string>& requests,
                            double seconds) {
  costed_load out;
  out.connections = connections;
  auto before = process_cpu_seconds(server_pid);
  out.load = run_load(port, connections, requests, seconds, SIZE_MAX, nullptr);
  auto used = process_cpu_seconds(server_pid) - before;
  if (server_pid > 0 && out.load.responses > 0)
    out.cpu_us_per_request = used * 1e6 / out.load.responses;
  return out;
}

costed_load best_costed_load(uint16_t port, int server_pid,
                             const std::vector<size_t>& connection_counts,
                             const std::vector<std::string>& requests,
                             double seconds, const std::string& what) {
  costed_load best;
  for (auto conns : connection_counts) {
    auto r = run_costed_load(port, server_pid, conns, requests, seconds);
    if (r.load.errors > 0)
      std::fprintf(stderr, "%s, %zu connections: %zu errors\n", what.c_str(),
                   conns, r.load.errors);
    if (r.load.per_second() > best.load.per_second())
      best = std::move(r);
  }
  return best;
}

} // namespace bench
