# bss: the two commands are `make run` and `make test`. Everything else is here too.
JOBS      ?= $(shell nproc 2>/dev/null || echo 2)
BUILD     := build
ASAN      := build/asan
LISTEN    ?= 127.0.0.1:8080
DATA_DIR  ?= ./var

.PHONY: all deps build asan run test unit e2e bench fuzz clean format

all: build

deps:
	@scripts/install-deps

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DBSS_TESTS=OFF >/dev/null

build: $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS) --target bss

$(ASAN)/CMakeCache.txt:
	cmake -S . -B $(ASAN) -DCMAKE_BUILD_TYPE=Debug -DBSS_SANITIZE=ON -DBSS_TESTS=ON >/dev/null

asan: $(ASAN)/CMakeCache.txt
	cmake --build $(ASAN) -j $(JOBS)

run: deps build
	$(BUILD)/bss serve --demo --default-country NL --data-dir $(DATA_DIR) --listen $(LISTEN)

# Unit tests (SQLite and PostgreSQL) and e2e tests (both backends), under ASan+UBSan.
test: deps asan
	scripts/run-tests $(ASAN)

unit: asan
	scripts/run-tests --unit-only $(ASAN)

e2e: asan
	scripts/run-tests --e2e-only $(ASAN)

bench: deps build
	bench/run.sh $(BUILD)/bss
	bench/run-catalog.sh $(BUILD)
	bench/run-catalog-compile.sh $(BUILD)
	bench/run-search.sh $(BUILD)
	bench/run-cdr.sh $(BUILD)
	bench/run-import.sh $(BUILD)
	bench/run-import-lines.sh $(BUILD)
	bench/run-whatif.sh $(BUILD)
	bench/run-online.sh $(BUILD)
	bench/run-lines.sh $(BUILD)

fuzz: deps
	cmake -S . -B build/fuzz -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Debug -DBSS_FUZZ=ON -DBSS_TESTS=OFF >/dev/null
	cmake --build build/fuzz -j $(JOBS)
	scripts/run-fuzz build/fuzz

format:
	clang-format -i $$(git ls-files 'src/*.c' 'src/*.h' 'tests/unit/*.c' 'fuzz/*.c')

clean:
	rm -rf build
