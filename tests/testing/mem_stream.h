// MemStream: an in-memory AsyncStream for driving protocol sessions in
// tests, in the spirit of Beast's test::stream with fail_count.
//
// The test feeds input with feed() (or all at once), reads what the session
// wrote with output(), and can make the Nth read or write fail with
// connection_reset. A read with no input pending waits until feed(),
// close_input() (EOF) or cancel() (operation_aborted), so deadlines can be
// tested. With set_write_capacity(n), the peer takes only n bytes in all (a
// client that stops reading): a write past that takes what fits, and the
// next waits until cancel(). Single-threaded: use it from the io_context's
// thread only.
#pragma once

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <algorithm>
#include <cstring>
#include <optional>
#include <string>

namespace phishstream::testing {

class MemStream {
 public:
  using executor_type = boost::asio::any_io_executor;
  explicit MemStream(executor_type ex, int fail_on = 0) : ex_(std::move(ex)), fail_on_(fail_on) {}

  executor_type get_executor() const { return ex_; }

  void feed(std::string s) {
    in_ += s;
    complete_read();
  }
  void close_input() {
    eof_ = true;
    complete_read();
  }
  void cancel() {
    for (auto* p : {&pending_, &pending_write_}) {
      if (!*p) continue;
      auto h = std::move(**p);
      p->reset();
      boost::asio::post(ex_, [h = std::move(h)]() mutable { std::move(h)(boost::asio::error::operation_aborted, 0); });
    }
  }
  void set_write_capacity(std::size_t n) { write_capacity_ = n; }
  void close() { cancel(); }
  const std::string& output() const { return out_; }
  int calls() const { return calls_; }

  template <class MutableBuffers, class Token>
  auto async_read_some(const MutableBuffers& b, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [this, b](auto handler) {
          if (fail_now()) return post(std::move(handler), boost::asio::error::connection_reset, 0);
          read_buf_ = boost::asio::mutable_buffer(boost::asio::buffer_sequence_begin(b)->data(),
                                                  boost::asio::buffer_sequence_begin(b)->size());
          pending_.emplace(std::move(handler));
          complete_read();
        },
        token);
  }

  template <class ConstBuffers, class Token>
  auto async_write_some(const ConstBuffers& b, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [this, b](auto handler) {
          if (fail_now()) return post(std::move(handler), boost::asio::error::connection_reset, 0);
          std::size_t n = 0;
          for (auto it = boost::asio::buffer_sequence_begin(b); it != boost::asio::buffer_sequence_end(b); ++it) {
            std::size_t k = std::min(it->size(), write_capacity_ - std::min(write_capacity_, out_.size()));
            out_.append(static_cast<const char*>(it->data()), k);
            n += k;
          }
          if (n == 0 && boost::asio::buffer_size(b) > 0) {
            pending_write_.emplace(std::move(handler));  // the peer reads no more
            return;
          }
          post(std::move(handler), {}, n);
        },
        token);
  }

 private:
  using Handler = boost::asio::any_completion_handler<void(boost::system::error_code, std::size_t)>;

  bool fail_now() { return ++calls_ == fail_on_; }

  template <class H>
  void post(H h, boost::system::error_code ec, std::size_t n) {
    boost::asio::post(ex_, [h = std::move(h), ec, n]() mutable { std::move(h)(ec, n); });
  }

  void complete_read() {
    if (!pending_) return;
    if (!in_.empty()) {
      std::size_t n = std::min(in_.size(), read_buf_.size());
      std::memcpy(read_buf_.data(), in_.data(), n);
      in_.erase(0, n);
      auto h = std::move(*pending_);
      pending_.reset();
      post(std::move(h), {}, n);
    } else if (eof_) {
      auto h = std::move(*pending_);
      pending_.reset();
      post(std::move(h), boost::asio::error::eof, 0);
    }
  }

  executor_type ex_;
  int fail_on_;
  int calls_ = 0;
  std::string in_, out_;
  bool eof_ = false;
  boost::asio::mutable_buffer read_buf_;
  std::optional<Handler> pending_, pending_write_;
  std::size_t write_capacity_ = static_cast<std::size_t>(-1);
};

}  // namespace phishstream::testing
