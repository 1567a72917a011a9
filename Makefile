# coda: `make demo` and `make test` do everything on a fresh Debian 12 machine (as root).
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?= -DPython3_EXECUTABLE=/usr/bin/python3
BUILD := build/release

.PHONY: all deps build debug test demo bench clean models sanitize fuzz

all: build

deps:
	@scripts/install-deps.sh

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS)

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

debug: deps
	cmake -S . -B build/debug -DCMAKE_BUILD_TYPE=Debug $(CMAKE_FLAGS)
	cmake --build build/debug -j $(JOBS)

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

demo: build
	@scripts/demo.sh $(BUILD)/apps/coda/coda

# The whole suite under ASan + UBSan, and the threaded parts under ThreadSanitizer (scripts/sanitize.sh).
sanitize: deps
	@JOBS=$(JOBS) scripts/sanitize.sh

# A libFuzzer campaign over every parser (scripts/fuzz.sh; FUZZ_SECONDS per target, default 300).
fuzz: deps
	@scripts/fuzz.sh

bench: build
	@scripts/bench.sh $(BUILD)

# Retrains the fixture models (needs CODA_TRAIN_DEPS=1 scripts/install-deps.sh; minutes of CPU).
models:
	CODA_TRAIN_DEPS=1 scripts/install-deps.sh
	/usr/bin/python3 models/train_fixtures.py

clean:
	rm -rf build
