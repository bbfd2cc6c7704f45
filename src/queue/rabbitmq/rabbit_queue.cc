#include "common/log.h"
#include "queue/rabbitmq/rabbit_queue.h"

#include <amqp.h>
#include <amqp_ssl_socket.h>
#include <amqp_tcp_socket.h>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <random>

#include "common/clock.h"
#include "common/message_key.h"

namespace phishstream::queue {
namespace {

using Clock = std::chrono::steady_clock;

using common::now_ms;

amqp_bytes_t bytes(std::string_view s) { return {s.size(), const_cast<char*>(s.data())}; }
std::string str(amqp_bytes_t b) { return {static_cast<const char*>(b.bytes), b.len}; }

bool rpc_ok(amqp_connection_state_t c, std::string* err, const char* what) {
  amqp_rpc_reply_t r = amqp_get_rpc_reply(c);
  if (r.reply_type == AMQP_RESPONSE_NORMAL) return true;
  if (err) {
    *err = what;
    if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION) *err += std::string(": ") + amqp_error_string2(r.library_error);
    else *err += ": refused by the broker";
  }
  return false;
}

amqp_table_entry_t entry(const char* key, std::string_view v) {
  amqp_table_entry_t e;
  e.key = amqp_cstring_bytes(key);
  e.value.kind = AMQP_FIELD_KIND_UTF8;
  e.value.value.bytes = bytes(v);
  return e;
}

std::int64_t as_int(const amqp_field_value_t& v) {
  switch (v.kind) {
    case AMQP_FIELD_KIND_I8: return v.value.i8;
    case AMQP_FIELD_KIND_U8: return v.value.u8;
    case AMQP_FIELD_KIND_I16: return v.value.i16;
    case AMQP_FIELD_KIND_U16: return v.value.u16;
    case AMQP_FIELD_KIND_I32: return v.value.i32;
    case AMQP_FIELD_KIND_U32: return v.value.u32;
    case AMQP_FIELD_KIND_I64: return v.value.i64;
    case AMQP_FIELD_KIND_U64: return static_cast<std::int64_t>(v.value.u64);
    default: return 0;
  }
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : "\n") + x;
  return s;
}

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::size_t b = 0;
  while (b <= s.size() && !s.empty()) {
    auto e = s.find('\n', b);
    if (e == std::string::npos) e = s.size();
    out.push_back(s.substr(b, e - b));
    b = e + 1;
  }
  return out;
}

}  // namespace

// One AMQP connection with channel 1 (messages) and channel 2 (queue
// statistics, so that its RPCs never interleave with deliveries).
class RabbitQueue::Connection {
 public:
  ~Connection() {
    if (!c_) return;
    if (open_) {
      amqp_channel_close(c_, 2, AMQP_REPLY_SUCCESS);
      amqp_channel_close(c_, 1, AMQP_REPLY_SUCCESS);
      amqp_connection_close(c_, AMQP_REPLY_SUCCESS);
    }
    amqp_destroy_connection(c_);
  }
  amqp_connection_state_t get() const { return c_; }

  /// Connects, logs in and declares the topology; "" or what failed.
  std::string open(const RabbitOptions& o) {
    std::string url = o.url;
    amqp_connection_info info;
    amqp_default_connection_info(&info);
    if (amqp_parse_url(url.data(), &info) != AMQP_STATUS_OK) return "bad broker url";
    c_ = amqp_new_connection();
    amqp_socket_t* s = info.ssl ? amqp_ssl_socket_new(c_) : amqp_tcp_socket_new(c_);
    if (!s) return "cannot create a socket";
    if (info.ssl) {
      amqp_ssl_socket_set_verify_peer(s, 1);
      amqp_ssl_socket_set_verify_hostname(s, 1);
      if (!o.tls_ca.empty() && amqp_ssl_socket_set_cacert(s, o.tls_ca.c_str()) != AMQP_STATUS_OK)
        return "cannot read the CA file " + o.tls_ca;
      if (!o.tls_cert.empty() && !o.tls_key.empty() &&
          amqp_ssl_socket_set_key(s, o.tls_cert.c_str(), o.tls_key.c_str()) != AMQP_STATUS_OK)
        return "cannot read the client certificate " + o.tls_cert + " or its key";
    }
    timeval tv{2, 0};
    if (int rc = amqp_socket_open_noblock(s, info.host, info.port, &tv); rc != AMQP_STATUS_OK)
      return std::string("connect ") + info.host + ":" + std::to_string(info.port) + ": " + amqp_error_string2(rc);
    timeval rpc{5, 0};
    amqp_set_rpc_timeout(c_, &rpc);
    // "amqp://host/" parses as the vhost "", which nobody means: "/".
    const char* vhost = info.vhost && *info.vhost ? info.vhost : "/";
    amqp_rpc_reply_t r = amqp_login(c_, vhost, 0, 131072, 10, AMQP_SASL_METHOD_PLAIN, info.user, info.password);
    if (r.reply_type != AMQP_RESPONSE_NORMAL)
      return std::string("login to vhost ") + vhost + " as " + info.user + " refused" +
             (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION ? std::string(": ") + amqp_error_string2(r.library_error) : "");
    open_ = true;
    std::string err;
    amqp_channel_open(c_, 1);
    if (!rpc_ok(c_, &err, "channel.open")) return err;
    amqp_channel_open(c_, 2);
    if (!rpc_ok(c_, &err, "channel.open")) return err;
    const std::string dlx = o.queue + ".dlx", dead = o.queue + ".dead";
    amqp_exchange_declare(c_, 1, bytes(dlx), amqp_cstring_bytes("fanout"), 0, 1, 0, 0, amqp_empty_table);
    if (!rpc_ok(c_, &err, "exchange.declare")) return err;
    amqp_table_entry_t dead_args[] = {entry("x-queue-type", "quorum")};
    amqp_queue_declare(c_, 1, bytes(dead), 0, 1, 0, 0, {1, dead_args});
    if (!rpc_ok(c_, &err, "queue.declare dead letters")) return err;
    amqp_queue_bind(c_, 1, bytes(dead), bytes(dlx), amqp_empty_bytes, amqp_empty_table);
    if (!rpc_ok(c_, &err, "queue.bind")) return err;
    amqp_table_entry_t args[] = {entry("x-queue-type", "quorum"), entry("x-dead-letter-exchange", dlx)};
    amqp_queue_declare(c_, 1, bytes(o.queue), 0, 1, 0, 0, {2, args});
    if (!rpc_ok(c_, &err, "queue.declare")) return err;
    return {};
  }

  /// Ready messages in the queue and in its dead-letter queue.
  bool counts(const RabbitOptions& o, std::uint64_t& ready, std::uint64_t& dead) {
    auto* q = amqp_queue_declare(c_, 2, bytes(o.queue), 1, 0, 0, 0, amqp_empty_table);
    if (!q) return false;
    ready = q->message_count;
    auto* d = amqp_queue_declare(c_, 2, bytes(o.queue + ".dead"), 1, 0, 0, 0, amqp_empty_table);
    if (!d) return false;
    dead = d->message_count;
    return true;
  }

 private:
  amqp_connection_state_t c_ = nullptr;
  bool open_ = false;
};

RabbitQueue::RabbitQueue(RabbitOptions o) : o_(std::move(o)) {
  if (o_.publish) pub_thread_ = std::thread([this] { publisher(); });
  if (o_.consume) con_thread_ = std::thread([this] { consumer(); });
}

RabbitQueue::~RabbitQueue() {
  close();
  // Let the consumer send the acks the workers gave last (up to 2 s); what
  // it cannot send is redelivered, and deduplicated by key.
  for (int i = 0; i < 100 && con_up_; ++i) {
    {
      std::lock_guard lk(mu_);
      if (commands_.empty()) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  stop_ = true;
  pub_cv_.notify_all();
  if (pub_thread_.joinable()) pub_thread_.join();
  if (con_thread_.joinable()) con_thread_.join();
}

std::string RabbitQueue::new_id() {
  // Unix ms, a per-process counter and 32 random bits: unique across the
  // ingest processes of a cluster, and sorted by time like LogQueue's.
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  char id[40];
  std::snprintf(id, sizeof id, "%011llx%05llx%08x", static_cast<unsigned long long>(now_ms()),
                static_cast<unsigned long long>(++counter_ & 0xfffff), static_cast<unsigned>(rng() & 0xffffffffu));
  return id;
}

void RabbitQueue::submit(common::Envelope env, std::string data, Done done) {
  std::unique_lock lk(mu_);
  if (closed_ || stop_) {
    lk.unlock();
    return done(error::closed, "");
  }
  if (!pub_up_) {
    lk.unlock();
    return done(error::unavailable, "");  // the broker is unreachable
  }
  pending_.push_back({new_id(), std::move(env), std::move(data), now_ms(), std::move(done)});
  lk.unlock();
  pub_cv_.notify_one();
}

bool RabbitQueue::connect(Connection& conn, const char* who, std::chrono::milliseconds& backoff,
                          const std::function<bool(amqp_connection_state_t, std::string*)>& setup) {
  std::string err = conn.open(o_);
  if (err.empty() && setup(conn.get(), &err)) {
    backoff = std::chrono::milliseconds(100);
    return true;
  }
  log::line(log::Level::warn, "rabbitmq_retry",
            {{"who", who}, {"error", err}, {"retry_in_ms", std::to_string(backoff.count())}});
  for (auto end = Clock::now() + backoff; !stop_ && Clock::now() < end;) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  backoff = std::min(backoff * 2, o_.max_backoff);
  return false;
}

bool RabbitQueue::refresh_stats(Connection& conn, std::chrono::steady_clock::time_point& last) {
  if (Clock::now() - last < std::chrono::seconds(1)) return true;
  last = Clock::now();
  std::uint64_t ready = 0, dead = 0;
  if (!conn.counts(o_, ready, dead)) return false;
  std::lock_guard lk(mu_);
  broker_stats_.depth = ready;
  broker_stats_.dead_letters = dead;
  return true;
}

void RabbitQueue::publisher() {
  auto backoff = std::chrono::milliseconds(100);
  auto last_stats = Clock::now() - std::chrono::seconds(10);
  while (!stop_) {
    Connection conn;
    if (!connect(conn, "publisher", backoff, [](amqp_connection_state_t c, std::string* err) {
          amqp_confirm_select(c, 1);
          return rpc_ok(c, err, "confirm.select");
        }))
      continue;
    amqp_connection_state_t c = conn.get();
    ++reconnects_;
    pub_up_ = true;
    std::uint64_t next_tag = 1;
    bool broken = false;
    while (!stop_ && !broken) {
      std::deque<Pending> batch;
      {
        std::unique_lock lk(mu_);
        pub_cv_.wait_for(lk, std::chrono::milliseconds(100), [&] { return !pending_.empty() || stop_; });
        while (!pending_.empty() && batch.size() < 256) {
          batch.push_back(std::move(pending_.front()));
          pending_.pop_front();
        }
      }
      if (batch.empty()) {
        // Idle: read what the broker sent (heartbeats, connection.close).
        amqp_frame_t f;
        timeval tv{0, 0};
        int rc = amqp_simple_wait_frame_noblock(c, &f, &tv);
        if (rc != AMQP_STATUS_TIMEOUT &&
            (rc != AMQP_STATUS_OK || (f.frame_type == AMQP_FRAME_METHOD && (f.payload.method.id == AMQP_CONNECTION_CLOSE_METHOD ||
                                                                          f.payload.method.id == AMQP_CHANNEL_CLOSE_METHOD))))
          broken = true;
      }
      const std::uint64_t first = next_tag;
      for (auto& p : batch) {
        std::string accepted = std::to_string(p.accepted_ms), rcpt = join(p.env.rcpt);
        std::string key = common::message_key(p.env, p.data);
        std::string flags = std::string(p.env.tls ? "t" : "") + (p.env.body_8bit ? "8" : "") + (p.env.smtputf8 ? "u" : "");
        amqp_table_entry_t h[] = {entry("x-ps-key", key),          entry("x-ps-mail-from", p.env.mail_from),
                                  entry("x-ps-rcpt", rcpt),        entry("x-ps-helo", p.env.helo),
                                  entry("x-ps-client-ip", p.env.client_ip), entry("x-ps-accepted-ms", accepted),
                                  entry("x-ps-flags", flags)};
        amqp_basic_properties_t props{};
        props._flags = AMQP_BASIC_DELIVERY_MODE_FLAG | AMQP_BASIC_MESSAGE_ID_FLAG | AMQP_BASIC_HEADERS_FLAG |
                       AMQP_BASIC_CONTENT_TYPE_FLAG;
        props.delivery_mode = 2;  // persistent
        props.message_id = bytes(p.id);
        props.content_type = amqp_cstring_bytes("message/rfc822");
        props.headers = {static_cast<int>(std::size(h)), h};
        if (broken || amqp_basic_publish(c, 1, amqp_empty_bytes, bytes(o_.queue), 0, 0, &props, bytes(p.data)) != AMQP_STATUS_OK)
          broken = true;
        else
          ++next_tag;
      }
      // Wait for the broker's confirms of this batch.
      std::vector<int> state(batch.size(), 0);  // 0 unknown, 1 acked, -1 nacked
      std::size_t known = 0;
      auto deadline = Clock::now() + o_.confirm_timeout;
      while (!broken && known < next_tag - first) {
        auto left = std::chrono::duration_cast<std::chrono::microseconds>(deadline - Clock::now()).count();
        if (left <= 0) {
          broken = true;
          break;
        }
        timeval tv{static_cast<time_t>(left / 1000000), static_cast<suseconds_t>(left % 1000000)};
        amqp_frame_t f;
        int rc = amqp_simple_wait_frame_noblock(c, &f, &tv);
        if (rc != AMQP_STATUS_OK) {
          broken = true;
          break;
        }
        if (f.frame_type != AMQP_FRAME_METHOD) continue;
        auto mark = [&](std::uint64_t tag, bool multiple, int v) {
          for (std::uint64_t t = multiple ? first : tag; t <= tag && t < next_tag; ++t)
            if (t >= first && state[t - first] == 0) {
              state[t - first] = v;
              ++known;
            }
        };
        switch (f.payload.method.id) {
          case AMQP_BASIC_ACK_METHOD: {
            auto* a = static_cast<amqp_basic_ack_t*>(f.payload.method.decoded);
            mark(a->delivery_tag, a->multiple, 1);
            break;
          }
          case AMQP_BASIC_NACK_METHOD: {
            auto* n = static_cast<amqp_basic_nack_t*>(f.payload.method.decoded);
            mark(n->delivery_tag, n->multiple, -1);
            break;
          }
          case AMQP_CHANNEL_CLOSE_METHOD:
          case AMQP_CONNECTION_CLOSE_METHOD:
            broken = true;
            break;
          default:
            break;
        }
      }
      if (broken) pub_up_ = false;  // later submits tempfail until reconnected
      for (std::size_t i = 0; i < batch.size(); ++i)
        batch[i].done(state[i] == 1 ? std::error_code() : std::error_code(error::unavailable),
                      state[i] == 1 ? batch[i].id : std::string());
      amqp_maybe_release_buffers(c);
      if (!o_.consume && !broken && !refresh_stats(conn, last_stats)) broken = true;
    }
    pub_up_ = false;
    if (!stop_) log::line(log::Level::warn, "rabbitmq_lost", {{"who", "publisher"}});
  }
  // Whatever is still waiting gets a tempfail: the clients will retry.
  std::deque<Pending> left;
  {
    std::lock_guard lk(mu_);
    left.swap(pending_);
  }
  for (auto& p : left) p.done(error::closed, "");
}

void RabbitQueue::consumer() {
  auto backoff = std::chrono::milliseconds(100);
  std::uint64_t generation = 0;
  while (!stop_) {
    Connection conn;
    if (!connect(conn, "consumer", backoff, [this](amqp_connection_state_t c, std::string* err) {
          amqp_basic_qos(c, 1, 0, o_.prefetch, 0);
          if (!rpc_ok(c, err, "basic.qos")) return false;
          amqp_basic_consume(c, 1, bytes(o_.queue), amqp_empty_bytes, 0, 0, 0, amqp_empty_table);
          return rpc_ok(c, err, "basic.consume");
        }))
      continue;
    amqp_connection_state_t c = conn.get();
    ++generation;
    ++reconnects_;
    con_up_ = true;
    auto last_stats = Clock::now() - std::chrono::seconds(10);
    bool broken = false;
    while (!stop_ && !broken) {
      // Acks, requeues and dead-letterings the workers asked for (all of
      // them, delays or not, when stopping: nothing is left unsaid).
      std::vector<Command> now_due;
      {
        std::lock_guard lk(mu_);
        auto t = closed_ ? Clock::time_point::max() : Clock::now();
        auto split_at = std::stable_partition(commands_.begin(), commands_.end(), [&](const Command& x) { return x.due > t; });
        now_due.assign(split_at, commands_.end());
        commands_.erase(split_at, commands_.end());
      }
      for (const auto& cmd : now_due) {
        if (cmd.generation != generation) continue;  // the broker redelivers those itself
        int rc = cmd.kind == Command::ack ? amqp_basic_ack(c, 1, cmd.tag, 0)
                                          : amqp_basic_reject(c, 1, cmd.tag, cmd.kind == Command::requeue ? 1 : 0);
        if (rc != AMQP_STATUS_OK) broken = true;
      }
      if (!refresh_stats(conn, last_stats)) broken = true;
      if (broken) break;
      amqp_maybe_release_buffers(c);
      amqp_envelope_t env;
      timeval tv{0, 50000};
      amqp_rpc_reply_t r = amqp_consume_message(c, &env, &tv, 0);
      if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION && r.library_error == AMQP_STATUS_TIMEOUT) continue;
      if (r.reply_type != AMQP_RESPONSE_NORMAL) {
        if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION && r.library_error == AMQP_STATUS_UNEXPECTED_STATE) {
          amqp_frame_t f;
          if (amqp_simple_wait_frame(c, &f) != AMQP_STATUS_OK) broken = true;
          else if (f.frame_type == AMQP_FRAME_METHOD && (f.payload.method.id == AMQP_CHANNEL_CLOSE_METHOD ||
                                                         f.payload.method.id == AMQP_CONNECTION_CLOSE_METHOD))
            broken = true;
          continue;
        }
        broken = true;
        continue;
      }
      QueuedMessage m;
      m.id = str(env.message.properties.message_id);
      m.data = str(env.message.body);
      std::string flags;
      if (env.message.properties._flags & AMQP_BASIC_HEADERS_FLAG) {
        const amqp_table_t& t = env.message.properties.headers;
        for (int i = 0; i < t.num_entries; ++i) {
          std::string k = str(t.entries[i].key);
          const amqp_field_value_t& v = t.entries[i].value;
          if (k == "x-delivery-count") {
            m.attempts = static_cast<std::uint32_t>(std::max<std::int64_t>(0, as_int(v)));
            continue;
          }
          if (v.kind != AMQP_FIELD_KIND_UTF8 && v.kind != AMQP_FIELD_KIND_BYTES) continue;
          std::string s = str(v.value.bytes);
          if (k == "x-ps-key") m.key = s;
          else if (k == "x-ps-mail-from") m.env.mail_from = s;
          else if (k == "x-ps-rcpt") m.env.rcpt = split(s);
          else if (k == "x-ps-helo") m.env.helo = s;
          else if (k == "x-ps-client-ip") m.env.client_ip = s;
          else if (k == "x-ps-accepted-ms") m.accepted_ms = std::strtoll(s.c_str(), nullptr, 10);
          else if (k == "x-ps-flags") flags = s;
        }
      }
      m.env.tls = flags.find('t') != std::string::npos;
      m.env.body_8bit = flags.find('8') != std::string::npos;
      m.env.smtputf8 = flags.find('u') != std::string::npos;
      std::uint64_t tag = env.delivery_tag;
      amqp_destroy_envelope(&env);
      std::lock_guard lk(mu_);
      if (m.id.empty() || m.key.empty() || m.env.rcpt.empty()) {
        // Not ours, or damaged: keep it aside rather than guess.
        commands_.push_back({Command::dead, tag, generation, Clock::now()});
        continue;
      }
      if (in_hand_.count(m.id)) {  // a duplicate delivery of one we hold: let the first finish
        commands_.push_back({Command::requeue, tag, generation, Clock::now() + o_.retry.retry_delay});
        continue;
      }
      in_hand_[m.id] = {tag, generation, m.attempts, m.accepted_ms};
      ready_.push_back(std::move(m));
      take_cv_.notify_one();
    }
    con_up_ = false;
    {
      // Unacked deliveries of this connection return to the queue at the
      // broker; forget the local copies that no worker has taken yet.
      std::lock_guard lk(mu_);
      std::erase_if(ready_, [&](const QueuedMessage& m) {
        auto it = in_hand_.find(m.id);
        return it != in_hand_.end() && it->second.generation == generation;
      });
      std::erase_if(in_hand_, [&](const auto& kv) { return kv.second.generation == generation; });
      std::erase_if(commands_, [&](const Command& x) { return x.generation == generation; });
    }
    if (!stop_) log::line(log::Level::warn, "rabbitmq_lost", {{"who", "consumer"}});
  }
}

std::optional<QueuedMessage> RabbitQueue::take(std::chrono::milliseconds wait) {
  std::unique_lock lk(mu_);
  take_cv_.wait_for(lk, wait, [&] { return !ready_.empty() || closed_; });
  if (ready_.empty() || closed_) return std::nullopt;
  QueuedMessage m = std::move(ready_.front());
  ready_.pop_front();
  return m;
}

void RabbitQueue::ack(const std::string& id) {
  std::lock_guard lk(mu_);
  auto it = in_hand_.find(id);
  if (it == in_hand_.end()) return;  // its connection is gone; the broker redelivers it
  commands_.push_back({Command::ack, it->second.tag, it->second.generation, Clock::now()});
  in_hand_.erase(it);
}

void RabbitQueue::nack(const std::string& id, const std::string& reason, bool transient) {
  std::lock_guard lk(mu_);
  auto it = in_hand_.find(id);
  if (it == in_hand_.end()) return;
  const InHand h = it->second;
  in_hand_.erase(it);
  if (o_.retry.gives_up(h.attempts + 1, std::chrono::milliseconds(now_ms() - h.accepted_ms), transient)) {
    log::line(log::Level::warn, "dead_letter", {{"id", id}, {"attempts", std::to_string(h.attempts + 1)}, {"reason", reason}});
    commands_.push_back({Command::dead, h.tag, h.generation, Clock::now()});
    return;
  }
  log::line(log::Level::info, "deferred",
            {{"id", id}, {"attempt", std::to_string(h.attempts + 1)},
             {"retry_in_ms", std::to_string(o_.retry.delay(h.attempts + 1).count())}, {"reason", reason}});
  commands_.push_back({Command::requeue, h.tag, h.generation, Clock::now() + o_.retry.delay(h.attempts + 1)});
}

QueueStats RabbitQueue::stats() const {
  std::lock_guard lk(mu_);
  QueueStats s = broker_stats_;
  s.connected = (!o_.publish || pub_up_) && (!o_.consume || con_up_);
  s.in_flight = in_hand_.size();
  s.depth += in_hand_.size();
  std::int64_t oldest = 0;
  for (const auto& [id, h] : in_hand_)
    if (h.accepted_ms && (!oldest || h.accepted_ms < oldest)) oldest = h.accepted_ms;
  s.oldest_age_ms = oldest ? now_ms() - oldest : 0;
  return s;
}

void RabbitQueue::close() {
  {
    std::lock_guard lk(mu_);
    closed_ = true;
  }
  take_cv_.notify_all();
}

}  // namespace phishstream::queue
