// Store: one database that keeps all of the service's concerns,
// each behind its own interface:
//
//   MessageStore   (message_store.h)   records, raw messages, delivery ledger
//   AuthStore      (auth_store.h)      users, bearer tokens, sessions
//   ModelRegistry  (model_registry.h)  models with lineage, live history, feedback
//   TrustStore     (trust_store.h)     pending user reports, personal exceptions, audit log
//   PolicyStore    (policy_store.h)    recipient policies as edited in the UI, every version
//
// A backend (sqlite/sqlite_store.h, postgres/pg_store.h) implements the
// five over one database (SQLite: one file with a write and a read
// connection; PostgreSQL: one connection pool) and derives from Store;
// serve/backends.h opens the configured one. Code that uses one concern
// takes that interface (the worker a MessageStore, auth::Auth an AuthStore,
// learn::Learner a ModelRegistry), so that what it may touch is in its
// signature; Store is for the code that opens a store and hands the three
// out, and for callers that need more than one.
//
// The store depends on no other stage: auth, learn, the worker, the API
// and serve include these headers, never the other way round.
// Thread-safe; reads return Read<T> (read.h).
#pragma once

#include "store/auth_store.h"
#include "store/message_store.h"
#include "store/model_registry.h"
#include "store/policy_store.h"
#include "store/read.h"
#include "store/trust_store.h"

namespace phishstream::store {

class Store : public MessageStore, public AuthStore, public ModelRegistry, public TrustStore, public PolicyStore {
 public:
  ~Store() override = default;
  /// Whether the database answers now (a server may be away); for
  /// readiness checks. An embedded store always does.
  virtual bool reachable() { return true; }
};

}  // namespace phishstream::store
