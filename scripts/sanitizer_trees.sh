# Sourced by scripts/sanitize.sh and scripts/fuzz.sh: how the instrumented
# build trees are configured, so both scripts share them.
#   build-asan/: clang with ASan+UBSan and libFuzzer's coverage (the fuzz
#                targets and the ASan+UBSan tests come from this one tree);
#                gcc with ASan+UBSan when clang is missing (no fuzz targets).
#   build-tsan/: TSan (clang when present, else gcc).
# Both are Debug builds at -O1 with line tables only (-g1); ccache is used
# when present.

sanitizer_clang() { command -v clang++-14 || command -v clang++ || true; }
sanitizer_clang_c() { command -v clang-14 || command -v clang || true; }

if [[ -z ${CMAKE_CXX_COMPILER_LAUNCHER:-} ]] && command -v ccache >/dev/null; then
  export CMAKE_CXX_COMPILER_LAUNCHER=ccache CMAKE_C_COMPILER_LAUNCHER=ccache
fi

# configure_tree DIR SANITIZER [FUZZ]: configures DIR quietly.
configure_tree() {
  local dir=$1 sanitizer=$2 fuzz=${3:-OFF} cxx cc
  # Debug (assertions on) with line tables only: enough for sanitizer stacks,
  # much cheaper to compile than full debug information.
  local args=(-DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG=-g1 -DCMAKE_C_FLAGS_DEBUG=-g1
    -DSIPFLEET_SANITIZE="$sanitizer" -DSIPFLEET_FUZZ="$fuzz")
  cxx=$(sanitizer_clang)
  cc=$(sanitizer_clang_c)
  if [[ -n $cxx && -n $cc ]]; then
    args+=(-DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_C_COMPILER="$cc")
  elif [[ $fuzz == ON ]]; then
    echo "sanitizer trees: clang is missing (scripts/install-deps.sh): no fuzz targets" >&2
  fi
  cmake -S . -B "$dir" -G Ninja "${args[@]}" >/dev/null
}

configure_asan_tree() { configure_tree build-asan address ON; }
configure_tsan_tree() { configure_tree build-tsan thread OFF; }

# existing_targets DIR NAME...: the names that are targets of DIR's build.
existing_targets() {
  local dir=$1 all t
  shift
  all=$(cmake --build "$dir" --target help | sed -n 's/^\([A-Za-z0-9_.-]*\): .*/\1/p')
  for t in "$@"; do
    if grep -qx -- "$t" <<<"$all"; then echo "$t"; fi
  done
}
