# dnsbump top-level build. `make` builds into build/; see README.md.
.DEFAULT_GOAL := all

SAN ?= 0
CC ?= cc
ifeq ($(origin CC),default)
CC := gcc
endif

ifeq ($(SAN),1)
BUILD ?= build-san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
OPT := -O1
else
BUILD ?= build
SANFLAGS :=
OPT := -O2
endif

WARN := -Wall -Wextra -Werror -Wshadow -Wpointer-arith -Wstrict-prototypes \
	-Wmissing-prototypes -Wvla
CFLAGS ?= $(OPT) -g
# The CPU the build is for: SSE4.2, the baseline Debian's DPDK is built for
# (its pkg-config asks -march=corei7), so the daemon needs it anyway; the
# packet library uses SSE4.1 where it is there (the record walk's PTEST)
# and builds without it too (ARCH_CFLAGS= for another target).
ARCH_CFLAGS ?= -msse4.2
BASE_CFLAGS := -std=gnu11 $(WARN) -MMD -MP $(SANFLAGS) $(ARCH_CFLAGS) $(CFLAGS)
LDFLAGS_ALL := $(SANFLAGS) $(LDFLAGS)

PKGS_TEST := cmocka ldns
CMOCKA_CFLAGS = $(shell pkg-config --cflags cmocka)
CMOCKA_LIBS = $(shell pkg-config --libs cmocka)
LDNS_CFLAGS = $(shell pkg-config --cflags ldns)
LDNS_LIBS = $(shell pkg-config --libs ldns)

# ---- the pure packet core: no DPDK include path, which proves it stays pure
CORE_SRC := $(wildcard dataplane/*.c)
CORE_OBJ := $(CORE_SRC:%.c=$(BUILD)/obj/%.o)
CORE_LIB := $(BUILD)/libdnsbump_core.a
# What a program linked with the core needs besides it (the flow count's
# estimate: log, sqrt).
CORE_LIBS := -lm

$(BUILD)/obj/dataplane/%.o: dataplane/%.c
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) -Idataplane -c $< -o $@

$(CORE_LIB): $(CORE_OBJ)
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

# ---- the daemon: control plane and DPDK platform
DPDK_CFLAGS = $(shell pkg-config --cflags libdpdk)
DPDK_LIBS = $(shell pkg-config --libs libdpdk)
LIBCONFIG_CFLAGS = $(shell pkg-config --cflags libconfig)
LIBCONFIG_LIBS = $(shell pkg-config --libs libconfig)
DAEMON_SRC := $(wildcard platform/*.c) control/config.c control/report.c control/telemetry.c \
	control/diag.c control/names.c control/json.c
DAEMON_OBJ := $(DAEMON_SRC:%.c=$(BUILD)/obj/%.o)
DAEMON := $(BUILD)/dnsbump

$(BUILD)/obj/platform/%.o: platform/%.c
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) -Idataplane -Icontrol -Iplatform $(DPDK_CFLAGS) $(LIBCONFIG_CFLAGS) -c $< -o $@

$(BUILD)/obj/control/%.o: control/%.c
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) -Idataplane -Icontrol -Iplatform $(DPDK_CFLAGS) $(LIBCONFIG_CFLAGS) -c $< -o $@

$(DAEMON): $(DAEMON_OBJ) $(CORE_LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS_ALL) $^ -o $@ $(DPDK_LIBS) $(LIBCONFIG_LIBS) -lpcap $(CORE_LIBS)

# ---- dnsbumpctl: no DPDK library, talks to the telemetry socket
MHD_CFLAGS = $(shell pkg-config --cflags libmicrohttpd)
MHD_LIBS = $(shell pkg-config --libs libmicrohttpd)
CTL_SRC := control/ctl.c control/json.c control/prom.c control/diag.c control/report.c \
	control/names.c
CTL_OBJ := $(CTL_SRC:control/%.c=$(BUILD)/obj/ctl/%.o)
CTL := $(BUILD)/dnsbumpctl

$(BUILD)/obj/ctl/%.o: control/%.c
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) -Idataplane -Icontrol $(MHD_CFLAGS) -c $< -o $@

$(CTL): $(CTL_OBJ) $(CORE_LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS_ALL) $^ -o $@ $(MHD_LIBS) $(CORE_LIBS)

# ---- dnsbump-probe: active path tester on ldns, no DPDK
PROBE_SRC := control/probe.c control/probe_ladder.c control/probe_report.c control/json.c
PROBE_OBJ := $(PROBE_SRC:control/%.c=$(BUILD)/obj/probe/%.o)
PROBE := $(BUILD)/dnsbump-probe

$(BUILD)/obj/probe/%.o: control/%.c
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) -Icontrol $(LDNS_CFLAGS) -c $< -o $@

$(PROBE): $(PROBE_OBJ)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS_ALL) $^ -o $@ $(LDNS_LIBS)

# ---- test support and tools built on the core alone
COMMON_SRC := $(wildcard tests/common/*.c)
COMMON_OBJ := $(COMMON_SRC:%.c=$(BUILD)/obj/%.o)

$(BUILD)/obj/tests/%.o: tests/%.c
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) -Idataplane -Icontrol -Itests/common $(CMOCKA_CFLAGS) $(LDNS_CFLAGS) -c $< -o $@

UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

# Control-plane code with no DPDK in it, unit-tested like the core.
CONTROL_PURE_OBJ := $(BUILD)/obj/control/diag.o $(BUILD)/obj/control/config.o \
	$(BUILD)/obj/probe/probe_ladder.o $(BUILD)/obj/probe/probe_report.o $(BUILD)/obj/probe/json.o

$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(COMMON_OBJ) $(CONTROL_PURE_OBJ) $(CORE_LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS_ALL) $^ -o $@ $(CMOCKA_LIBS) $(LDNS_LIBS) $(LIBCONFIG_LIBS) $(CORE_LIBS)

# Fuzz targets replayed over their corpus by an ordinary binary.
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_NAMES := $(FUZZ_SRC:tests/fuzz/%.c=%)
REPLAY_BIN := $(FUZZ_NAMES:%=$(BUILD)/tests/replay_%)

$(BUILD)/tests/replay_%: $(BUILD)/obj/tests/fuzz/%.o $(BUILD)/obj/tests/fuzz/replay_main.o $(CORE_LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS_ALL) $^ -o $@ $(CORE_LIBS)

TOOLS_SRC := $(wildcard tests/tools/*.c)
TOOLS_BIN := $(TOOLS_SRC:tests/tools/%.c=$(BUILD)/%)

$(BUILD)/%: $(BUILD)/obj/tests/tools/%.o $(COMMON_OBJ) $(CORE_LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS_ALL) $^ -o $@ $(CORE_LIBS)

.SECONDARY:
.PHONY: all setup test test-unit test-san test-integration fuzz fuzz-run demo bench clean
all: $(CORE_LIB) $(DAEMON) $(CTL) $(PROBE) $(TOOLS_BIN) $(UNIT_BIN) $(REPLAY_BIN)

setup:
	@toolchain/setup


# Unit tests: no root needed.
NOROOT_SCRIPTS := tests/golden/test_core_replay.py tests/golden/test_burst_replay.py \
	tests/golden/test_query_floor.py tests/golden/test_prefetch_kept.py \
	tests/config/test_config_check.py
test-unit: $(UNIT_BIN) $(REPLAY_BIN) $(TOOLS_BIN) $(DAEMON) $(CTL) $(PROBE)
	@DNSB_BUILD=$(BUILD) toolchain/run-tests $(BUILD) $(UNIT_BIN) $(REPLAY_BIN) $(NOROOT_SCRIPTS)

# Tests that run DPDK or build network namespaces: root, packages from
# toolchain/setup. A missing package or privilege fails them, never skips.
ROOT_SCRIPTS := $(wildcard tests/golden/test_offline_*.py) $(wildcard tests/integration/test_*.sh)
test-integration: $(DAEMON) $(CTL) $(PROBE) $(TOOLS_BIN)
	@DNSB_BUILD=$(BUILD) toolchain/run-tests $(BUILD) $(ROOT_SCRIPTS)

# The same tests under ASan + UBSan, built with clang.
test-san:
	$(MAKE) SAN=1 CC=clang test-unit

# libFuzzer targets (clang, ASan + UBSan). Their tables, small, count as
# crowded once an entry is live (DNSB_FT_FUZZ_CROWDED), so that the burst
# loop for crowded tables is fuzzed too, the other one while they are empty.
FUZZ_BIN := $(FUZZ_NAMES:%=build/fuzz/%)
FUZZ_FLAGS := -std=gnu11 $(WARN) $(ARCH_CFLAGS) -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all -Idataplane -DDNSB_FT_FUZZ_CROWDED
build/fuzz/%: tests/fuzz/%.c $(CORE_SRC) $(wildcard dataplane/*.h)
	@mkdir -p $(@D)
	clang $(FUZZ_FLAGS) $< $(CORE_SRC) -o $@ $(CORE_LIBS)
fuzz: $(FUZZ_BIN)

FUZZ_SECONDS ?= 30
fuzz-run: fuzz
	@toolchain/fuzz-run $(FUZZ_SECONDS) $(FUZZ_NAMES)

# Everything, as CI runs it.
test: setup
	$(MAKE) test-unit
	$(MAKE) test-san
	$(MAKE) fuzz-run
	$(MAKE) test-integration
	@echo "make test: all stages passed"

# Benchmarks: dnsbump against dpdk-testpmd on the same virtual devices.
# The packages first, then the build: `make -j` must not build before setup.
bench: setup
	$(MAKE) all
	@/usr/bin/python3 toolchain/bench $(BENCH_SECONDS) $(BENCH_PAIRS)
	@toolchain/bench-tables $(BENCH_TABLE_SECONDS) $(BENCH_TABLE_ROUNDS)
	@toolchain/bench-latency $(BENCH_QUERIES) $(BENCH_LAT_ROUNDS)
BENCH_SECONDS ?= 4
BENCH_PAIRS ?= 5
BENCH_QUERIES ?= 2000
BENCH_LAT_ROUNDS ?= 3
BENCH_TABLE_SECONDS ?= 3
BENCH_TABLE_ROUNDS ?= 6

demo: setup
	$(MAKE) all
	@toolchain/demo $(BUILD)

clean:
	rm -rf build build-san

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
