# ENC28J60 + Espruino: build, test, bench, simulate, flash.
# The two commands a newcomer needs: `make sim` and `make test` (see README.md).

BOARDS := sim pico espruino-wifi nucleo-f401re stm32f4discovery esp32
# Kaluma (JerryScript) boards: bundles in dist/kaluma/ (see README, "Kaluma").
KALUMA_BOARDS := kaluma-pico2 kaluma-pico
BOARD ?= pico
PORT ?=
NODE_BIN := node_modules/.bin
SIM_ARGS ?=
# Espruino's Linux build (optional): `make sim ESPRUINO=...` runs the board on it, `make bench`
# and `make test` add its figures and tests (see README, "The simulated board on Espruino's own interpreter").
ESPRUINO ?=
export ESPRUINO
# JerryScript's desktop engine (optional; JERRY=/a:/b for several builds): `make test` runs the
# Kaluma bundles on it and compares the wire with Node, `make bench` adds its heap and time figures.
JERRY ?=
export JERRY

# The user's own app (see README, "Your own app"): APP=<file.js> is the boot code; the library
# (its body .boot1 and the module "ENC28J60") goes next to it in Storage with the pieces the app uses (PIECES="http" to
# choose them, "+name"/"-name" to adjust); WWW=<dir>: the page files (default: www/ beside the app).
# Without APP: the default app, examples/demo/app.js (a normal app on the library, with its www/).
# (The firmware bundles dist/<board>.js, `make bundle`, are what the bench, the wire fingerprint and
# most tests run; `node build/tools/flash.js --board <b> --file dist/<b>.js` still flashes one.)
APP ?=
PIECES ?=
WWW ?=
IMAGE_ARGS = $(if $(APP),--app $(APP))$(if $(PIECES), --pieces "$(PIECES)")$(if $(WWW), --www $(WWW))

.PHONY: all setup build device bundle bundle-all test test-unit test-peer peer-deps gate bench bench-espruino sim sim-build run flash flash-check flash-dry-run image diagram clean

all: bundle-all

# APP=<file.ts>: a TypeScript app, compiled like device code (ES5, @types/espruino, the library's
# declarations types/enc28j60.d.ts, then the gate) to build/app/<name>.js, which is then the app
# (docs/typescript.md).
ifneq ($(filter %.ts,$(APP)),)
APP_TS := $(APP)
override APP := build/app/$(basename $(notdir $(APP_TS))).js
override WWW := $(or $(WWW),$(wildcard $(dir $(APP_TS))www))
$(APP): $(APP_TS) build/.run-host hal/espruino-augment.d.ts types/enc28j60.d.ts tsconfig.device.json
	node build/tools/app-ts.js $(APP_TS) $@
endif

# npm packages, installed once per package-lock change.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

setup: node_modules/.installed

# Host build: everything (device modules too, for host tests) for Node 20.
build: setup
	$(NODE_BIN)/tsc -p tsconfig.json

# Device build: ES5, lib es5, Espruino declarations only. The TCP table's readable rows are packed
# into firmware/tcp/packed.ts first (the form the device decodes).
device: build
	node build/tools/pack-table.js
	$(NODE_BIN)/tsc -p tsconfig.device.json

bundle: build device
	node build/tools/bundle.js $(BOARD)
	node build/tools/gen-assets.js

bundle-all: build device
	node build/tools/bundle.js $(BOARDS)
	node build/tools/bundle.js $(KALUMA_BOARDS)
	node build/tools/gate.js sim/prelude.js sim/espruino/prelude.js
	node build/tools/gen-assets.js

# The Espruino compatibility gate over every emitted bundle (also run by bundle).
gate: bundle-all
	node build/tools/gate.js dist/*.js dist/kaluma/*.js sim/prelude.js sim/espruino/prelude.js

# Debian packages the real-peer tests use (root only; a no-op when present).
peer-deps:
	bash tools/install-peer-deps.sh

test: setup peer-deps bundle-all
	$(NODE_BIN)/mocha

MOCHA_ONLY := $(NODE_BIN)/mocha --no-config --require build/test/setup.js --timeout 300000

test-unit: bundle-all
	$(MOCHA_ONLY) 'build/test/unit/**/*.test.js'

test-peer: peer-deps bundle-all
	$(MOCHA_ONLY) 'build/test/peer/**/*.test.js'

bench: bundle-all
	node --expose-gc build/bench/run.js

# ---- run / sim / flash: incremental (real file dependencies; nothing is rebuilt when nothing
# changed, so a second `make run` starts at once) and only what they need: the host side of the
# sim and the tools (tsconfig.run.json), the device build, and one board's bundle.
HOST_RUN_SRC := $(shell find hal drivers emu firmware boards sim tools -name '*.ts' 2>/dev/null) tsconfig.json tsconfig.run.json
DEVICE_SRC := $(shell find hal drivers firmware boards -name '*.ts' -not -path 'hal/host/*' 2>/dev/null) tsconfig.device.json
# npm packages: installed by `npm ci` (or here, once, when missing)
NODE_READY := node_modules/typescript/package.json

$(NODE_READY):
	npm ci --no-audit --no-fund

build/.run-host: $(HOST_RUN_SRC) | $(NODE_READY)
	$(NODE_BIN)/tsc -p tsconfig.run.json
	@touch $@

build/.device: $(DEVICE_SRC) build/.run-host | $(NODE_READY)
	node build/tools/pack-table.js
	$(NODE_BIN)/tsc -p tsconfig.device.json
	@touch $@

dist/%.js: build/.run-host build/.device
	node build/tools/bundle.js $*

dist/kaluma/%.js: build/.run-host build/.device
	node build/tools/bundle.js $*

dist/www/index.html: firmware/app/page.html build/.run-host
	node build/tools/gen-assets.js

build/.prelude-gate: sim/prelude.js sim/espruino/prelude.js build/.run-host
	node build/tools/gate.js sim/prelude.js sim/espruino/prelude.js
	@touch $@

# The simulated board: the default app (examples/demo) or APP= needs the device build of the
# library (build/.device); the firmware bundle and its page serve `--bundle dist/sim.js` and the
# real-interpreter engine (`npm run sim` builds this first).
sim-build: dist/sim.js dist/www/index.html build/.prelude-gate build/.device

# Only the real-interpreter figures: ESPRUINO=/path[:/path2] [ESPRUINO_BUNDLES="sim pico"]
# [ESPRUINO_REQUESTS=1000] [VALGRIND=1] make bench-espruino
bench-espruino: bundle-all
	node build/bench/run.js espruino

sim: sim-build $(APP_TS:%=$(APP))
	node build/sim/cli.js$(if $(ESPRUINO), --espruino $(ESPRUINO))$(if $(APP), --app $(APP))$(if $(filter command line,$(origin BOARD)),$(if $(filter-out sim,$(BOARD)), --board $(BOARD)))$(if $(PIECES), --pieces "$(PIECES)") $(SIM_ARGS)

# What `make flash` stores, as files: dist/<board>/storage/<Storage name> (.bootcde, ENC28J60, www/...).
image: build/.run-host build/.device $(APP_TS:%=$(APP))
	@if [ -z "$(filter $(BOARD),$(BOARDS))" ]; then echo "image: unknown board '$(BOARD)'; boards: $(BOARDS)" >&2; exit 2; fi
	node build/tools/image.js --board $(BOARD) $(IMAGE_ARGS)

# The main job: flash the board when one is attached (PORT=..., or BOARD=... given and one
# serial device present), otherwise run the simulated board on http://127.0.0.1:8080/
# (SIM_ARGS="--port 8081" for another port; `npm run sim -- --help` lists the options).
run:
	@port="$(PORT)"; \
	if [ -z "$$port" ] && [ "$(origin BOARD)" = "command line" ]; then \
	  set -- $$(ls /dev/ttyACM* /dev/ttyUSB* 2>/dev/null); [ $$# -eq 1 ] && port=$$1; \
	fi; \
	if [ -n "$$port" ]; then \
	  echo "run: flashing $(BOARD) on $$port"; $(MAKE) --no-print-directory flash BOARD=$(BOARD) PORT=$$port; \
	elif [ "$(origin BOARD)" = "command line" ] && [ "$(BOARD)" != "sim" ]; then \
	  echo "run: no $(BOARD) attached (no single /dev/ttyACM* or /dev/ttyUSB*; give PORT=<device>): simulating the $(BOARD) board's configuration instead"; \
	  $(MAKE) --no-print-directory sim; \
	else \
	  echo "run: no board attached (give BOARD=<board> with one board plugged in, or PORT=<device>): simulating"; \
	  $(MAKE) --no-print-directory sim; \
	fi

# Checked before anything is built: the board exists, PORT is given and is there.
FLASH_BOARDS := $(filter-out sim,$(BOARDS)) $(KALUMA_BOARDS)
flash-check:
	@if [ -z "$(filter $(BOARD),$(FLASH_BOARDS))" ]; then \
	  echo "flash: unknown board '$(BOARD)'; boards: $(FLASH_BOARDS)" >&2; exit 2; fi
	@if [ -n "$(APP)" ] && [ -n "$(filter $(BOARD),$(KALUMA_BOARDS))" ]; then \
	  echo "flash: APP= is for Espruino boards (the ENC28J60 module is an Espruino module); $(BOARD) runs Kaluma" >&2; exit 2; fi
	@if [ -z "$(PORT)" ]; then \
	  echo "flash: PORT= is required (try: make flash BOARD=$(BOARD) PORT=$$(ls /dev/ttyACM* /dev/ttyUSB* 2>/dev/null | head -n 1 | grep . || echo /dev/ttyACM0)," >&2; \
	  echo "       $(if $(filter $(BOARD),$(KALUMA_BOARDS)),to see,or a board on the network: PORT=tcp://192.168.1.5:23; to see) what would be sent: make flash-dry-run BOARD=$(BOARD))" >&2; exit 2; fi
	@case "$(PORT)" in tcp://*) ;; *) if [ ! -c "$(PORT)" ]; then \
	  echo "flash: serial device $(PORT) does not exist (is the board plugged in? attached now: $$(ls /dev/ttyACM* /dev/ttyUSB* 2>/dev/null | tr '\n' ' ' | grep . || echo none))" >&2; exit 2; fi;; esac

ifneq ($(filter $(BOARD),$(KALUMA_BOARDS)),)
# Kaluma boards: the page files, then the program, with the @kaluma/cli tool (tools/flash-kaluma.ts)
flash: flash-check
	@$(MAKE) --no-print-directory dist/kaluma/$(BOARD).js dist/www/index.html
	node build/tools/flash-kaluma.js --board $(BOARD) --port "$(PORT)"
else
# The app (APP=..., else the default app examples/demo): its Storage image (make image), every file stored unchanged
flash: flash-check
	@$(MAKE) --no-print-directory image
	node build/tools/flash.js --board $(BOARD) --port "$(PORT)" --image dist/$(BOARD)/storage
endif

# The exact code `make flash` would send, without a board: build/flash/<board>-upload.js
# (Kaluma boards: build/flash/<board>-serial.bin, every byte the kaluma CLI would send).
flash-dry-run: $(APP_TS:%=$(APP))
	@if [ -z "$(filter $(BOARD),$(FLASH_BOARDS))" ]; then \
	  echo "flash: unknown board '$(BOARD)'; boards: $(FLASH_BOARDS)" >&2; exit 2; fi
	@mkdir -p build/flash
ifneq ($(filter $(BOARD),$(KALUMA_BOARDS)),)
	@$(MAKE) --no-print-directory dist/kaluma/$(BOARD).js dist/www/index.html
	node build/tools/flash-kaluma.js --board $(BOARD) --dry-run build/flash/$(BOARD)-serial.bin
else
	@$(MAKE) --no-print-directory image
	node build/tools/flash.js --board $(BOARD) --image dist/$(BOARD)/storage --dry-run build/flash/$(BOARD)-upload.js
endif

diagram: build
	node build/tools/diagram.js

clean:
	rm -rf build dist
