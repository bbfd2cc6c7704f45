# phishstream: the two commands are `make run` and `make test`.
BUILD      ?= build
JOBS       ?= $(shell nproc)
# The shared data (corpus/, tricky/): $PHISHSTREAM_SHARED, else ../shared, else
# ../shared beside the checkout this one was cloned from (git clone . /tmp/x).
SHARED     ?= $(firstword $(PHISHSTREAM_SHARED) $(abspath $(wildcard ../shared)) \
                $(shell d="$$(git remote get-url origin 2>/dev/null)"; \
                        [ -d "$$d/../shared/corpus" ] && realpath "$$d/../shared"))
CORPUS     ?= $(if $(PHISHSTREAM_CORPUS),$(PHISHSTREAM_CORPUS),$(if $(wildcard $(SHARED)/corpus/MANIFEST.tsv),$(SHARED)/corpus,var/npm-corpus))
MODEL      ?= var/model.psm
TWINS      ?= var/twins-train
SAMPLES    ?= samples

SHARED_DIRS = $(if $(SHARED),-DPS_CORPUS_DIR=$(SHARED)/corpus -DPS_TRICKY_DIR=$(SHARED)/tricky)

.PHONY: all deps build test test-asan run asan fuzz bench clean model scan-samples install deb

all: build

deps:
	@bash scripts/install-deps.sh

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release $(SHARED_DIRS)

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

# Sanitizer build (AddressSanitizer + UBSan): `make asan` builds only the
# corpus robustness test that `make test` runs; `make test-asan` builds
# every test there and runs the whole suite, its e2e tests on that build's
# phishstream (docs/fuzzing.md "Sanitizers").
ASAN_CONFIGURE = cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPHISHSTREAM_SANITIZE=ON \
                 -DPHISHSTREAM_BENCH=OFF $(SHARED_DIRS)
# Leaks are reported, except the one-time allocations of GLib/GMime, ICU and
# libpsl listed in tests/corpus/lsan.supp; any UBSan report stops the process.
# Reports go to files under build-asan/sanitizer-reports/ (not stderr), and
# any there fails the run: one from a phishstream serve inside an e2e test
# (whose output would go to its serve.log) too.
ASAN_REPORTS = $(abspath build-asan/sanitizer-reports)
ASAN_ENV = ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:log_path=$(ASAN_REPORTS)/asan \
           UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:log_path=$(ASAN_REPORTS)/ubsan \
           LSAN_OPTIONS=suppressions=$(abspath tests/corpus/lsan.supp):print_suppressions=0
# corpus_sanitize_test is left to `make test`, which runs it already.
ASAN_CTEST_ARGS ?= -E '^corpus_sanitize_test$$'

asan: deps
	$(ASAN_CONFIGURE)
	cmake --build build-asan -j $(JOBS) --target corpus_sanitize_test

test-asan: deps
	@[ -f "$(SHARED)/corpus/MANIFEST.tsv" ] || { echo "make test-asan: the labelled corpus is missing;" \
	  "put the shared data at ../shared or set PHISHSTREAM_SHARED" >&2; exit 1; }
	$(ASAN_CONFIGURE)
	cmake --build build-asan -j $(JOBS)
	rm -rf $(ASAN_REPORTS) && mkdir -p $(ASAN_REPORTS)
	cd build-asan && rc=0 && { $(ASAN_ENV) ctest --output-on-failure -j 2 --timeout 1500 $(ASAN_CTEST_ARGS) || rc=$$?; } && \
	  if [ -n "$$(ls -A $(ASAN_REPORTS))" ]; then head -n 60 $(ASAN_REPORTS)/*; \
	    echo "make test-asan: sanitizer reports in $(ASAN_REPORTS)" >&2; exit 1; fi && exit $$rc

# libFuzzer targets (clang), one per parser or protocol: docs/fuzzing.md.
FUZZ_TARGETS = fuzz_parse_features fuzz_css_pdf fuzz_qr fuzz_office fuzz_smtp_session fuzz_milter \
               fuzz_http_api fuzz_config fuzz_model fuzz_spamd fuzz_sender fuzz_rules

fuzz: deps
	CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPHISHSTREAM_FUZZ=ON -DPHISHSTREAM_TESTS=OFF
	cmake --build build-fuzz -j $(JOBS) --target $(FUZZ_TARGETS)

test: build asan
	@[ -f "$(SHARED)/corpus/MANIFEST.tsv" ] || { echo "make test: the labelled corpus is missing;" \
	  "put the shared data at ../shared or set PHISHSTREAM_SHARED" >&2; exit 1; }
	cd $(BUILD) && ctest --output-on-failure -j 2 --timeout 1500

# The model is trained from the corpus given to the product, never committed,
# with brand twins (phishing copies of its legitimate branded mail, from the
# train pool) and QR copies of its phishing (quishing) as phishing:
# docs/architecture.md "Model".
# Retrained when the feature layout (features/vector.h, kLayout) changes.
$(MODEL): src/features/vector.h | build
	@bash scripts/ensure-corpus.sh "$(CORPUS)"
	python3 tools/brand_twins.py --manifest "$(CORPUS)/MANIFEST.tsv" --out $(TWINS) --pool train --split all
	python3 tools/attack.py --manifest "$(CORPUS)/MANIFEST.tsv" --emit-train $(TWINS)
	$(BUILD)/phishstream train --manifest "$(CORPUS)/MANIFEST.tsv" --twins $(TWINS)/MANIFEST.tsv --out $(MODEL)
	$(BUILD)/phishstream eval --model $(MODEL) --manifest "$(CORPUS)/MANIFEST.tsv" --figures $(MODEL).figures.json > /dev/null

model: $(MODEL)

# make run starts the filter with its embedded defaults (state in ./var).
run: build $(MODEL)
	$(BUILD)/phishstream scan --model $(MODEL) --format text --no-progress $(SAMPLES) | head -40
	exec $(BUILD)/phishstream serve

# Scan the hand-written samples only.
scan-samples: build $(MODEL)
	$(BUILD)/phishstream scan --model $(MODEL) --format text $(SAMPLES)

# Installs the binary, the UI, the man pages, /etc/phishstream/phishstream.toml,
# /var/lib/phishstream and the systemd units (cmake/install.cmake); PREFIX
# (default /usr) and DESTDIR as usual. The package does the rest: make deb.
PREFIX     ?= /usr
install: build
	cmake --install $(BUILD) --prefix $(PREFIX)

# The Debian package, build/phishstream_<version>_<arch>.deb (CPack; its
# postinst makes the phishstream user): docs/operations.md "Install".
deb: build
	cd $(BUILD) && cpack -G DEB

bench: build
	$(BUILD)/bench/bench_pipeline

clean:
	rm -rf $(BUILD) build-asan build-fuzz
