// The public-key half of DKIM: SHA-256 and RSA / Ed25519 verification
// through OpenSSL's EVP interface (OpenSSL 3). OpenSSL stays inside this file.
#include <memory>

#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "sender/dkim_detail.h"

namespace phishstream::sender::dkim_detail {
namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct CtxFree {
  void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

const unsigned char* bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

/// p= of an RSA key: RFC 6376 says SubjectPublicKeyInfo; some publish the
/// bare PKCS#1 RSAPublicKey, which other verifiers accept too.
Pkey rsa_key(std::string_view der) {
  const unsigned char* p = bytes(der);
  Pkey k(d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
  if (k && p != bytes(der) + der.size()) k.reset();  // trailing garbage
  if (!k) {
    p = bytes(der);
    k.reset(d2i_PublicKey(EVP_PKEY_RSA, nullptr, &p, static_cast<long>(der.size())));
    if (k && p != bytes(der) + der.size()) k.reset();
  }
  if (k && EVP_PKEY_get_base_id(k.get()) != EVP_PKEY_RSA) k.reset();
  return k;
}

}  // namespace

std::string sha256(std::string_view data) {
  std::string out(32, '\0');
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), reinterpret_cast<unsigned char*>(out.data()), &len, EVP_sha256(), nullptr);
  return out;
}

Check verify_digest(KeyType type, std::string_view key, std::string_view digest, std::string_view signature,
                    std::size_t min_rsa_bits, std::size_t max_rsa_bits, int& bits) {
  bits = 0;
  if (type == KeyType::ed25519) {
    if (key.size() != 32) return Check::bad_key;
    Pkey k(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, bytes(key), key.size()));
    if (!k) return Check::bad_key;
    bits = 256;
    std::unique_ptr<EVP_MD_CTX, MdCtxFree> md(EVP_MD_CTX_new());
    if (!md || EVP_DigestVerifyInit(md.get(), nullptr, nullptr, nullptr, k.get()) != 1) return Check::bad_key;
    int ok = EVP_DigestVerify(md.get(), bytes(signature), signature.size(), bytes(digest), digest.size());
    return ok == 1 ? Check::good : Check::bad_signature;
  }
  Pkey k = rsa_key(key);
  if (!k) return Check::bad_key;
  bits = EVP_PKEY_get_bits(k.get());
  if (bits < 0 || static_cast<std::size_t>(bits) < min_rsa_bits) return Check::key_too_short;
  if (static_cast<std::size_t>(bits) > max_rsa_bits) return Check::key_too_long;
  std::unique_ptr<EVP_PKEY_CTX, CtxFree> ctx(EVP_PKEY_CTX_new(k.get(), nullptr));
  if (!ctx || EVP_PKEY_verify_init(ctx.get()) != 1 || EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) != 1 ||
      EVP_PKEY_CTX_set_signature_md(ctx.get(), EVP_sha256()) != 1)
    return Check::bad_key;
  int ok = EVP_PKEY_verify(ctx.get(), bytes(signature), signature.size(), bytes(digest), digest.size());
  return ok == 1 ? Check::good : Check::bad_signature;
}

}  // namespace phishstream::sender::dkim_detail
