# ENC28J60 + Espruino: build, test, bench, simulate, flash.
# The two commands a newcomer needs: `make sim` and `make test` (see README.md).

BOARDS := sim pico espruino-wifi nucleo-f401re stm32f4discovery esp32
BOARD ?= pico
PORT ?=
NODE_BIN := node_modules/.bin
SIM_ARGS ?=

.PHONY: all setup build device bundle bundle-all test test-unit test-peer peer-deps gate bench sim flash diagram clean

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
	node build/tools/gen-assets.js

# The Espruino compatibility gate over every emitted bundle (also run by bundle).
gate: bundle-all
	node build/tools/gate.js dist/*.js

# Debian packages the real-peer tests use (root only; a no-op when present).
peer-deps:
	bash tools/install-peer-deps.sh

test: setup peer-deps bundle-all
	$(NODE_BIN)/mocha

test-unit: bundle-all
	$(NODE_BIN)/mocha --spec 'build/test/unit/**/*.test.js'

test-peer: peer-deps bundle-all
	$(NODE_BIN)/mocha --spec 'build/test/peer/**/*.test.js'

bench: bundle-all
	node --expose-gc build/bench/run.js

sim: bundle-all
	node build/sim/cli.js $(SIM_ARGS)

flash: bundle
	node build/tools/flash.js --board $(BOARD) --port "$(PORT)"

diagram: build
	node build/tools/diagram.js

clean:
	rm -rf build dist
