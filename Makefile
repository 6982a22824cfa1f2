# ENC28J60 + Espruino: build, test, bench, simulate, flash.
# The two commands a newcomer needs: `make sim` and `make test` (see README.md).

BOARDS := sim pico espruino-wifi nucleo-f401re stm32f4discovery esp32
BOARD ?= pico
PORT ?=
NODE_BIN := node_modules/.bin
SIM_ARGS ?=
# Espruino's Linux build (optional): `make sim ESPRUINO=...` runs the board on it, `make bench`
# and `make test` add its figures and tests (see README, "The simulated board on Espruino's own interpreter").
ESPRUINO ?=
export ESPRUINO

.PHONY: all setup build device bundle bundle-all test test-unit test-peer peer-deps gate bench bench-espruino sim run flash diagram clean

all: bundle-all

# npm packages, installed once per package-lock change.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

setup: node_modules/.installed

# Host build: everything (device modules too, for host tests) for Node 20.
build: setup
	$(NODE_BIN)/tsc -p tsconfig.json

# Device build: ES5, lib es5, Espruino declarations only.
device: setup
	$(NODE_BIN)/tsc -p tsconfig.device.json

bundle: build device
	node build/tools/bundle.js $(BOARD)
	node build/tools/gen-assets.js

bundle-all: build device
	node build/tools/bundle.js $(BOARDS)
	node build/tools/gate.js sim/prelude.js sim/espruino/prelude.js
	node build/tools/gen-assets.js

# The Espruino compatibility gate over every emitted bundle (also run by bundle).
gate: bundle-all
	node build/tools/gate.js dist/*.js sim/prelude.js sim/espruino/prelude.js

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

# Only the real-interpreter figures: ESPRUINO=/path[:/path2] [ESPRUINO_BUNDLES="sim pico"]
# [ESPRUINO_REQUESTS=1000] [VALGRIND=1] make bench-espruino
bench-espruino: bundle-all
	node build/bench/run.js espruino

sim: bundle-all
	node build/sim/cli.js $(if $(ESPRUINO),--espruino $(ESPRUINO)) $(SIM_ARGS)

# The main job: flash the board when one is attached (PORT=..., or BOARD=... given and one
# serial device present), otherwise run the simulated board on http://127.0.0.1:8080/.
run:
	@port="$(PORT)"; \
	if [ -z "$$port" ] && [ "$(origin BOARD)" = "command line" ]; then \
	  set -- $$(ls /dev/ttyACM* /dev/ttyUSB* 2>/dev/null); [ $$# -eq 1 ] && port=$$1; \
	fi; \
	if [ -n "$$port" ]; then \
	  echo "run: flashing $(BOARD) on $$port"; $(MAKE) --no-print-directory flash BOARD=$(BOARD) PORT=$$port; \
	else \
	  echo "run: no board attached (give BOARD=<board> with one board plugged in, or PORT=<device>): simulating"; \
	  $(MAKE) --no-print-directory sim; \
	fi

flash: bundle
	node build/tools/flash.js --board $(BOARD) --port "$(PORT)"

diagram: build
	node build/tools/diagram.js

clean:
	rm -rf build dist
