# Hotline — build, run and test.
#   make run      install what is missing, start a private PostgreSQL under ./var, migrate, serve
#   make test     build, unit + integration tests on a throwaway PostgreSQL, OpenAPI lint
#   make san      the same tests under ASan+UBSan
#   make bench    side-by-side benchmark (tests/bench/README.md)
#   make fuzz     libFuzzer harnesses for a bounded time
#   make fault    the long fault-injection suite
#   make valgrind the integration suite with every hotlined under valgrind memcheck
#   make sqlmap   sqlmap against the ticket list/search parameters, bounded in time
# Variants build into their own folder: build/ (production), build/test (test clock), build/san.

BUILD        ?= build
EXTRA_CFLAGS ?=
EXTRA_LDFLAGS ?=
CC           ?= cc
PKGS         := libmicrohttpd jansson libpq libcurl libcrypto
VERSION      := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

PKG_CFLAGS   = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS     = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CFLAGS       ?= -O2 -g
HL_CFLAGS     = $(CFLAGS) -std=c17 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
                -Wno-missing-field-initializers -pthread -Iservice -I$(BUILD)/gen \
                -DHOTLINE_VERSION='"$(VERSION)"' $(PKG_CFLAGS) $(EXTRA_CFLAGS)
LDLIBS       = $(PKG_LIBS) -lm -pthread $(EXTRA_LDFLAGS)

SERVICE_SRC  := $(sort $(shell find service -name '*.c' ! -name main.c))
SERVICE_OBJ  := $(SERVICE_SRC:%.c=$(BUILD)/obj/%.o)
MIGRATIONS   := $(sort $(wildcard migrations/*.sql))
UNIT_SRC     := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN     := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/unit/%)
IT_SRC       := $(sort $(wildcard tests/integration/test_*.c))
IT_BIN       := $(IT_SRC:tests/integration/%.c=$(BUILD)/tests/integration/%)
FAULT_SRC    := $(sort $(wildcard tests/fault/test_*.c))
FAULT_BIN    := $(FAULT_SRC:tests/fault/%.c=$(BUILD)/tests/integration/%)
IT_LIB_SRC   := $(sort $(wildcard tests/integration/harness*.c))
IT_LIB_OBJ   := $(IT_LIB_SRC:%.c=$(BUILD)/obj/%.o)
TEST_VARIANT := BUILD=build/test EXTRA_CFLAGS=-DHOTLINE_TESTING
# What only the tests need: promtool (Debian ships it in prometheus), docker-compose (validates
# deploy/docker-compose.yml without an engine) and systemd-analyze (verifies the unit file).
TEST_PKGS    := prometheus docker-compose systemd \
                python3 python3-yaml clang-14 libclang-rt-14-dev openssl
SAN_FLAGS    := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
SAN_VARIANT  := BUILD=build/san CFLAGS="-O1 -g" EXTRA_CFLAGS="-DHOTLINE_TESTING $(SAN_FLAGS)" \
                EXTRA_LDFLAGS="$(SAN_FLAGS)"

FUZZ_SRC     := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BIN     := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/bin/%)
FUZZ_FLAGS   := -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
FUZZ_VARIANT := BUILD=build/fuzz CC=clang-14 CFLAGS="-O1 -g" \
                EXTRA_CFLAGS="-DHOTLINE_TESTING $(FUZZ_FLAGS)" EXTRA_LDFLAGS="$(FUZZ_FLAGS)"

.PHONY: all deps test-deps run stop-db test test-bins san bench fuzz fault lint-openapi clean format \
        fuzz-build fuzz-bins valgrind sqlmap

all: $(BUILD)/hotlined

deps:
	@deploy/local/deps.sh

test-deps:
	@deploy/local/deps.sh $(TEST_PKGS)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(HL_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/tools/embed: tools/embed.c
	@mkdir -p $(dir $@)
	$(CC) -O1 -Wall -Wextra -Werror -o $@ $<

# The list of migration files, rewritten only when it changes, so deleting or renaming a
# migration rebuilds the embedded set too (a file's own changes are caught by its date).
$(BUILD)/gen/migrations.list: FORCE
	@mkdir -p $(dir $@)
	@echo '$(MIGRATIONS)' | cmp -s - $@ || echo '$(MIGRATIONS)' > $@

$(BUILD)/gen/migrations_embedded.c: $(BUILD)/tools/embed $(MIGRATIONS) $(BUILD)/gen/migrations.list
	@mkdir -p $(dir $@)
	$(BUILD)/tools/embed $@ $(MIGRATIONS)

$(BUILD)/obj/gen/migrations_embedded.o: $(BUILD)/gen/migrations_embedded.c
	@mkdir -p $(dir $@)
	$(CC) $(HL_CFLAGS) -c $< -o $@

$(BUILD)/libhotline.a: $(SERVICE_OBJ) $(BUILD)/obj/gen/migrations_embedded.o
	@rm -f $@
	@ar rcs $@ $^

$(BUILD)/hotlined: $(BUILD)/obj/service/main.o $(BUILD)/libhotline.a
	@echo "  LD      $@"
	@$(CC) $(HL_CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/unit/%: tests/unit/%.c $(BUILD)/libhotline.a
	@mkdir -p $(dir $@)
	@echo "  CCLD    $@"
	@$(CC) $(HL_CFLAGS) -o $@ $^ $(LDLIBS) -lcmocka

$(BUILD)/tests/integration/%: tests/integration/%.c $(IT_LIB_OBJ) $(BUILD)/libhotline.a
	@mkdir -p $(dir $@)
	@echo "  CCLD    $@"
	@$(CC) $(HL_CFLAGS) -Itests/integration -o $@ $^ $(LDLIBS) -lcmocka

# The fault suite (tests/fault/) runs beside the integration binaries: tests/run.sh gives it a
# database of its own; HOTLINE_FAULT_LONG=1 (make fault) makes its runs longer.
$(BUILD)/tests/integration/test_fault_%: tests/fault/test_fault_%.c tests/fault/fault.h $(IT_LIB_OBJ) $(BUILD)/libhotline.a
	@mkdir -p $(dir $@)
	@echo "  CCLD    $@"
	@$(CC) $(HL_CFLAGS) -Itests/integration -Itests/fault -o $@ $< $(IT_LIB_OBJ) $(BUILD)/libhotline.a $(LDLIBS) -lcmocka

test-bins: $(BUILD)/hotlined $(UNIT_BIN) $(IT_BIN) $(FAULT_BIN)

run: deps
	@$(MAKE) --no-print-directory all
	@deploy/local/run.sh

stop-db:
	@deploy/local/pg.sh stop var

test: test-deps
	@$(MAKE) --no-print-directory $(TEST_VARIANT) test-bins
	@$(MAKE) --no-print-directory all
	@tests/run.sh build/test build/hotlined
	@tests/fuzz/run.sh $${FUZZ_SHORT_SECONDS:-3}
	@$(MAKE) --no-print-directory lint-openapi

san: test-deps
	@$(MAKE) --no-print-directory $(SAN_VARIANT) test-bins
	@$(MAKE) --no-print-directory all
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  tests/run.sh build/san build/hotlined

lint-openapi:
	@tests/lint-openapi.sh

bench: deps
	@deploy/local/deps.sh wrk
	@$(MAKE) --no-print-directory all
	@tests/bench/run.sh

fuzz: test-deps
	@tests/fuzz/run.sh $${FUZZ_SECONDS:-60}

# libFuzzer harnesses: the service library built by clang with ASan+UBSan (build/fuzz).
fuzz-build:
	@$(MAKE) --no-print-directory $(FUZZ_VARIANT) fuzz-bins

fuzz-bins: $(FUZZ_BIN)

$(BUILD)/bin/fuzz_%: tests/fuzz/fuzz_%.c $(BUILD)/libhotline.a
	@mkdir -p $(dir $@)
	@echo "  FUZZ    $@"
	@$(CC) $(HL_CFLAGS) -fsanitize=fuzzer -o $@ $^ $(LDLIBS)

# Memory check of the integration suite, and sqlmap against the list/search parameters;
# results are recorded in tests/fault/README.md.
valgrind: test-deps
	@tests/fault/valgrind.sh

sqlmap: test-deps
	@tests/fault/sqlmap.sh $${SQLMAP_SECONDS:-1200}

fault: test-deps
	@$(MAKE) --no-print-directory $(TEST_VARIANT) test-bins
	@HOTLINE_FAULT_LONG=1 tests/run.sh build/test build/hotlined fault

format:
	clang-format -i $$(find service tests tools -name '*.[ch]')

clean:
	rm -rf build

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

FORCE:
