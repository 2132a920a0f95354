# Sourced by the benchmarks that run nascent_search (parallel_search.sh, supernet_ranking.sh).
#
#   search_setup NAME BUILD KEEP    # sets `program`, makes a work folder and enters it
#   search_run NAME OUT COMMAND...  # COMMAND --out OUT, its output in OUT.txt

# search_setup NAME BUILD KEEP: `program` is BUILD's nascent_search (NAME: the message's prefix when
# it is missing); the work folder is removed at exit, or kept and printed when KEEP is 1.
search_setup() {
  local name=$1 build=$2 keep=$3
  program=$PWD/$build/examples/nascent_search
  [[ -x $program ]] || { echo "$name: $program is missing: build the nascent_search target" >&2; exit 1; }
  work=$(mktemp -d)
  if (( keep )); then echo "output folders in $work"; else trap 'rm -rf "$work"' EXIT; fi
  cd "$work" || exit 1
}

# search_run NAME OUT COMMAND...: runs COMMAND --out OUT; on failure prints its output and exits 1.
search_run() {
  local name=$1 out=$2
  shift 2
  "$@" --out "$out" > "$out.txt" 2>&1 || { cat "$out.txt"; echo "$name: the $out run failed" >&2; exit 1; }
}
