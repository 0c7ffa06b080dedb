#!/usr/bin/env bash
# Pivot Lens build and test entry point. Each command installs what it needs and skips what is there.
#
#   ./build.sh          build dist/chrome, dist/firefox and their zips
#   ./build.sh test     build, then run every test (native, wasm in both browsers, e2e in both browsers, lints)
#   ./build.sh demo     build, serve the bundled sample pages over HTTPS and show the sidebar on them
#                       (screenshots under dist/demo/ when there is no display)
#   ./build.sh bench    build, then measure load time, main-thread cost and sizes (dist/bench/)
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$PWD
export PATH="$HOME/.cargo/bin:$PATH"

GECKODRIVER_VERSION=0.37.1
WASM_TARGET=wasm32-unknown-unknown
DIST=$ROOT/dist

step() { printf '\n==> %s\n' "$*"; }

# ---- tools -------------------------------------------------------------------------------------

wasm_bindgen_version() { # the version Cargo.lock pins; the CLI must match it exactly
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock
}

ensure_build_tools() {
  if ! rustup target list --installed | grep -qx "$WASM_TARGET"; then
    step "Adding the $WASM_TARGET target"
    rustup target add "$WASM_TARGET"
  fi
  [ -f Cargo.lock ] || cargo generate-lockfile
  local want; want=$(wasm_bindgen_version)
  if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$want" ]; then
    step "Installing wasm-bindgen-cli $want (matches Cargo.lock)"
    # Not --locked: the CLI's own lockfile pins a crate version the registry mirror may not serve.
    cargo install wasm-bindgen-cli --version "$want"
  fi
  if [ ! -x node_modules/.bin/wasm-opt ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    step "Installing npm build and test tools (binaryen, web-ext, axe-core, jsdom) from package-lock.json"
    npm ci --no-audit --no-fund
  fi
}

apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return
  step "Installing Debian packages: ${missing[*]}"
  local sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
}

ensure_test_tools() {
  apt_install chromium chromium-driver firefox-esr openssl
  if [ "$(geckodriver --version 2>/dev/null | awk 'NR==1 {print $2}')" != "$GECKODRIVER_VERSION" ]; then
    step "Installing geckodriver $GECKODRIVER_VERSION"
    cargo install geckodriver --version "$GECKODRIVER_VERSION"
  fi
}

# ---- build -------------------------------------------------------------------------------------

# One wasm module of the crate: `wasm_module <name> <cargo feature>` → target/bindgen/<name>.js and
# <name>_bg.opt.wasm.
wasm_module() {
  local name=$1 feature=$2 bindgen=target/bindgen
  step "Compiling the $name wasm (release, LTO, feature $feature)"
  # `cargo build` of a cdylib+rlib crate silently drops LTO; `cargo rustc --crate-type cdylib` keeps it.
  cargo rustc --lib --crate-type cdylib --release --target "$WASM_TARGET" \
    --no-default-features --features "$feature"
  wasm-bindgen --target web --no-typescript --out-dir "$bindgen" --out-name "$name" \
    "target/$WASM_TARGET/release/pivot_lens.wasm"
  # npm binaryen: Debian's 108 miscompiles wasm-bindgen output.
  node_modules/.bin/wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
    "$bindgen/${name}_bg.wasm" -o "$bindgen/${name}_bg.opt.wasm"
}

build() {
  ensure_build_tools
  rm -rf target/bindgen && mkdir -p target/bindgen
  echo '{"type": "module"}' > target/bindgen/package.json # node imports the glue in generate.mjs
  # The sidebar loads in every Sentry tab; the extension pages (options, glossary, background,
  # runbook compiler) carry the markdown parser and the options UI. src/ui/mod.rs and src/lib.rs have the split.
  wasm_module sidebar sidebar
  wasm_module pages pages
  step "Generating from the core: the bundled runbook's model (the sidebar reads JSON, not markdown) and what JS shares with it (limits, message names, fact sources)"
  node tools/generate.mjs target/bindgen runbook/TELEMETRY.md target/bindgen

  for browser in chrome firefox; do
    local out=$DIST/$browser
    rm -rf "$out" && mkdir -p "$out/pkg"
    cp -R extension/. "$out/"
    node tools/practice-pages.mjs extension/practice "$out/practice"
    for module in sidebar pages; do
      cp "target/bindgen/$module.js" "$out/pkg/$module.js"
      cp "target/bindgen/${module}_bg.opt.wasm" "$out/pkg/${module}_bg.wasm"
    done
    cp target/bindgen/runbook.js "$out/pkg/runbook.js"
    cp target/bindgen/shared.js "$out/shared.js"
    node tools/manifest.mjs manifest.json "$browser" "$out/manifest.json"
    rm -f "$DIST/pivot-lens-$browser.zip"
    node_modules/.bin/web-ext build --source-dir "$out" --artifacts-dir "$DIST" \
      --filename "pivot-lens-$browser.zip" --overwrite-dest >/dev/null
  done
  step "Built: dist/chrome, dist/firefox, dist/pivot-lens-chrome.zip, dist/pivot-lens-firefox.zip"
  ls -l "$DIST"/chrome/pkg "$DIST"/*.zip | sed 's/^/    /'
}

# ---- tests -------------------------------------------------------------------------------------

# Runs a test command, keeping its output for the closing summary.
counted() {
  "$@" 2>&1 | tee -a "$TEST_LOG"
}

run_tests() {
  build
  ensure_test_tools
  TEST_LOG=$ROOT/target/test-output.log
  : > "$TEST_LOG"
  step "Native tests: the core (runbook, recognition, queries, classification)"
  counted cargo test --workspace --exclude pivot-lens-e2e
  step "Lints: clippy (denies unwrap on page data and inner_html), rustfmt"
  cargo clippy --workspace --lib --bins --tests -- -D warnings
  cargo clippy --lib --target "$WASM_TARGET" -- -D warnings
  cargo clippy --target "$WASM_TARGET" --test web --test components -- -D warnings
  cargo fmt --check
  step "wasm-bindgen-test: UI components in headless Chromium"
  counted env CARGO_PROFILE_DEV_DEBUG=0 CHROMEDRIVER="$(command -v chromedriver)" WASM_BINDGEN_TEST_TIMEOUT=120 \
    cargo test --target "$WASM_TARGET" --test web --test components
  step "wasm-bindgen-test: UI components in headless Firefox"
  counted env CARGO_PROFILE_DEV_DEBUG=0 GECKODRIVER="$(command -v geckodriver)" WASM_BINDGEN_TEST_TIMEOUT=120 \
    cargo test --target "$WASM_TARGET" --test web --test components
  step "Node tests: the probe's rules on Sentry-shaped markup and every fixture page, its ledger, its watcher and lifetime, the background's sender checks, the sidebar's copy of the probe's reports, booting on the team policy"
  counted node --test tests/js/
  step "Package lint: permissions allowlist (docs/permissions.md), HTML sinks, web-ext lint, no name used before its declaration"
  node tools/lint-extension.mjs "$DIST"
  step "End-to-end: the built extension in headless Chromium and Firefox ESR"
  counted env PL_DIST="$DIST" cargo test -p pivot-lens-e2e --tests --no-fail-fast -- --test-threads=2
  step "Summary"
  # cargo's "test result: ok. N passed; M failed" and node's "# pass N" / "# fail M" lines, summed.
  awk '/^test result:/ { p += $4; f += $6 } /^# pass / { p += $3 } /^# fail / { f += $3 } END { printf "%d passed, %d failed\n", p, f }' "$TEST_LOG"
}

demo() {
  build
  ensure_test_tools
  step "Serving the sample pages and showing the sidebar on them"
  PL_DIST="$DIST" PL_DEMO_OUT="$DIST/demo" cargo run -q -p pivot-lens-e2e --bin demo
}

bench() {
  build
  ensure_test_tools
  mkdir -p "$DIST/bench"
  step "Timing the core on huge inputs (native release build; budgets in src/bin/core-bench.rs)"
  # Its failures are folded into the report below, which decides the exit status.
  cargo run -q --release --bin core-bench -- "$DIST/bench/core.json" || true
  step "Page loads in headless Chromium and Firefox, with and without the extension"
  PL_DIST="$DIST" cargo run -q -p pivot-lens-e2e --bin bench
}

case "${1:-build}" in
  build) build ;;
  test) run_tests ;;
  demo) demo ;;
  bench) bench ;;
  *) echo "usage: $0 [build|test|demo|bench]" >&2; exit 2 ;;
esac
