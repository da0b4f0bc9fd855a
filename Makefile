# Job Scout: build, run and test ("make help" prints this).
#
#   make run     install packages, build, start the local stack, print the URL
#                (ports and places: HTTP_PORT 8080, PG_PORT 55432,
#                REDIS_PORT 56379, SMTP_PORT 2525, DEMO_BOARD_PORT 8091,
#                FCM_PORT 8092, STACK_DIR var; make stop takes the same)
#   make web     the pages' web root (conf/web: hashed assets) in $(BUILD)/web
#   make stop    stop everything make run started
#   make demo-post   one new posting on make run's demo board now
#   make seed-live   load real East African sources (needs the internet)
#   make test    build, start a private PostgreSQL/Redis, run every suite
#                (TESTS="t/100_x.t ..." runs only those; ports:
#                PG_PORT_TEST 55433, REDIS_PORT_TEST 56380, TEST_NGINX_PORT
#                1984)
#   make bench   wrk against /health/ready and a plain "return 200"
#                and the API routes, then the push path and matching, on a
#                private stack (ports: PG_PORT_BENCH 55434,
#                REDIS_PORT_BENCH 56381, BENCH_PORT 8089; BENCH_PARTS=nginx
#                for those parts only)
#   make analyze scan-build and cppcheck over the module and the workers;
#                fails on any finding (reports in build-analyze/scan)
#   make fuzz    libFuzzer targets of the workers' and the module's
#                parsers, FUZZ_SECONDS each (default 10); non-zero on a
#                crash (not in make test)
#   make chaos   faults (nginx reloads, PostgreSQL and Redis restarts,
#                FLUSHALL, kill -9 of each jobscoutd role) on a private
#                stack under load: one table; non-zero when a "must be 0"
#                is not (ports: PG_PORT_CHAOS 55435, REDIS_PORT_CHAOS
#                56382, CHAOS_PORT 8094, CHAOS_SMTP_PORT, CHAOS_BOARD_PORT,
#                CHAOS_FCM_PORT 8095-8097)
#   make deb     the Debian packages libnginx-mod-http-jobscout and
#                jobscoutd into build/deb (conf/debian/)
#
#   make help    this text
#
# SANITIZE=1 builds everything with AddressSanitizer and UBSan (into
# build-asan/); "make asan" is "make test SANITIZE=1".

SHELL       := /bin/bash
NGX_SRC     := /usr/share/nginx/src

SANITIZE    ?=
ifeq ($(SANITIZE),1)
BUILD       ?= build-asan
SAN_FLAGS   := -fsanitize=address,undefined -fno-omit-frame-pointer
else
BUILD       ?= build
SAN_FLAGS   :=
endif

MODULE      := $(BUILD)/nginx/ngx_http_jobscout_module.so
JOBSCOUTD   := $(BUILD)/jobscoutd

# Debian's own flags, so the module is binary-compatible with its nginx.
NGX_CC_OPT  := -g -O2 -fstack-protector-strong -Wformat \
               -Werror=format-security -fPIC -Wdate-time -D_FORTIFY_SOURCE=2 \
               $(SAN_FLAGS)
NGX_LD_OPT  := -Wl,-z,relro -Wl,-z,now -fPIC $(SAN_FLAGS)

MODULE_SRCS := $(wildcard ngx_module/*.c ngx_module/*.h) \
               $(addprefix workers/adapters/,catalogue.c catalogue.h \
                   selector.c selector.h) \
               $(addprefix workers/lib/,unsubscribe.c unsubscribe.h)

# Every Debian package the project needs: build, run, test, bench.
PACKAGES    := build-essential pkg-config nginx nginx-dev libpq-dev \
               libhiredis-dev libjansson-dev libjwt-dev libssl-dev \
               libcrypt-dev libcurl4-openssl-dev libnghttp2-dev libxml2-dev \
               postgresql-15 postgresql-contrib redis-server \
               wrk curl procps libtest-base-perl libtext-diff-perl \
               libtest-longstring-perl libipc-run-perl \
               liblist-moreutils-perl libwww-perl liburi-perl \
               libhttp-message-perl libcpanel-json-xs-perl \
               python3-aiosmtpd python3-cryptography \
               clang-tools cppcheck clang libclang-rt-dev lld \
               libpoppler-glib-dev \
               libzip-dev \
               qpdf \
               python3-botocore \
               lintian \
               dpkg-dev \
               systemd \
               docker-compose \
               logrotate \
               chromium \
               libmicrohttpd-dev \
               prometheus

STACK       := conf/stack.sh

# make analyze: its own build tree, rebuilt whole (-B) so every file is
# analysed.  cppcheck's "style" class is left out: most of it is
# variableScope, which nginx's declarations-on-top style contradicts.
ANALYZE     := build-analyze
SCAN_BUILD  := scan-build --status-bugs -o $(CURDIR)/$(ANALYZE)/scan
CPPCHECK    := cppcheck -q -j2 --std=c11 -D_GNU_SOURCE --inline-suppr \
               --enable=warning,performance,portability --error-exitcode=1
NGX_INCS    := $(addprefix -I$(NGX_SRC)/src/,core event event/modules \
                   os/unix http http/modules http/v2) -I$(ANALYZE)/nginx

.PHONY: all build module jobscoutd deps run stop migrate seed seed-live \
        demo-post test asan bench analyze fuzz chaos clean
.PHONY: deb help
.PHONY: web

all: build

build: module jobscoutd

module: $(MODULE)

# configure runs only when the addon config changes
$(BUILD)/nginx/Makefile: config
	@mkdir -p $(BUILD)/nginx
	cd $(NGX_SRC) && bash -c '. ./conf_flags && ./configure \
	    --with-cc-opt="$(NGX_CC_OPT)" --with-ld-opt="$(NGX_LD_OPT)" \
	    "$${NGX_CONF_FLAGS[@]}" --add-dynamic-module=$(CURDIR) \
	    --builddir=$(CURDIR)/$(BUILD)/nginx' \
	    > $(CURDIR)/$(BUILD)/configure.log 2>&1 \
	    || { tail -20 $(CURDIR)/$(BUILD)/configure.log; exit 1; }

$(MODULE): $(BUILD)/nginx/Makefile $(MODULE_SRCS)
	$(MAKE) -s -f $(CURDIR)/$(BUILD)/nginx/Makefile -C $(NGX_SRC) modules

jobscoutd:
	$(MAKE) -s -C workers BUILD=$(CURDIR)/$(BUILD) SANITIZE="$(SAN_FLAGS)" \
	    all test

deps:
	@missing=$$(dpkg-query -W -f='$${db:Status-Abbrev} $${Package}\n' \
	    $(PACKAGES) 2>/dev/null | awk '$$1 == "ii" { print $$2 }' \
	    | sort | comm -13 - <(tr ' ' '\n' <<< "$(PACKAGES)" \
	    | grep . | sort)); \
	if [ -n "$$missing" ]; then \
	    echo "installing:" $$missing; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	        apt-get install -y -qq --no-install-recommends $$missing; \
	else \
	    echo "all packages present"; \
	fi
	@# openresty's Test::Nginx (not in Debian): installed where CPAN would
	@# put it, from the copy beside the checkout, so that any clone finds it
	@if [ -n "$(TEST_NGINX_LIB)" ] \
	    && ! perl -MTest::Nginx::Socket -e1 2>/dev/null; then \
	    site=$$(perl -MConfig -e 'print $$Config{installsitelib}'); \
	    echo "installing Test::Nginx from $(TEST_NGINX_LIB) into $$site"; \
	    mkdir -p "$$site" && cp -r "$(TEST_NGINX_LIB)/Test" "$$site/"; \
	fi
	@# the pages' libraries and the browser tests' driver, as locked in
	@# conf/web/package-lock.json (no install scripts: none downloads a
	@# browser, none reports home).  npm comes with the machine's Node.js
	@# (whose package conflicts with Debian's npm): Debian's only without.
	@command -v npm >/dev/null || { apt-get update -qq \
	    && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	        --no-install-recommends npm; }
	@if ! cmp -s conf/web/package-lock.json \
	        conf/web/node_modules/.installed-lock.json; then \
	    cd conf/web && npm ci --ignore-scripts --no-audit --no-fund \
	    && cp package-lock.json node_modules/.installed-lock.json; \
	fi

web:
	conf/web/build.pl $(BUILD)/web

run: deps build web
	BUILD=$(BUILD) $(STACK) up

stop:
	$(STACK) down

migrate:
	BUILD=$(BUILD) $(STACK) migrate

seed:
	BUILD=$(BUILD) $(STACK) seed

seed-live:
	BUILD=$(BUILD) $(STACK) seed-live

demo-post:
	@$(STACK) demo-post

# openresty's Test::Nginx (its lib/) for make test: the copy beside the
# checkout when there is one, else an installed one (see README, Tests)
TEST_NGINX_LIB ?= $(abspath $(wildcard ../shared/test-nginx/lib))

test: build web
	BUILD=$(BUILD) SANITIZE=$(SANITIZE) TEST_NGINX_LIB=$(TEST_NGINX_LIB) \
	    $(STACK) test

asan:
	$(MAKE) test SANITIZE=1

bench: build
	BUILD=$(BUILD) $(STACK) bench

# Every check runs even after one fails, so one pass lists every finding.
analyze:
	$(MAKE) -s BUILD=$(ANALYZE) $(ANALYZE)/nginx/Makefile
	@rm -rf $(ANALYZE)/scan; status=0; \
	$(SCAN_BUILD) sh -c 'exec $(MAKE) -s -B -j2 \
	    -f $(CURDIR)/$(ANALYZE)/nginx/Makefile -C $(NGX_SRC) modules \
	    CC="$$CC"' || status=1; \
	$(SCAN_BUILD) $(MAKE) -s -B -j2 -C workers \
	    BUILD=$(CURDIR)/$(ANALYZE) all test || status=1; \
	$(CPPCHECK) $(NGX_INCS) -Ingx_module -Iworkers/lib -Iworkers/adapters \
	    ngx_module || status=1; \
	$(CPPCHECK) -Iworkers -Iworkers/lib -Iworkers/adapters -iworkers/fuzz \
	    workers || status=1; \
	if [ $$status -ne 0 ]; then echo "make analyze: findings above"; fi; \
	exit $$status

# Its own build dir: the targets are clang-built with -fsanitize=fuzzer;
# the module's need nginx's configured headers (build-fuzz/nginx).
fuzz:
	$(MAKE) -s BUILD=build-fuzz build-fuzz/nginx/Makefile
	$(MAKE) -s -j$$(nproc) -C workers BUILD=$(CURDIR)/build-fuzz fuzz
	workers/fuzz/run.sh build-fuzz

chaos: build
	BUILD=$(BUILD) t/chaos/run.pl

deb: build
	conf/debian/build.sh $(BUILD) $(BUILD)/deb

clean:
	rm -rf build build-asan build-analyze build-fuzz t/servroot

help:
	@sed -n '1,/^$$/s/^# \{0,1\}//p' $(firstword $(MAKEFILE_LIST))
