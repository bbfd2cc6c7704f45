#include "common/log.h"
#include "queue/embedded/log_queue.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <random>
#include <system_error>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "common/bytes.h"
#include "common/clock.h"
#include "common/message_key.h"

namespace phishstream::queue {
namespace {

namespace fs = std::filesystem;
using common::now_ms;

using common::ByteReader;
using common::put_le32;
using common::put_le64;
using common::put_str;

// Frames a payload: length, checksum, payload.
std::string frame(const std::string& payload) {
  std::string r;
  r.reserve(payload.size() + 8);
  put_le32(r, static_cast<std::uint32_t>(payload.size()));
  put_le32(r, XXH32(payload.data(), payload.size(), 0));
  r += payload;
  return r;
}

std::string enq_payload(const QueuedMessage& m) {
  std::string p;
  p.reserve(m.data.size() + 256);
  p.push_back('E');
  put_str(p, m.id);
  put_str(p, m.key);
  put_le64(p, static_cast<std::uint64_t>(m.accepted_ms));
  put_str(p, m.env.client_ip);
  put_str(p, m.env.helo);
  put_str(p, m.env.mail_from);
  put_le32(p, static_cast<std::uint32_t>(m.env.rcpt.size()));
  for (const auto& r : m.env.rcpt) put_str(p, r);
  p.push_back(static_cast<char>((m.env.body_8bit ? 1 : 0) | (m.env.smtputf8 ? 2 : 0) | (m.env.tls ? 4 : 0)));
  put_str(p, m.data);
  return p;
}

bool parse_enq(std::string_view payload, QueuedMessage& m) {
  ByteReader r(payload);
  if (r.u8() != 'E') return false;
  m.id = r.str();
  m.key = r.str();
  m.accepted_ms = static_cast<std::int64_t>(r.u64());
  m.env.client_ip = r.str();
  m.env.helo = r.str();
  m.env.mail_from = r.str();
  std::uint32_t n = r.u32();
  if (!r.ok() || n > 100000) return false;
  for (std::uint32_t i = 0; i < n && r.ok(); ++i) m.env.rcpt.push_back(r.str());
  std::uint8_t f = r.u8();
  m.env.body_8bit = f & 1;
  m.env.smtputf8 = f & 2;
  m.env.tls = f & 4;
  m.data = r.str();
  return r.ok();
}

std::string small_record(char type, const std::string& id, std::uint32_t attempts = 0, const std::string& reason = {}) {
  std::string p(1, type);
  put_str(p, id);
  put_le32(p, attempts);
  put_str(p, reason);
  return frame(p);
}

fs::path seg_path(const fs::path& dir, std::uint64_t n) {
  char name[32];
  std::snprintf(name, sizeof name, "seg-%016llu.log", static_cast<unsigned long long>(n));
  return dir / name;
}

bool read_file(const fs::path& p, std::string& out) {
  int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  out.clear();
  char buf[1 << 16];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  return n == 0;
}

void fsync_dir(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

}  // namespace

LogQueue::LogQueue(LogQueueOptions opt) : opt_(std::move(opt)) {
  std::error_code ec;
  fs::create_directories(opt_.dir, ec);
  if (ec) throw std::system_error(ec, "queue folder " + opt_.dir.string());
  replay();
  open_segment(segment_ + 1);
  thread_ = std::thread([this] { committer(); });
}

LogQueue::~LogQueue() {
  close();
  if (thread_.joinable()) thread_.join();
  if (fd_ >= 0) ::close(fd_);
}

void LogQueue::open_segment(std::uint64_t n) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = ::open(seg_path(opt_.dir, n).c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "queue segment");
  fsync_dir(opt_.dir);
  std::lock_guard lk(mu_);
  segment_ = n;
  segment_size_ = 0;
}

void LogQueue::replay() {
  std::vector<std::uint64_t> segs;
  for (const auto& e : fs::directory_iterator(opt_.dir)) {
    std::string name = e.path().filename().string();
    if (name.starts_with("seg-") && name.ends_with(".log")) segs.push_back(std::stoull(name.substr(4, 16)));
  }
  std::sort(segs.begin(), segs.end());
  std::string buf;
  for (std::uint64_t s : segs) {
    segment_ = std::max(segment_, s);
    if (!read_file(seg_path(opt_.dir, s), buf)) continue;
    live_[s];
    std::size_t p = 0;
    while (p + 8 <= buf.size()) {
      ByteReader hdr(std::string_view(buf).substr(p, 8));
      std::uint32_t len = hdr.u32(), sum = hdr.u32();
      if (buf.size() - p - 8 < len || XXH32(buf.data() + p + 8, len, 0) != sum) break;  // torn tail
      std::string_view payload(buf.data() + p + 8, len);
      ByteReader r(payload);
      char type = static_cast<char>(r.u8());
      if (type == 'E') {
        QueuedMessage m;
        if (parse_enq(payload, m)) {
          Entry e{s, p, len + 8, m.data.size(), 0, m.accepted_ms, 0, false};
          index_[m.id] = e;
          ++live_[s];
          bytes_ += e.bytes;
        }
      } else {
        std::string id = r.str();
        std::uint32_t attempts = r.u32();
        std::string reason = r.str();
        auto it = index_.find(id);
        if (it == index_.end()) { p += 8 + len; continue; }
        if (type == 'A') {
          release(id);
        } else if (type == 'N') {
          it->second.attempts = attempts;
        } else if (type == 'D') {
          dead_[id] = {id, reason, attempts};
          bytes_ -= it->second.bytes;
          index_.erase(it);  // stays live in its segment: the body is kept
        }
      }
      p += 8 + len;
    }
    if (p < buf.size()) {
      // A crash mid-write left a partial record: cut it off so that the
      // segment reads clean next time. Nothing in it was ever reported.
      ::truncate(seg_path(opt_.dir, s).c_str(), static_cast<off_t>(p));
    }
  }
  // Oldest first, as they were accepted.
  std::vector<std::pair<std::int64_t, std::string>> order;
  for (const auto& [id, e] : index_) order.emplace_back(e.accepted_ms, id);
  std::sort(order.begin(), order.end());
  for (auto& [t, id] : order) ready_.push_back(id);
  recovered_ = order.size();
  for (auto it = live_.begin(); it != live_.end();) {
    if (it->second == 0) {
      fs::remove(seg_path(opt_.dir, it->first));
      it = live_.erase(it);
    } else {
      ++it;
    }
  }
}

std::string LogQueue::new_id() {
  // Unix ms, a per-process counter and random bits: unique across restarts.
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  char id[40];
  std::snprintf(id, sizeof id, "%011llx%05llx%04x", static_cast<unsigned long long>(now_ms()),
                static_cast<unsigned long long>(++counter_ & 0xfffff), static_cast<unsigned>(rng() & 0xffff));
  return id;
}

void LogQueue::submit(common::Envelope env, std::string data, Done done) {
  std::unique_lock lk(mu_);
  if (closed_) {
    lk.unlock();
    return done(error::closed, "");
  }
  std::uint64_t count = index_.size();
  for (const auto& p : pending_) count += p.done ? 1 : 0;
  if (count >= opt_.max_messages || bytes_ + pending_bytes_ + data.size() > opt_.max_bytes) {
    lk.unlock();
    return done(error::full, "");
  }
  QueuedMessage m;
  m.id = new_id();
  m.key = common::message_key(env, data);
  m.accepted_ms = now_ms();
  m.env = std::move(env);
  m.data = std::move(data);
  Pending p;
  p.record = frame(enq_payload(m));
  p.id = m.id;
  p.entry.bytes = m.data.size();
  p.entry.accepted_ms = m.accepted_ms;
  p.done = std::move(done);
  pending_bytes_ += m.data.size();
  pending_.push_back(std::move(p));
  cv_commit_.notify_one();
}

void LogQueue::append_async(std::string record) {
  Pending p;
  p.record = std::move(record);
  pending_.push_back(std::move(p));
  cv_commit_.notify_one();
}

void LogQueue::committer() {
  std::vector<Pending> batch;
  std::string out;
  while (true) {
    {
      std::unique_lock lk(mu_);
      cv_commit_.wait(lk, [&] { return !pending_.empty() || closed_; });
      if (pending_.empty() && closed_) return;
      batch.swap(pending_);
    }
    // One write and one fdatasync for everything that arrived meanwhile.
    out.clear();
    bool any_enq = false;
    std::uint64_t base = segment_size_;
    for (auto& p : batch) {
      p.entry.segment = segment_;
      p.entry.offset = base + out.size();
      p.entry.length = static_cast<std::uint32_t>(p.record.size());
      out += p.record;
      any_enq |= static_cast<bool>(p.done);
    }
    std::error_code ec;
    std::size_t off = 0;
    while (off < out.size()) {
      ssize_t w = ::write(fd_, out.data() + off, out.size() - off);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) {
        ec = error::unavailable;
        break;
      }
      off += static_cast<std::size_t>(w);
    }
    if (!ec && any_enq && opt_.sync && ::fdatasync(fd_) != 0) ec = error::unavailable;
    if (ec) {
      // Partial writes are cut off so the segment stays parseable; the
      // clients get 451 and retry.
      if (::ftruncate(fd_, static_cast<off_t>(base)) != 0) { /* replay truncates torn tails too */ }
    } else {
      segment_size_ += out.size();
    }
    {
      std::lock_guard lk(mu_);
      for (auto& p : batch) {
        if (!p.done) continue;
        pending_bytes_ -= p.entry.bytes;
        if (ec) continue;
        index_[p.id] = p.entry;
        ++live_[p.entry.segment];
        bytes_ += p.entry.bytes;
        ready_.push_back(p.id);
      }
    }
    cv_ready_.notify_all();
    for (auto& p : batch)
      if (p.done) p.done(ec, ec ? std::string() : p.id);
    batch.clear();
    if (!ec && segment_size_ >= opt_.segment_bytes) {
      if (::fdatasync(fd_) != 0) { /* acks only; a lost ack means a redelivery */ }
      try {
        open_segment(segment_ + 1);
      } catch (const std::system_error&) {
        // Keep appending to the current segment; the next rotation retries.
      }
    }
  }
}

std::optional<QueuedMessage> LogQueue::take(std::chrono::milliseconds wait) {
  auto until = std::chrono::steady_clock::now() + wait;
  std::unique_lock lk(mu_);
  while (true) {
    std::int64_t now = now_ms();
    while (!delayed_.empty() && delayed_.begin()->first <= now) {
      ready_.push_back(delayed_.begin()->second);
      delayed_.erase(delayed_.begin());
    }
    while (!ready_.empty()) {
      std::string id = std::move(ready_.front());
      ready_.pop_front();
      auto it = index_.find(id);
      if (it == index_.end() || it->second.in_flight) continue;
      it->second.in_flight = true;
      Entry e = it->second;
      lk.unlock();
      QueuedMessage m;
      std::string rec(e.length, '\0');
      int fd = ::open(seg_path(opt_.dir, e.segment).c_str(), O_RDONLY | O_CLOEXEC);
      bool ok = fd >= 0 && ::pread(fd, rec.data(), rec.size(), static_cast<off_t>(e.offset)) == static_cast<ssize_t>(rec.size());
      if (fd >= 0) ::close(fd);
      ok = ok && parse_enq(std::string_view(rec).substr(8), m);
      if (!ok) {
        nack(id, "queue record unreadable");
        lk.lock();
        continue;
      }
      m.attempts = e.attempts;
      return m;
    }
    if (closed_) return std::nullopt;
    auto deadline = until;
    if (!delayed_.empty()) {
      auto due = std::chrono::steady_clock::now() + std::chrono::milliseconds(delayed_.begin()->first - now);
      deadline = std::min(deadline, due);
    }
    if (cv_ready_.wait_until(lk, deadline) == std::cv_status::timeout && std::chrono::steady_clock::now() >= until)
      return std::nullopt;
  }
}

void LogQueue::release(const std::string& id) {
  auto it = index_.find(id);
  if (it == index_.end()) return;
  std::uint64_t seg = it->second.segment;
  bytes_ -= it->second.bytes;
  index_.erase(it);
  if (--live_[seg] == 0 && seg != segment_) {
    fs::remove(seg_path(opt_.dir, seg));
    live_.erase(seg);
  }
}

void LogQueue::ack(const std::string& id) {
  std::lock_guard lk(mu_);
  if (index_.find(id) == index_.end()) return;
  release(id);
  append_async(small_record('A', id));
}

void LogQueue::nack(const std::string& id, const std::string& reason, bool transient) {
  std::lock_guard lk(mu_);
  auto it = index_.find(id);
  if (it == index_.end()) return;
  Entry& e = it->second;
  e.in_flight = false;
  ++e.attempts;
  if (opt_.retry.gives_up(e.attempts, std::chrono::milliseconds(now_ms() - e.accepted_ms), transient)) {
    dead_[id] = {id, reason, e.attempts};
    log::line(log::Level::warn, "dead_letter", {{"id", id}, {"attempts", std::to_string(e.attempts)}, {"reason", reason}});
    bytes_ -= e.bytes;
    append_async(small_record('D', id, e.attempts, reason));
    index_.erase(it);  // the body stays in its segment; e is gone with it
    return;
  }
  e.not_before_ms = now_ms() + opt_.retry.delay(e.attempts).count();
  log::line(log::Level::info, "deferred",
            {{"id", id}, {"attempt", std::to_string(e.attempts)},
             {"retry_in_ms", std::to_string(opt_.retry.delay(e.attempts).count())}, {"reason", reason}});
  delayed_.emplace(e.not_before_ms, id);
  append_async(small_record('N', id, e.attempts, reason));
  cv_ready_.notify_all();
}

QueueStats LogQueue::stats() const {
  std::lock_guard lk(mu_);
  QueueStats s;
  s.depth = index_.size();
  s.bytes = bytes_;
  s.dead_letters = dead_.size();
  std::int64_t oldest = 0, now = now_ms();
  for (const auto& [id, e] : index_) {
    if (e.in_flight) ++s.in_flight;
    if (oldest == 0 || e.accepted_ms < oldest) oldest = e.accepted_ms;
  }
  s.oldest_age_ms = oldest ? now - oldest : 0;
  return s;
}

std::vector<DeadLetter> LogQueue::dead_letters() const {
  std::lock_guard lk(mu_);
  std::vector<DeadLetter> v;
  for (const auto& [id, d] : dead_) v.push_back(d);
  return v;
}

void LogQueue::close() {
  {
    std::lock_guard lk(mu_);
    closed_ = true;
  }
  cv_commit_.notify_all();
  cv_ready_.notify_all();
}

}  // namespace phishstream::queue
