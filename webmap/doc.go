// Package webmap serves Tidewatch's web map: a Leaflet + TypeScript single-page
// app (zh-CN first, English switch) that draws the workspace's roads as the base
// map with grids, cameras and their view sectors, police kiosks, incidents and
// key sites over it, from the /api/v1 layer endpoints.
//
// The frontend lives in this directory as an npm project (src/, static/,
// scripts/, test/). `npm ci && npm run build` writes dist/ (index.html, app.js,
// app.css: Leaflet and its images are bundled, so the page fetches nothing from
// any other host), and dist/ is embedded into the Go binary. Before a build,
// dist/ holds only .gitkeep and Handler answers 503 "frontend not built".
//
// Build and test:
//
//	cd webmap && npm ci && npm run build && npm test
//	TIDEWATCH_URL=http://127.0.0.1:8080 node --test test/browser.test.mjs
package webmap
