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

.PHONY: all deps build test run asan fuzz bench clean model scan-samples

all: build

deps:
	@bash scripts/install-deps.sh

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release $(SHARED_DIRS)

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

# Sanitizer build (AddressSanitizer + UBSan) used by the corpus robustness test.
asan: deps
	cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPHISHSTREAM_SANITIZE=ON -DPHISHSTREAM_BENCH=OFF $(SHARED_DIRS)
	cmake --build build-asan -j $(JOBS) --target corpus_sanitize_test

fuzz: deps
	CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPHISHSTREAM_FUZZ=ON -DPHISHSTREAM_TESTS=OFF
	cmake --build build-fuzz -j $(JOBS) --target fuzz_parse_features fuzz_css_pdf fuzz_qr fuzz_office

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

model: $(MODEL)

# make run starts the filter with its embedded defaults (state in ./var).
run: build $(MODEL)
	$(BUILD)/phishstream scan --model $(MODEL) --format text --no-progress $(SAMPLES) | head -40
	exec $(BUILD)/phishstream serve

# Scan the hand-written samples only.
scan-samples: build $(MODEL)
	$(BUILD)/phishstream scan --model $(MODEL) --format text $(SAMPLES)

bench: build
	$(BUILD)/bench/bench_pipeline

clean:
	rm -rf $(BUILD) build-asan build-fuzz
