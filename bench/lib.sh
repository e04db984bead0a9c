# bench/lib.sh: what the bench scripts share (sourced, not run): their
# arguments, a temp dir removed on exit with the server they started, a
# free port, a demo server, building a C bench against the release
# library, and appending a result table to bench/results/latest.md.
#
#   . "$(dirname "$0")/lib.sh"
#   bench_args "$@"          # [--no-record] [BUILD_DIR]: sets record, build, bin, lib, build_arg
#   bench_tmp NAME           # tmp=$(mktemp -d ...), removed on exit unless BENCH_KEEP is set (pid killed, if set)
#   bench_serve_demo DATA [ARGS...]  # a release `bss serve --demo --demo-usage 0 ARGS` on a free port: pid, port,
#                            # url, key (its log: DATA.log)
#   bench_stop_server        # stops it (SIGTERM) and waits
#   bench_cc SRC OUT         # builds a bench/*.c against $lib
#   bench_record TITLE COMMAND TABLE   # unless --no-record

here="$(cd "$(dirname "${BASH_SOURCE[1]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
pid=""

bench_args() { # BENCH_NO_BIN=1: the script needs only the library
  record=1
  if [ "${1:-}" = "--no-record" ]; then
    record=0
    shift
  fi
  build_arg="${1:-build}"
  build="$build_arg"
  case "$build" in /*) ;; *) build="$root/$build" ;; esac
  bin="$build/bss"
  lib="$build/libbsslib.a"
  [ -f "$lib" ] && { [ -n "${BENCH_NO_BIN:-}" ] || [ -x "$bin" ]; } || { echo "bench: no $bin or $lib (run make build)" >&2; exit 2; }
}

bench_cleanup() {
  set +e
  [ -z "$pid" ] || { kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; }
  if [ -n "${tmp:-}" ]; then
    if [ -n "${BENCH_KEEP:-}" ]; then echo "bench: kept $tmp" >&2; else rm -rf "$tmp"; fi
  fi
}

bench_tmp() {
  tmp="$(mktemp -d "${TMPDIR:-/tmp}/bss-bench-$1.XXXXXX")"
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM
}

bench_serve_demo() {
  port="$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close();});')"
  local data="$1"
  shift
  "$bin" serve --demo --demo-usage 0 --default-country NL --data-dir "$data" --listen "127.0.0.1:$port" \
    --log-level warn --request-log=false "$@" >"$data.log" 2>&1 &
  pid=$!
  url="http://127.0.0.1:$port"
  for _ in $(seq 1 400); do
    if curl -fsS -o /dev/null "$url/health" 2>/dev/null; then
      key="$(cat "$data/admin.key")"
      return 0
    fi
    sleep 0.05
  done
  echo "bench: bss serve did not start; its log:" >&2
  tail -30 "$data.log" >&2
  exit 1
}

bench_stop_server() {
  [ -z "$pid" ] || { kill "$pid"; wait "$pid" 2>/dev/null || true; }
  pid=""
}

bench_cc() {
  # shellcheck disable=SC2046
  cc -std=c17 -O2 -D_GNU_SOURCE -Wall -Wextra -I "$root/src" "$1" "$lib" \
    $(pkg-config --libs jansson sqlite3 libpq libsodium libcurl libh2o-evloop openssl) -lphonenumber -lstdc++ -lpthread -lm \
    -o "$2"
}

bench_record() {
  echo
  echo "$3"
  [ "$record" = 1 ] || return 0
  local model
  model="$(awk -F': ' '/^model name/{print $2; exit}' /proc/cpuinfo 2>/dev/null)"
  mkdir -p "$here/results"
  {
    echo
    echo "## $(date -u +%Y-%m-%dT%H:%M:%SZ) $1"
    echo
    echo "- machine: $(nproc) cores, ${model:-unknown CPU}"
    echo "- command: \`$2\` (release build)"
    echo
    echo "$3"
  } >>"$here/results/latest.md"
  echo "bench: appended to bench/results/latest.md" >&2
}
