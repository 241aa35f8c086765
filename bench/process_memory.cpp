#include "bench/process_memory.hpp"

#include <fstream>

namespace bench {

namespace {

std::string proc_file(int pid, const char* name) {
  return "/proc/" + (pid == 0 ? std::string{"self"} : std::to_string(pid)) + "/"
         + name;
}

} // namespace

size_t status_bytes(const std::string& field, int pid) {
  std::ifstream in{proc_file(pid, "status")};
  std::string line;
  while (std::getline(in, line))
    if (line.starts_with(field + ":"))
      return std::stoul(line.substr(field.size() + 1)) * 1024;
  return 0;
}

bool reset_peak_rss(int pid) {
  std::ofstream out{proc_file(pid, "clear_refs")};
  out << "5";
  return static_cast<bool>(out);
}

} // namespace bench
