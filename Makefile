# phishstream: the two commands are `make run` and `make test`.
BUILD      ?= build
JOBS       ?= $(shell nproc)
CORPUS     ?= $(if $(PHISHSTREAM_CORPUS),$(PHISHSTREAM_CORPUS),$(if $(wildcard ../shared/corpus/MANIFEST.tsv),../shared/corpus,var/npm-corpus))
MODEL      ?= var/model.psm
SAMPLES    ?= samples

.PHONY: all deps build test run asan fuzz bench clean model scan-samples

all: build

deps:
	@bash scripts/install-deps.sh

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

# Sanitizer build (AddressSanitizer + UBSan) used by the corpus robustness test.
asan: deps
	cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPHISHSTREAM_SANITIZE=ON -DPHISHSTREAM_BENCH=OFF
	cmake --build build-asan -j $(JOBS) --target corpus_sanitize_test

fuzz: deps
	CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPHISHSTREAM_FUZZ=ON -DPHISHSTREAM_TESTS=OFF
	cmake --build build-fuzz -j $(JOBS) --target fuzz_parse_features

test: build asan
	cd $(BUILD) && ctest --output-on-failure -j 2 --timeout 1500

# The model is trained from the corpus given to the product, never committed.
$(MODEL): | build
	@bash scripts/ensure-corpus.sh "$(CORPUS)"
	$(BUILD)/phishstream train --manifest "$(CORPUS)/MANIFEST.tsv" --out $(MODEL)

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
