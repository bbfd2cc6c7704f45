// smtp_load: whole-system load generator for `phishstream serve`.
//
// N concurrent SMTP connections send messages (read from --files-from) on
// loopback, pipelining MAIL/RCPT/DATA, either as fast as the server takes
// them or at a fixed total rate. It reports the sustained rate of 250
// replies, the client-side DATA latency, and the server's end-to-end
// latency (250 to delivered) from the /metrics histograms of every delivering
// process (--http-port, repeated for each worker process) once they have
// finished every accepted message, plus the server's peak RSS (--pid).
//
//   smtp_load --port 2525 --http-port 8025 [--http-port …] --connections 16 --messages 20000 \
//             [--rate 300] --files-from list.txt [--pid PID]
#include <boost/asio.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;

struct Opts {
  unsigned short port = 2525;
  std::vector<unsigned short> http_ports;  ///< every process that delivers (workers); default 8025
  int connections = 16;
  long messages = 10000;
  double rate = 0;
  std::string files_from;
  int pid = 0;
};

std::string dot_stuff(const std::string& raw) {
  std::string o;
  o.reserve(raw.size() + 64);
  bool bol = true;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == '\n' && (i == 0 || raw[i - 1] != '\r')) o += '\r';
    if (bol && c == '.') o += '.';
    o += c;
    bol = c == '\n';
  }
  if (o.size() < 2 || o.substr(o.size() - 2) != "\r\n") o += "\r\n";
  return o + ".\r\n";
}

std::string http_get(unsigned short port, const std::string& path) {
  asio::io_context io;
  tcp::socket s(io);
  s.connect({asio::ip::make_address("127.0.0.1"), port});
  std::string req = "GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  asio::write(s, asio::buffer(req));
  std::string out;
  boost::system::error_code ec;
  char buf[65536];
  for (std::size_t n; (n = s.read_some(asio::buffer(buf), ec)) > 0 && !ec;) out.append(buf, n);
  return out;
}

double metric(unsigned short port, const std::string& name) {
  std::istringstream in(http_get(port, "/metrics"));
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(name + " ", 0) == 0) return std::stod(line.substr(name.size() + 1));
  return -1;
}

double metric_sum(const std::vector<unsigned short>& ports, const std::string& name) {
  double sum = 0;
  for (auto p : ports) sum += std::max(0.0, metric(p, name));
  return sum;
}

// Quantile from the cumulative histogram lines of one family, summed over
// the processes (their buckets are the same).
double hist_quantile(const std::vector<unsigned short>& ports, const std::string& name, double q) {
  std::vector<std::pair<double, double>> b;  // le, cumulative
  for (auto port : ports) {
    std::istringstream in(http_get(port, "/metrics"));
    std::string line;
    std::size_t i = 0;
    while (std::getline(in, line)) {
      if (line.rfind(name + "_bucket{le=\"", 0) != 0) continue;
      auto s = line.find('"') + 1, e = line.find('"', s);
      std::string le = line.substr(s, e - s);
      double v = std::stod(line.substr(line.rfind(' ') + 1));
      if (i < b.size()) b[i].second += v;
      else b.emplace_back(le == "+Inf" ? 1e9 : std::stod(le), v);
      ++i;
    }
  }
  if (b.empty() || b.back().second == 0) return 0;
  double target = q * b.back().second, prev_le = 0, prev_c = 0;
  for (auto [le, c] : b) {
    if (c >= target) return prev_le + (le - prev_le) * (target - prev_c) / std::max(1.0, c - prev_c);
    prev_le = le;
    prev_c = c;
  }
  return b.back().first;
}

int main(int argc, char** argv) {
  Opts o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--port") o.port = static_cast<unsigned short>(std::stoi(v));
    else if (k == "--http-port") o.http_ports.push_back(static_cast<unsigned short>(std::stoi(v)));
    else if (k == "--connections") o.connections = std::stoi(v);
    else if (k == "--messages") o.messages = std::stol(v);
    else if (k == "--rate") o.rate = std::stod(v);
    else if (k == "--files-from") o.files_from = v;
    else if (k == "--pid") o.pid = std::stoi(v);
  }
  if (o.http_ports.empty()) o.http_ports.push_back(8025);
  std::vector<std::string> bodies;
  std::ifstream list(o.files_from);
  for (std::string p; std::getline(list, p);) {
    std::ifstream f(p, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    if (!ss.str().empty()) bodies.push_back(dot_stuff(ss.str()));
  }
  if (bodies.empty()) {
    std::cerr << "smtp_load: no messages (--files-from)\n";
    return 2;
  }
  std::atomic<long> next{0}, ok{0}, fail{0};
  std::vector<double> lat;  // seconds, DATA sent to 250
  std::mutex lat_mu;
  auto t0 = Clock::now();
  auto worker = [&](int c) {
    asio::io_context io;
    tcp::socket s(io);
    asio::streambuf in;
    auto reply = [&]() {
      std::string all;
      while (true) {
        asio::read_until(s, in, "\r\n");
        std::istream is(&in);
        std::string line;
        std::getline(is, line);
        all += line;
        if (line.size() >= 4 && line[3] == ' ') return all;
      }
    };
    s.connect({asio::ip::make_address("127.0.0.1"), o.port});
    reply();
    asio::write(s, asio::buffer(std::string("EHLO load.test\r\n")));
    reply();
    std::vector<double> mine;
    while (true) {
      long k = next.fetch_add(1);
      if (k >= o.messages) break;
      if (o.rate > 0) std::this_thread::sleep_until(t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(static_cast<double>(k) / o.rate)));
      std::string rc = "u" + std::to_string(k % 50) + "@example.org";
      asio::write(s, asio::buffer("MAIL FROM:<load" + std::to_string(c) + "@example.com>\r\nRCPT TO:<" + rc + ">\r\nDATA\r\n"));
      std::string r1 = reply(), r2 = reply(), r3 = reply();
      if (r3.rfind("354", 0) != 0) { ++fail; asio::write(s, asio::buffer(std::string("RSET\r\n"))); reply(); continue; }
      auto ts = Clock::now();
      asio::write(s, asio::buffer(bodies[static_cast<std::size_t>(k) % bodies.size()]));
      std::string r4 = reply();
      mine.push_back(std::chrono::duration<double>(Clock::now() - ts).count());
      (r4.rfind("250", 0) == 0 ? ok : fail)++;
    }
    asio::write(s, asio::buffer(std::string("QUIT\r\n")));
    std::lock_guard lk(lat_mu);
    lat.insert(lat.end(), mine.begin(), mine.end());
  };
  std::vector<std::thread> ts;
  for (int c = 0; c < o.connections; ++c) ts.emplace_back(worker, c);
  for (auto& t : ts) t.join();
  double send_secs = std::chrono::duration<double>(Clock::now() - t0).count();
  // Drained when the delivering processes together have finished as many
  // messages as got a 250 (each observes its end-to-end time once).
  while (metric_sum(o.http_ports, "phishstream_end_to_end_seconds_count") < static_cast<double>(ok))
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  double drain_secs = std::chrono::duration<double>(Clock::now() - t0).count();
  std::sort(lat.begin(), lat.end());
  auto pct = [&](double q) { return lat.empty() ? 0 : lat[std::min(lat.size() - 1, static_cast<std::size_t>(q * static_cast<double>(lat.size())))]; };
  std::printf("messages %ld ok, %ld failed; %d connections; offered rate %s\n", ok.load(), fail.load(), o.connections,
              o.rate > 0 ? std::to_string(static_cast<int>(o.rate)).c_str() : "max");
  std::printf("accepted (250) rate   %.0f msg/s over %.2f s\n", static_cast<double>(ok) / send_secs, send_secs);
  std::printf("delivered rate        %.0f msg/s (all delivered after %.2f s)\n", static_cast<double>(ok) / drain_secs, drain_secs);
  std::printf("DATA→250 latency      p50 %.2f ms  p99 %.2f ms  p99.9 %.2f ms\n", pct(0.5) * 1e3, pct(0.99) * 1e3, pct(0.999) * 1e3);
  std::printf("250→delivered (server) p50 %.2f ms  p99 %.2f ms  p99.9 %.2f ms\n",
              hist_quantile(o.http_ports, "phishstream_end_to_end_seconds", 0.5) * 1e3,
              hist_quantile(o.http_ports, "phishstream_end_to_end_seconds", 0.99) * 1e3,
              hist_quantile(o.http_ports, "phishstream_end_to_end_seconds", 0.999) * 1e3);
  if (o.pid) {
    std::ifstream st("/proc/" + std::to_string(o.pid) + "/status");
    for (std::string line; std::getline(st, line);)
      if (line.rfind("VmHWM", 0) == 0 || line.rfind("VmRSS", 0) == 0) std::printf("server %s\n", line.c_str());
  }
  return fail > 0 ? 1 : 0;
}
