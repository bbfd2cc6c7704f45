#!/usr/bin/env bash
# Installs every Debian package phishstream needs to build, test and run.
# Idempotent: when nothing is missing it prints nothing and touches nothing.
set -euo pipefail

PKGS=(
  build-essential cmake ninja-build pkg-config clang libclang-rt-14-dev
  libgmime-3.0-dev
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libpsl-dev publicsuffix libidn2-dev libicu-dev libxxhash-dev zlib1g-dev
  libzbar-dev libpng-dev libjpeg62-turbo-dev
  libcli11-dev libspdlog-dev libfmt-dev libtomlplusplus-dev
  libsqlite3-dev libsodium-dev libzstd-dev libmimalloc-dev libsystemd-dev dpkg-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  bogofilter python3 util-linux
  libssl-dev swaks libnet-ssleay-perl libio-socket-ssl-perl sqlite3 openssl
  chromium prometheus postfix dovecot-core dovecot-lmtpd dovecot-sieve dovecot-imapd systemd curl spamc rspamd
  librabbitmq-dev rabbitmq-server libpq-dev postgresql postgresql-client
  libunbound-dev nsd python3-dkim python3-spf python3-dnspython python3-nacl
)

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js and npm come with this kind of machine (not from Debian's
# packages, which would conflict); the browser tests need them.
command -v node >/dev/null && command -v npm >/dev/null || echo "install-deps: node and npm are missing; the browser tests need them" >&2
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# Postfix is only run as throwaway test instances: no system configuration.
echo "postfix postfix/main_mailer_type select No configuration" | $SUDO debconf-set-selections
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
