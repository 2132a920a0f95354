#!/usr/bin/env bash
# Tests of the search program (examples/nascent_search) as a user runs it.
#   check.sh PROGRAM WORK_DIR CASE [INCLUDE_DIR CXX]
# CASE: quick | resume | bad_input | objectives | exits | incremental | strategies | spaces (incremental and spaces
# compile the exported headers with CXX against INCLUDE_DIR). Every case fails with a message saying what went wrong.
set -uo pipefail
program=$1
work=$2
case_name=$3
include_dir=${4:-}
cxx=${5:-c++}
rm -rf "$work"
mkdir -p "$work"
cd "$work" || exit 1

fail() { echo "FAIL: $*" >&2; exit 1; }

# expect STATUS PATTERN -- ARGS...: runs the program, checks its exit status and that stderr matches PATTERN
expect() {
  local status=$1 pattern=$2
  shift 3
  "$program" "$@" > out.txt 2> err.txt
  local got=$?
  [[ $got == "$status" ]] || { cat out.txt err.txt; fail "'$*' exited with $got, expected $status"; }
  grep -Eq -- "$pattern" err.txt || { cat err.txt; fail "'$*': stderr does not match '$pattern'"; }
  echo "ok: $* -> $got: $(head -c 200 err.txt)"
}

# ctest runs two of these tests at once on two cores: every run but the quick one (the user's
# command) takes one OpenBLAS thread, so the two programs do not compete for the cores.
# small settings shared by the resume runs: deterministic (one thread), a few iterations
small=(--quick --threads 1 --iterations 4 --population 6 --also-ram "" --search-images 3000 --validation 500 --final-images 1000 --test-images 500
       --calibration 100 --firmware-images 0)

# the tiny runs of the strategies and spaces cases: a slice of the data
tiny=(--quick --threads 1 --population 6 --per-iteration 4 --search-images 1000 --validation 200 --final-images 500
      --test-images 200 --calibration 50 --also-ram "" --firmware-images 0)

# check_tiny_run FOLDER SPACE STRATEGY: a finished search whose summary, archive and model header are there
check_tiny_run() {
  local folder=$1 space=$2 strategy=$3
  grep -q '"search_done": true' "$folder/state.json" || fail "$folder: the search is not done"
  grep -q "^# nascent search: $space, $strategy\$" "$folder/summary.md" || fail "$folder: the summary is not of $space with $strategy"
  grep -Eq '^\| model \| `[0-9-]+` ' "$folder/summary.md" || fail "$folder: the summary has no row for the model"
  (( $(wc -l < "$folder/candidates.csv") >= 2 )) || fail "$folder: no candidate in candidates.csv"
  grep -q 'inline constexpr auto program = nascent::deploy::program<' "$folder/models/model.hpp" || fail "$folder: model.hpp has no program"
  echo "ok: $folder: $(( $(wc -l < "$folder/candidates.csv") - 1 )) candidates, $(grep -E '^\| model \| `' "$folder/summary.md" | cut -d'|' -f3-7)"
}

# compiles_with_figures HEADER RAM_NAME RAM FLASH_NAME FLASH: HEADER compiles (with CXX against
# INCLUDE_DIR), and its compile-time RAM and flash constants are the figures the program reported
compiles_with_figures() {
  local header=$1 ram_name=$2 ram=$3 flash_name=$4 flash=$5
  [[ -n $include_dir ]] || return 0
  local use=use_${header//\//_}.cpp
  printf '#include "%s"\nstatic_assert(%s == %s);\nstatic_assert(%s == %s);\nint main() {}\n' \
    "$PWD/$header" "$ram_name" "$ram" "$flash_name" "$flash" > "$use"
  "$cxx" -std=c++20 -fsyntax-only -I"$include_dir" "$use" || fail "$header does not compile with its figures"
}

case $case_name in
quick)
  start=$(date +%s)
  "$program" --quick --out run > out.txt 2> err.txt || { cat out.txt err.txt; fail "--quick exited with $?"; }
  seconds=$(( $(date +%s) - start ))
  for f in config.json state.json candidates.csv iterations.csv pareto.csv pareto.svg log.txt summary.md \
           supernet.weights models/model.hpp; do
    [[ -s run/$f ]] || fail "run/$f is missing or empty"
  done
  grep -q '"search_done": true' run/state.json || fail "state.json does not say the search is done"
  # one row per candidate, and iterations 0..2
  rows=$(( $(wc -l < run/candidates.csv) - 1 ))
  (( rows >= 8 )) || fail "candidates.csv has $rows rows"
  [[ $(( $(wc -l < run/iterations.csv) - 1 )) == 3 ]] || fail "iterations.csv does not have 3 iterations"
  grep -q 'inline constexpr auto program = nascent::deploy::program<' run/models/model.hpp || fail "model.hpp has no program"
  grep -Eq '^\| model \| `[0-9-]+` ' run/summary.md || fail "summary.md has no row for the model"
  grep -q '<svg' run/pareto.svg || fail "pareto.svg is not an SVG"
  (( seconds <= 180 )) || fail "--quick took $seconds s, more than 3 minutes"
  grep -q 'id="panel-macs"' run/pareto.svg || fail "pareto.svg has no MACs panel"
  grep -q 'id="panel-hypervolume"' run/progress.svg || fail "progress.svg has no hypervolume panel"
  echo "quick run: $seconds s, $rows candidates"
  # the chosen model's firmware, when the program was built with the cross compiler and QEMU
  if grep -q 'firmware: not built (this program was built without' run/log.txt; then
    echo "note: nascent_search was built without the firmware tools"
  else
    firmware=$(grep '^Firmware of model ' run/summary.md) || fail "summary.md has no firmware line"
    echo "$firmware"
    [[ $firmware =~ arena\ high-water\ mark\ ([0-9]+)\ of\ ([0-9]+)\ B ]] || fail "the firmware line gives no high-water mark"
    [[ ${BASH_REMATCH[1]} == "${BASH_REMATCH[2]}" ]] || fail "the firmware's arena high-water mark is not the static figure"
    [[ $firmware =~ ([0-9]+)\ of\ ([0-9]+)\ predictions\ as\ the\ host ]] || fail "the firmware line gives no agreement"
    [[ ${BASH_REMATCH[1]} == "${BASH_REMATCH[2]}" && ${BASH_REMATCH[2]} -gt 0 ]] || fail "the firmware disagrees with the host"
    [[ $firmware =~ \ ([0-9]+)\ instructions\ per\ inference ]] && (( BASH_REMATCH[1] > 0 )) || fail "the firmware counted no instructions"
  fi
  # --report redraws every table, plot and the summary from the state, byte for byte, running nothing
  drawn=(summary.md candidates.csv iterations.csv pareto.csv pareto.svg progress.svg)
  mkdir saved && cp run/state.json "${drawn[@]/#/run/}" saved/ && rm "${drawn[@]/#/run/}"
  "$program" --report run > report.txt 2> report_err.txt || { cat report.txt report_err.txt; fail "--report exited with $?"; }
  for f in "${drawn[@]}" state.json; do
    cmp -s run/$f saved/$f || { diff run/$f saved/$f | head; fail "--report drew run/$f differently from the run"; }
  done
  grep -q '^# nascent search: mcu_cnn, nsga2' report.txt || fail "--report did not print the summary"
  echo "--report: the ${#drawn[@]} files again, identical"
  tail -n 20 run/summary.md
  ;;
resume)
  # uninterrupted, one process
  "$program" "${small[@]}" --out whole > whole.txt 2>&1 || { cat whole.txt; fail "the uninterrupted run failed"; }
  # With MPI: three ranks on this machine, one of them (rank 2) killed with SIGKILL after iteration 1
  # was saved; mpirun then stops the others, and rank 0 says where the run was. Without MPI: the
  # one process killed. Either way resumed by one process with --jobs 2: the archive must be the
  # uninterrupted one's, so iterations 0-1 judged by three ranks and the rest by two forked
  # processes give the results of one process.
  if [[ -n ${NASCENT_SEARCH_MPIRUN:-} ]]; then
    "$NASCENT_SEARCH_MPIRUN" --allow-run-as-root --oversubscribe -np 3 "$program" "${small[@]}" --out killed > killed.txt 2>&1 &
  else
    "$program" "${small[@]}" --out killed > killed.txt 2>&1 &
  fi
  pid=$!
  for _ in $(seq 1 600); do
    grep -q '"iteration": [1-9]' killed/state.json 2> /dev/null && break
    kill -0 $pid 2> /dev/null || break
    sleep 0.2
  done
  if [[ -n ${NASCENT_SEARCH_MPIRUN:-} ]]; then
    victim=""
    for p in $(pgrep -f -- "--out killed"); do
      tr '\0' '\n' < /proc/$p/environ 2> /dev/null | grep -qx OMPI_COMM_WORLD_RANK=2 && victim=$p
    done
    [[ -n $victim ]] || { cat killed.txt; fail "no MPI rank 2 to kill"; }
    kill -KILL "$victim"
    wait $pid 2> /dev/null && fail "mpirun ended with status 0 after a rank was killed"
    grep -q "nascent_search: stopped by a signal: the search was in iteration [2-9]; killed holds iteration [1-9]: continue with --resume" killed.txt ||
      { cat killed.txt; fail "rank 0 did not say where the run was stopped"; }
  else
    kill -KILL $pid 2> /dev/null || fail "the run ended before it could be killed"
    wait $pid 2> /dev/null
  fi
  iteration=$(grep -o '"iteration": [0-9-]*' killed/state.json | head -1)
  echo "killed at $iteration"
  grep -q '"search_done": false' killed/state.json || fail "the killed run had already finished its search"
  # the state processor reports on the interrupted search and changes nothing a resume reads
  cp killed/state.json killed_state.json
  "$program" --report killed > report.txt 2>&1 || { cat report.txt; fail "--report on the interrupted run exited with $?"; }
  grep -q 'The search was interrupted after iteration' killed/summary.md || fail "the report does not say the search was interrupted"
  grep -q 'id="panel-accuracy"' killed/progress.svg || fail "the report drew no progress plot"
  cmp -s killed/state.json killed_state.json || fail "--report changed state.json"
  "$program" "${small[@]}" --out killed --resume --jobs 2 > resumed.txt 2>&1 || { cat resumed.txt; fail "the resumed run failed"; }
  grep -q "(resumed)" resumed.txt || fail "the resumed run does not say it resumed"
  grep -q "parallel: 2 processes judge each generation" resumed.txt || fail "the resumed run does not say that two processes judge"
  cmp whole/candidates.csv killed/candidates.csv || { diff whole/candidates.csv killed/candidates.csv | head; fail "the archives differ"; }
  cmp whole/iterations.csv killed/iterations.csv > /dev/null ||
    diff <(cut -d, -f1-9 whole/iterations.csv) <(cut -d, -f1-9 killed/iterations.csv) || fail "the iteration statistics differ"
  cmp whole/pareto.csv killed/pareto.csv || fail "the Pareto fronts differ"
  echo "resumed run: the same $(( $(wc -l < whole/candidates.csv) - 1 )) candidates, statistics and front as the uninterrupted run"
  ;;
bad_input)
  expect 2 "unknown space 'mobilenet'" -- --space mobilenet --out a
  # --report on what is not a search folder: a clear error, nothing written
  expect 1 "cannot report on 'nowhere': it has no config.json" -- --report nowhere
  [[ ! -e nowhere ]] || fail "--report created a folder"
  expect 2 "--report takes one output folder and no other option" -- --report nowhere --seed 2
  mkdir -p not_a_run && echo '{"strategy": 7' > not_a_run/config.json
  expect 1 "cannot report on 'not_a_run': the config file .* is not valid JSON" -- --report not_a_run
  echo '{}' > not_a_run/config.json
  expect 1 "cannot report: 'not_a_run/state.json' does not exist" -- --report not_a_run
  echo 'garbage' > not_a_run/state.json
  expect 1 "cannot report: 'not_a_run/state.json' is corrupt" -- --report not_a_run
  [[ $(ls not_a_run | wc -l) == 2 && $(cat not_a_run/state.json) == garbage ]] || fail "--report on a corrupt state wrote or changed files"
  expect 2 "unknown strategy 'annealing'" -- --strategy annealing --out a
  expect 2 "--jobs must be at least 1" -- --jobs 0 --out a
  expect 2 "unknown supernet sampling 'sometimes'" -- --supernet-sampling sometimes --out a
  expect 2 "unknown option 'max-rom'" -- --max-rom 5 --out a
  expect 2 "needs a whole number" -- --max-ram lots --out a
  [[ ! -e a ]] || fail "a usage error created the output folder"
  echo '{"strategy": 7' > broken.json
  expect 2 "not valid JSON" -- --config broken.json --out a
  echo '{"strategy": "aging", "max-rom": 1}' > unknown.json
  expect 2 "unknown option 'max-rom'" -- --config unknown.json --out a
  expect 1 "impossible budget .*peak RAM <= 100 B" -- --quick --max-ram 100 --out a
  expect 2 "unknown incremental mode 'sometimes'" -- --incremental sometimes --out a
  expect 2 "unknown objective \"speed\"" -- --objectives error,speed --out a
  expect 2 "must hold error or top1_robust" -- --objectives ram,flash --out a
  expect 2 "needs --strategy nsga2" -- --strategy aging --objectives error,tiny_ml --out a
  expect 2 "unknown constraint handling 'soft'" -- --constraints soft --out a
  expect 2 "needs --flatness-draws of at least 1" -- --objectives top1_robust,ram --flatness-draws 0 --out a
  expect 2 "needs top1_robust among the --objectives" -- --select top1_robust --out a
  expect 2 "cannot search early exits" -- --space mcu_cnn_exits --strategy differentiable --out a
  expect 2 "bounds at most 4 exits" -- --space mcu_cnn_exits --max-exit-macs 1,2,3,4,5 --out a
  expect 2 "available for the space mcu_cnn, not munas" -- --incremental adapted --space munas --out a
  expect 2 "not differentiable" -- --incremental adapted --strategy differentiable --out a
  expect 1 "impossible budget .*peak RAM <= 3000 B" -- --quick --incremental adapted --max-ram 3000 --out a
  expect 1 "per-class 100000: .*fewer than 100000 images" -- --quick --incremental adapted --per-class 100000 --out a
  [[ ! -e a ]] || fail "an impossible budget created the output folder"
  expect 1 "cannot load Fashion-MNIST from '$work/no-such-folder'" -- --quick --dataset "$work/no-such-folder" --out a
  # a truncated images file beside the real labels
  data=${NASCENT_FASHION_MNIST_DIR:-/usr/share/datasets/fashion-mnist}
  mkdir truncated-data && cp "$data"/*labels* "$data"/t10k-images* truncated-data/
  gzip -dc "$data"/train-images-idx3-ubyte.gz | head -c 100000 > truncated-data/train-images-idx3-ubyte
  expect 1 "cannot load Fashion-MNIST .*(truncated|short|holds|expected)" -- --quick --dataset "$work/truncated-data" --out a
  [[ ! -e a ]] || fail "a missing dataset created the output folder"
  # a folder that holds something else is never written to
  mkdir keep && echo "precious" > keep/notes.txt
  expect 1 "is not empty: resume it with --resume" -- --quick --out keep
  expect 1 "state.json' does not exist" -- --quick --out keep --resume
  [[ $(cat keep/notes.txt) == precious && $(ls keep) == notes.txt ]] || fail "keep/ was changed"
  # a corrupt state, a state of something else, a state of other settings
  mkdir corrupt && printf '{"format": "nascent-search-state", "version": 1, "fingerprint": {}, "histo' > corrupt/state.json
  cp corrupt/state.json corrupt.before
  expect 1 "is corrupt \(not valid JSON" -- --quick --out corrupt --resume
  cmp corrupt/state.json corrupt.before || fail "the corrupt state was rewritten"
  [[ $(ls corrupt) == state.json ]] || fail "files were added to the corrupt folder"
  mkdir foreign && echo '{"name": "some other tool", "version": 3}' > foreign/state.json
  expect 1 "is not a nascent search state" -- --quick --out foreign --resume
  mkdir truncated && printf '{"format": "nascent-search-state", "version": 1, "fingerprint": {}}' > truncated/state.json
  expect 1 "is corrupt" -- --quick --out truncated --resume
  "$program" --quick --threads 1 --iterations 0 --also-ram "" --final-images 500 --test-images 500 --firmware-images 0 --out mine > /dev/null 2>&1 || fail "a tiny run failed"
  cp mine/state.json mine.before
  expect 1 "belongs to a search with other settings" -- --quick --threads 1 --iterations 0 --also-ram "" --final-images 500 --test-images 500 --seed 2 --out mine --resume
  cmp mine/state.json mine.before || fail "a refused resume rewrote the state"
  ;;
objectives)
  # FlatNAS's top1_robust and NACHOS's adaptive penalty in NSGA-II; the final model measured on
  # the corrupted test sets and under weight perturbations
  "$program" --quick --threads 1 --iterations 1 --population 6 --also-ram "" --firmware-images 0 --objectives top1_robust,ram,flash --constraints adaptive \
    --select top1_robust --flatness-draws 1 --ood-images 100 --out run > out.txt 2>&1 || { cat out.txt; fail "the top1_robust run exited with $?"; }
  # every candidate has its robustness (column 6), a fraction
  awk -F, 'NR > 1 && !($6 >= 0 && $6 <= 1) { bad = 1 } END { exit bad }' run/candidates.csv ||
    fail "a candidate of candidates.csv has no robustness"
  grep -q 'post-search (top1_robust)' run/summary.md || fail "the model was not selected by top1_robust"
  row=$(grep -A4 '^Out of distribution' run/summary.md | grep -E '^\| model \| [0-9]') || fail "summary.md has no out-of-distribution row"
  IFS='|' read -r _ _ clean corrupted perturbed sharpness _ <<< "$row"
  echo "top1_robust run: clean ${clean// /} %, mean corrupted ${corrupted// /} %, perturbed ${perturbed// /} %, sharpness ${sharpness// /}"
  awk -v c="$clean" -v k="$corrupted" 'BEGIN { exit !(k > 10 && k < c) }' || fail "the corrupted accuracy is not below the clean one"
  grep -q 'objectives top1_robust,ram,flash' run/summary.md || fail "the summary does not name the objectives"
  ;;
exits)
  # the early-exit space: NSGA-II on the error and avg_macs under a bound on the first exit's MACs;
  # the final model stops at its first sure exit, and its header holds the gates
  "$program" --quick --threads 1 --iterations 1 --also-ram "" --space mcu_cnn_exits --objectives error,avg_macs --max-exit-macs 400000 \
    --out run > out.txt 2>&1 || { cat out.txt; fail "the early-exit run exited with $?"; }
  # every candidate has its avg_macs (column 7), at most its MACs (column 10)
  awk -F, 'NR > 1 && !($7 > 0 && $7 <= $10 + 0.5) { bad = 1 } END { exit bad }' run/candidates.csv ||
    fail "a candidate of candidates.csv has no avg_macs within its MACs"
  grep -q 'MACs to exit 1 <= 400000' run/summary.md || fail "the summary does not state the bound on the first exit"
  row=$(grep -A4 '^Early exits, int8' run/summary.md | grep -E '^\| model \|') || fail "summary.md has no early-exit row"
  echo "early-exit run: $row"
  grep -q 'op_type::exit_gate' run/models/model.hpp || echo "note: the chosen model has no early exit"
  grep -q 'leaving at each exit' run/log.txt || grep -q 'no early exit' run/summary.md || fail "the log does not report the exits"
  ;;
incremental)
  # adapted: whole incremental models searched under the budgets; attach: the static baseline
  # (adapted also L1-prunes its final network to 8000 B of flash before cutting it)
  for mode in adapted attach; do
    extra=()
    [[ $mode == adapted ]] && extra=(--prune-flash 8000)
    "$program" --quick --threads 1 --iterations 1 --incremental $mode --also-ram "" "${extra[@]}" --out $mode > $mode.txt 2>&1 ||
      { cat $mode.txt; fail "--incremental $mode exited with $?"; }
    header=$mode/models/model.hpp
    grep -q 'nascent::deploy::learning::incremental_model<extractor, config>' $header || fail "$header is not an incremental model"
    # the summary row: | model | `arch` | why | score | before | after | RAM | flash | MACs | epochs |
    row=$(grep -E '^\| model \| `[0-9-]+` ' $mode/summary.md) || fail "$mode/summary.md has no row for the model"
    IFS='|' read -r _ _ arch _ _ before after ram flash _ <<< "$row"
    echo "$mode: $arch before ${before// /} % after ${after// /} %, RAM ${ram// /} B, flash ${flash// /} B"
    awk -v b="$before" -v a="$after" 'BEGIN { exit !(a > b) }' || fail "$mode: learning on the device did not raise the accuracy"
    if [[ $mode == adapted ]]; then
      (( ${ram// /} <= 64000 && ${flash// /} <= 64000 )) || fail "adapted: the model is over the budgets"
    fi
    # the header compiles, and its compile-time RAM and flash are the figures the program reported
    compiles_with_figures $header model::model::ram_bytes "${ram// /}" model::model::flash_bytes "${flash// /}"
  done
  grep -q 'the device learns 10 labelled samples' adapted/log.txt || fail "the log does not describe the incremental task"
  grep -Eq '^prune: slot [0-9]+ from [0-9]+ to [0-9]+ filters' adapted/log.txt || fail "the adapted run did not prune its final network"
  ;;
strategies)
  # every strategy, both evaluation modes, both supernet samplings and every predictor, each a tiny run of two iterations
  runs=("aging" "evolution --supernet-sampling fair --predictor gp" "random --predictor mlp" "random --predictor none" "bo" "differentiable"
        "aging --evaluation train --candidate-epochs 1 --predictor rbf")
  for run in "${runs[@]}"; do
    strategy=${run%% *}
    out=${run//--/}
    out=${out// /_}
    # shellcheck disable=SC2086
    "$program" "${tiny[@]}" --iterations 2 --strategy $run --out "$out" > "$out.txt" 2>&1 || { cat "$out.txt"; fail "'--strategy $run' exited with $?"; }
    check_tiny_run "$out" "mcu_cnn" "$strategy"
    [[ $run == *"--evaluation train"* ]] && { grep -q '^nascent search: .*evaluation train' "$out/log.txt" || fail "$out did not train its candidates"; }
    [[ $run == *"--supernet-sampling fair"* ]] && { grep -q '^supernet: 1 epochs of fair sampling' "$out/log.txt" || fail "$out did not sample fairly"; }
    # the predictor fitted on the candidates so far, which screens the next iteration's children
    if [[ $run == *"--predictor "* ]]; then
      kind=${run##*--predictor }
      kind=${kind%% *}
      case $kind in gp) shown="gaussian process" ;; none) shown="-" ;; *) shown=$kind ;; esac
      grep -q "^\[search\] iteration 2/2 .* predictor $shown " "$out/log.txt" || fail "$out: the log does not name the predictor '$shown'"
    fi
  done
  # the same random draws, screened by the MLP or not: the last iteration's children differ
  ! cmp -s random_predictor_mlp/candidates.csv random_predictor_none/candidates.csv ||
    fail "random search picked the same children with the MLP predictor as without one"
  ;;
spaces)
  # every zoo space not run by another case, its first population (NSGA-II breeds in the quick case):
  # the chosen model's header compiles with the arena and flash the summary gives
  for space in munas proxylessnas fbnet spos single_path_nas darts; do
    "$program" "${tiny[@]}" --iterations 0 --space $space --out $space > $space.txt 2>&1 || { cat $space.txt; fail "'--space $space' exited with $?"; }
    check_tiny_run $space $space nsga2
    row=$(grep -E '^\| model \| `' $space/summary.md)
    IFS='|' read -r _ _ _ _ _ _ _ ram flash _ <<< "$row"
    compiles_with_figures $space/models/model.hpp model::network::arena_bytes "${ram// /}" model::network::flash_bytes "${flash// /}"
    echo "$space: RAM ${ram// /} B, flash ${flash// /} B, the header compiles with them"
  done
  ;;
*)
  fail "unknown case $case_name"
  ;;
esac
