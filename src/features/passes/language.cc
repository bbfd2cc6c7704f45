// Pass "language": what phishing asks for, in the languages of the mail we
// see (English, Portuguese, German, Spanish, French): sign in / verify /
// update payment details (credential), act now or lose access (urgency),
// you have won / are owed (reward), cryptocurrency on offer or demanded
// (crypto). Phrases are matched on whole words.
#include <string>

#include "features/pass.h"

namespace phishstream::features {
namespace {

const PhraseSet& credential() {
  static const PhraseSet s{
      "verify your account", "verify your identity", "verify your email", "confirm your account",
      "confirm your identity", "confirm your password", "update your account", "update your payment",
      "update your billing", "update your information", "update your details", "payment information",
      "billing information", "your password", "password expires", "password will expire", "reset your password",
      "sign in to your account", "log in to your account", "login to your account", "login details",
      "login credentials", "account verification", "validate your account", "unusual sign in", "unusual activity",
      "suspicious activity", "unauthorized access", "mailbox is full", "mailbox quota", "email quota",
      "storage is full", "re-activate", "reactivate your account", "restore access", "security alert",
      "verify now", "confirm now", "update now", "your account has been", "account has been limited",
      "account has been suspended", "account has been locked", "account will be", "credit card details",
      "card details", "bank details", "social security number",
      // Portuguese
      "atualize seus dados", "atualizar seus dados", "confirme seus dados", "sua conta", "sua senha",
      "verificar sua conta", "dados cadastrais", "acesse sua conta", "cartão de crédito",
      // German
      "ihr konto", "ihre daten", "konto bestätigen", "daten bestätigen", "ihr passwort",
      "verifizieren sie", "aktualisieren sie", "zugangsdaten",
      // Spanish, French
      "su cuenta", "verifique su", "votre compte", "vos informations", "mot de passe"};
  return s;
}

const PhraseSet& urgency() {
  static const PhraseSet s{
      "within 00 hours", "within 00 hrs", "within 0 hours", "within 0 days", "immediately", "urgent",
      "final notice", "final warning", "last warning", "last chance", "act now", "expires today",
      "will be suspended", "will be closed", "will be terminated", "will be deleted", "will be disabled",
      "permanently deleted", "permanently disabled", "avoid suspension", "avoid interruption",
      "failure to", "as soon as possible", "limited time", "action required", "immediate action",
      "prazo", "imediatamente", "urgente", "será bloqueada", "será cancelada", "sofort", "dringend",
      "gesperrt", "letzte mahnung", "inmediatamente", "immédiatement"};
  return s;
}

const PhraseSet& reward() {
  static const PhraseSet s{
      "you have won", "you've won", "you won", "winner", "congratulations", "claim your", "free gift",
      "free spins", "prize", "reward", "refund", "cashback", "bonus", "lottery", "inheritance",
      "million dollars", "beneficiary", "gift card", "you have been selected", "selected to receive",
      "parabéns", "prêmio", "ganhou", "recompensa", "reembolso", "gewonnen", "gewinner", "gutschein",
      "rückerstattung", "felicidades", "premio", "félicitations", "gagnant"};
  return s;
}

// Cryptocurrency payouts, giveaways and ransoms: the lure a WordPress
// "Login Details" mail carries in the user name it was made to register
// ("www.x.blogspot.jp - 1.360 BTC BINANCE"), and extortion's payment.
// Its own signal, not reward language: a refund or a bonus is what
// ordinary commercial mail offers too.
const PhraseSet& crypto() {
  static const PhraseSet s{"bitcoin", "btc", "usdt", "ethereum", "binance", "airdrop", "withdraw funds",
                           "withdraw your funds", "crypto wallet", "bitcoin wallet"};
  return s;
}

class Language final : public Pass {
 public:
  std::string_view name() const noexcept override { return "language"; }
  void run(Context& ctx) const override {
    check(ctx, credential(), Signal::credential_language);
    check(ctx, urgency(), Signal::urgency_language);
    check(ctx, reward(), Signal::reward_language);
    check(ctx, crypto(), Signal::crypto_lure);
  }

 private:
  static void check(Context& ctx, const PhraseSet& set, Signal s) {
    std::string first;
    int n = set.count(ctx.subject_words(), &first) * 2 + set.count(ctx.body_words(), &first);
    if (n > 0) ctx.raise(s, "\"" + first + "\"", n >= 3 ? 1.5f : 1.0f);
  }
};

}  // namespace

std::unique_ptr<Pass> make_language() { return std::make_unique<Language>(); }

}  // namespace phishstream::features
