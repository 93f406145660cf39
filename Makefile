# Thin wrapper over CMake: `make` builds build/anvil; `make run` and `make test`
# first install what is missing (Debian packages), then build. `make test`
# runs every test, then the unit, MPI and CLI tests again under ASan + UBSan
# (ASAN_BUILD); `make fuzz` runs each libFuzzer target FUZZ_SECONDS (60).
BUILD ?= build
ASAN_BUILD ?= build-asan
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: all deps configure run test test-sanitize fuzz clean

all: configure
	cmake --build $(BUILD) -j $(JOBS)

configure:
	@test -f $(BUILD)/CMakeCache.txt || cmake -S . -B $(BUILD) $(CMAKE_FLAGS)

deps:
	@scripts/install-deps.sh

run: deps all
	scripts/run-local.sh $(BUILD)/anvil

test: deps all
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) $(CTEST_ARGS)
	JOBS=$(JOBS) scripts/test-sanitize.sh $(ASAN_BUILD)

test-sanitize: deps
	JOBS=$(JOBS) scripts/test-sanitize.sh $(ASAN_BUILD)

fuzz:
	@scripts/install-deps.sh fuzz
	scripts/fuzz.sh

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) build-fuzz
