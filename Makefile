# Thin wrapper over CMake: `make` builds build/anvil; `make run` and `make test`
# first install what is missing (Debian packages), then build.
BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: all deps configure run test clean sanitize

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

clean:
	rm -rf $(BUILD)
