# mailtls — GNU make front end.  See README.md.
#
#   make            build/mailtls and build/libmailtls.a
#   make check      every test: unit, fake-server scenarios, real servers, ASan/UBSan, fuzz smoke
#   make deps       install every Debian package needed to build and test (idempotent)
#   make install    PREFIX=/usr/local DESTDIR=
#   make fuzz       libFuzzer targets in build/fuzz/ (clang)
#   make asan       sanitizer build in build/asan/

PREFIX  ?= /usr/local
DESTDIR ?=
CC      ?= cc
B       ?= build
PKGS     = openssl libevent libevent_pthreads libunbound libcurl jansson sqlite3 libidn2 libpq
# libcurl is compiled against but loaded on first use (lib/net/curl_lazy.c), so it is not linked.
LINK_PKGS = openssl libevent libevent_pthreads libunbound jansson sqlite3 libidn2 libpq

# Evaluated on first use, not when the Makefile is read: in `make deps check` on a fresh machine
# pkg-config and the -dev packages only exist once the deps goal has run.
PKG_CFLAGS = $(eval PKG_CFLAGS := $$(shell pkg-config --cflags $$(PKGS) 2>/dev/null))$(PKG_CFLAGS)
PKG_LIBS   = $(eval PKG_LIBS := $$(shell pkg-config --libs $$(LINK_PKGS) 2>/dev/null))$(PKG_LIBS)

CFLAGS  ?= -O2 -g
WARN     = -Wall -Wextra -Wshadow -Wno-unused-parameter -Wstrict-prototypes
CPPFLAGS += -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Iinclude -Ilib $(PKG_CFLAGS)
LDLIBS  += $(PKG_LIBS) -lm

LIB_SRCS  := $(sort $(wildcard lib/*/*.c))
CLI_SRCS  := $(sort $(wildcard src/*.c))
TEST_SRCS := $(sort $(wildcard tests/unit/test_*.c))
FUZZ_SRCS := $(sort $(wildcard fuzz/fuzz_*.c))

LIB_OBJS  := $(LIB_SRCS:%.c=$(B)/obj/%.o)
CLI_OBJS  := $(CLI_SRCS:%.c=$(B)/obj/%.o)
TEST_BINS := $(TEST_SRCS:tests/unit/%.c=$(B)/tests/%)
FUZZ_BINS := $(FUZZ_SRCS:fuzz/%.c=$(B)/fuzz/%)

.PHONY: all check unit scenario real sanitize fuzz fuzz-smoke fuzz-long asan deps install clean demo bench docs-check

all: $(B)/mailtls

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -MMD -MP -c -o $@ $<

$(B)/libmailtls.a: $(LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(B)/mailtls: $(CLI_OBJS) $(B)/libmailtls.a
	$(CC) $(CFLAGS) -o $@ $(CLI_OBJS) $(B)/libmailtls.a $(LDFLAGS) $(LDLIBS)

$(B)/tests/%: tests/unit/%.c $(B)/libmailtls.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -o $@ $< $(B)/libmailtls.a $(LDFLAGS) $(LDLIBS) -lcmocka

unit: $(TEST_BINS)
	@tests/run-unit.sh $(TEST_BINS)

# Scenario tests against the project's own scripted fake servers.
scenario: all
	@tests/fake/run.sh $(B)/mailtls

# Real servers from Debian's packages on loopback (needs root): Postfix for `host`, Knot +
# libunbound, nginx + libcurl, the whole domain lab for `check`, and --full enumeration.
real: all $(B)/libmailtls.a
	@tests/real/run.sh $(B)/mailtls
	@tests/unit/resolver-lab.sh
	@tests/real/http-lab.sh
	@tests/real/check.sh $(B)/mailtls
	@tests/real/verdict-lab.sh $(B)/mailtls
	@tests/real/dane-oracle.sh $(B)/mailtls
	@tests/real/changes.sh $(B)/mailtls
	@tests/real/report.sh $(B)/mailtls
	@tests/real/scan.sh $(B)/mailtls
	@tests/real/pgscale.sh $(B)/mailtls
	@tests/real/mitm.sh $(B)/mailtls --all
	@tests/real/loopback-only.sh $(B)/mailtls
	@tests/real/policyd.sh $(B)/mailtls
	@tests/real/advise.sh $(B)/mailtls
	@if [ -x tests/real/full.sh ]; then tests/real/full.sh $(B)/mailtls; fi
	@if [ -x tests/fake/full.sh ]; then tests/fake/full.sh $(B)/mailtls; fi
	@tests/fake/proto.sh $(B)/mailtls
	@tests/real/provider.sh $(B)/mailtls

# The fake-server scenarios (SMTP and legacy TLS), the Postfix host tests and the domain checks
# again under AddressSanitizer, LeakSanitizer and UndefinedBehaviorSanitizer.
asan:
	$(MAKE) B=build/asan CC=clang CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" LDFLAGS="-fsanitize=address,undefined" all $(patsubst $(B)/%,build/asan/%,$(TEST_BINS))

sanitize: asan
	@tests/run-unit.sh $(patsubst $(B)/%,build/asan/%,$(TEST_BINS))
	@ASAN_OPTIONS=detect_leaks=1 tests/fake/run.sh build/asan/mailtls
	@tests/real/run.sh build/asan/mailtls
	@ASAN_OPTIONS=detect_leaks=1:exitcode=86 tests/fake/full.sh build/asan/mailtls
	@ASAN_OPTIONS=detect_leaks=1 tests/fake/mitm.sh build/asan/mailtls
	@tests/real/check.sh build/asan/mailtls
	@tests/real/verdict-lab.sh build/asan/mailtls
	@SCANLAB_N=1000 tests/real/scan.sh build/asan/mailtls
	@ASAN_OPTIONS=detect_leaks=1 tests/fake/proto.sh build/asan/mailtls
	@POLICYD_LOAD_TOTAL=20000 POLICYD_RSS_CHECK=0 tests/real/policyd.sh build/asan/mailtls

FUZZ_CFLAGS = -O1 -g -fsanitize=fuzzer-no-link,address,undefined
fuzz:
	$(MAKE) B=build/fuzzlib CC=clang CFLAGS="$(FUZZ_CFLAGS)" build/fuzzlib/libmailtls.a
	@mkdir -p $(B)/fuzz
	@for f in $(FUZZ_SRCS); do n=$$(basename $$f .c); \
	  echo "  FUZZ $$n"; \
	  clang $(CPPFLAGS) -O1 -g -fsanitize=fuzzer,address,undefined -o $(B)/fuzz/$$n $$f build/fuzzlib/libmailtls.a $(LDLIBS) || exit 1; done

fuzz-smoke: fuzz
	@tests/run-fuzz.sh $(B)/fuzz $(FUZZ_SECONDS)

# Every fuzz target to at least FUZZ_RUNS executions with its corpus, one target at a time
# (FUZZ_LONG_FORK children, default 1), the minimised corpus kept in fuzz/corpus/; figures in
# docs/internals/fuzz-long.md.  Not in `check`.
FUZZ_RUNS ?= 10000000
fuzz-long: fuzz
	@fuzz/long.sh $(B)/fuzz $(FUZZ_RUNS)

docs-check: all
	@tests/docs-check.sh $(B)/mailtls

check: all unit docs-check scenario real sanitize fuzz-smoke
	@echo "make check: all suites passed"

deps:
	@tools/install-deps.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(B)/mailtls $(DESTDIR)$(PREFIX)/bin/mailtls
	install -m 644 $(B)/libmailtls.a $(DESTDIR)$(PREFIX)/lib/libmailtls.a
	install -m 644 include/mailtls.h $(DESTDIR)$(PREFIX)/include/mailtls.h
	install -m 644 man/mailtls.1 $(DESTDIR)$(PREFIX)/share/man/man1/mailtls.1

bench: all
	@bench/run.sh $(B)/mailtls

demo: all
	@tests/lab/demo.sh $(B)/mailtls

clean:
	rm -rf build

-include $(LIB_OBJS:.o=.d) $(CLI_OBJS:.o=.d)
