# Tidewatch — the two commands a newcomer needs:
#   make demo   build everything, import the Wilmington demo workspace, serve it
#   make test   install what the tests need, then run every test (Go, web, browser, PostGIS)
SHELL   := /bin/bash
GO      ?= go
BIN     := bin/tidewatch
ADDR    ?= 127.0.0.1:8080
DEMO_DB ?= demo/wilmington.db

.PHONY: build web demo demo-db test test-go test-web deps bench clean

build: web
	$(GO) build -o $(BIN) ./cmd/tidewatch

# The web map: TypeScript + Leaflet from npm (lockfile), bundled into webmap/dist and go:embed-ded.
web: webmap/node_modules/.package-lock.json
	cd webmap && npm run --silent build

webmap/node_modules/.package-lock.json: webmap/package.json webmap/package-lock.json
	cd webmap && npm ci --no-audit --no-fund --loglevel=error

demo-db: build
	$(GO) mod download github.com/paulmach/osm
	$(BIN) demo --db $(DEMO_DB)

demo: demo-db
	$(BIN) serve --db $(DEMO_DB) --addr $(ADDR)

# System components the tests start themselves (PostgreSQL 15 + PostGIS, Chromium, osmium, CBC).
deps:
	bash .ci/deps.sh

test: deps build
	$(GO) vet ./...
	$(GO) test -count=1 ./...
	bash .ci/web-test.sh

test-go:
	$(GO) test ./...

bench: build
	BENCH=1 bash .ci/deps.sh
	bash docs/bench.sh

clean:
	rm -rf bin demo webmap/dist/app.* webmap/test-artifacts
