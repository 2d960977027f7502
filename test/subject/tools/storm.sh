#!/usr/bin/env bash
# storm.sh: a plain bash signal-storm loop for the sigstorm test subject (or any iperf3).
# A developer tool: sigstorm's own runner does this properly; this is the by-hand baseline.
#
#   tools/storm.sh -b BIN [-n N] [-s server|client] [-p PATTERN] [-d MIN-MAX] [-o DIR]
#                  [-P PORT] [-c CPUS] [-x "client args"] [-T SECONDS] [-g] [-q]
#
#   -b BIN      iperf3 binary (e.g. build/src/iperf3, /usr/bin/iperf3)
#   -n N        iterations (default 100)
#   -s SIDE     side that receives the signals: server | client (default server)
#   -p PATTERN  term | int | hup | double (TERM,TERM 0-5 ms) | int-term (INT, 1-5 ms, TERM)
#               | burst (TERM,INT,HUP 0 ms apart) | idle (TERM to a server with no client)
#               | peer-kill (SIGKILL the client during -R; the server is observed)
#   -d MIN-MAX  random delay after the streams are established, ms (default 50-400)
#   -W WHEN     streams: the delay starts once all streams are established (default);
#               spawn: it starts when the client is spawned (connection setup: -d 0-20;
#               results exchange: -d around the -t duration, e.g. 4950-5150 for -t 5)
#   -o DIR      keep stderr / backtraces of non-clean iterations here (default: mktemp)
#   -P PORT     port (default 15500); -c CPUS: taskset list (default 0,1)
#   -x ARGS     client arguments (default "-P 4 -t 5 -b 200M"; peer-kill adds -R)
#   -T SECONDS  time allowed after the last signal before an iteration is a hang (default 10)
#   -g          on a hang, take all-thread backtraces with gdb before SIGKILL
#   -q          only print non-clean iterations and the summary
#
# Outcome per side: clean (exit 0/1, no marker), crash:SIG (killed by a signal, or a fatal marker
# such as "stack smashing detected"), sanitizer:KIND, hang, bad-exit:RC. Exit status: 0 if every
# iteration was clean, 1 otherwise, 2 on a harness problem.
set -u

BIN=""; N=100; SIDE=server; PATTERN=burst; DELAY=50-400; OUT=""; PORT=15500; CPUS=0,1
CARGS="-P 4 -t 5 -b 200M"; HANG=10; GDB=0; QUIET=0; WHEN=streams
while getopts "b:n:s:p:d:o:P:c:x:T:W:gqh" opt; do
  case $opt in
    b) BIN=$OPTARG ;; n) N=$OPTARG ;; s) SIDE=$OPTARG ;; p) PATTERN=$OPTARG ;; d) DELAY=$OPTARG ;;
    o) OUT=$OPTARG ;; P) PORT=$OPTARG ;; c) CPUS=$OPTARG ;; x) CARGS=$OPTARG ;; T) HANG=$OPTARG ;;
    W) WHEN=$OPTARG ;; g) GDB=1 ;; q) QUIET=1 ;;
    h) sed -n '2,30p' "$0"; exit 0 ;;
    *) exit 2 ;;
  esac
done
[ -x "$BIN" ] || { echo "storm.sh: -b must name an executable iperf3 binary (got '$BIN')" >&2; exit 2; }
case $SIDE in server|client) ;; *) echo "storm.sh: -s must be server or client" >&2; exit 2 ;; esac
case $PATTERN in term|int|hup|double|int-term|burst|idle|peer-kill) ;;
  *) echo "storm.sh: unknown pattern '$PATTERN'" >&2; exit 2 ;; esac
case $WHEN in streams|spawn) ;; *) echo "storm.sh: -W must be streams or spawn" >&2; exit 2 ;; esac
[ "$PATTERN" = peer-kill ] && { SIDE=client; CARGS="$CARGS -R"; }
[ "$PATTERN" = idle ] && SIDE=server
DMIN=${DELAY%-*}; DMAX=${DELAY#*-}
[ -n "$OUT" ] || OUT=$(mktemp -d /tmp/storm.XXXXXX)
mkdir -p "$OUT"
TMP=$(mktemp -d /tmp/storm-run.XXXXXX)

SPID=""; CPID=""
cleanup() {
  # only our own processes, by PID
  for p in $SPID $CPID; do kill -KILL "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  SPID=""; CPID=""
}
trap 'cleanup; rm -rf "$TMP"; echo "storm.sh: interrupted" >&2; exit 130' INT TERM
trap 'cleanup; rm -rf "$TMP"' EXIT

# millisecond sleeps without forking: read with a timeout on a pipe nobody writes to
exec 9<> <(:)
sleep_ms() { [ "$1" -gt 0 ] && read -r -t "$(printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)))" -u 9; return 0; }
rand_between() { echo $(($1 + RANDOM % ($2 - $1 + 1))); }

# true while PID exists and is not a zombie
alive() { local st; st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1; [ "$st" != Z ]; }

# wait for PID up to $2 seconds; sets RC to its status or "hang" (no subshell: wait needs our child)
wait_for() {
  local pid=$1 deadline=$(( $(date +%s%N) / 1000000 + $2 * 1000 ))
  while alive "$pid"; do
    (( $(date +%s%N) / 1000000 > deadline )) && { RC=hang; return; }
    sleep 0.01
  done
  wait "$pid" 2>/dev/null; RC=$?
}

established() { ss -Htn state established "( sport = :$PORT )" 2>/dev/null | wc -l; }

send_pattern() {
  local pid=$1
  case $PATTERN in
    term|idle) kill -TERM "$pid" ;;
    int) kill -INT "$pid" ;;
    hup) kill -HUP "$pid" ;;
    double) kill -TERM "$pid"; sleep_ms "$(rand_between 0 5)"; kill -TERM "$pid" ;;
    int-term) kill -INT "$pid"; sleep_ms "$(rand_between 1 5)"; kill -TERM "$pid" ;;
    burst) kill -TERM "$pid"; kill -INT "$pid"; kill -HUP "$pid" ;;
    peer-kill) kill -KILL "$pid" ;;
  esac 2>/dev/null
}

# classify one side: rc ("hang" or number), stderr file, whether SIGKILL was ours
classify() {
  local rc=$1 err=$2 killed_by_us=$3
  if [ "$rc" = hang ]; then echo hang; return; fi
  local m
  m=$(grep -m1 -oE 'ERROR: AddressSanitizer: [a-z-]+|ERROR: LeakSanitizer|WARNING: ThreadSanitizer: [a-z -]+|runtime error: [a-z ]+|AddressSanitizer:DEADLYSIGNAL' "$err" 2>/dev/null | head -1)
  # longjmp onto another thread's stack: ASan only warns, but in iperf3 it is always the worker-signal bug
  [ -z "$m" ] && grep -q 'ASan is ignoring requested __asan_handle_no_return' "$err" 2>/dev/null && m="ASan-stack-switch"
  if [ -n "$m" ]; then echo "sanitizer:$(echo "$m" | sed -E 's/^(ERROR|WARNING): //; s/: /:/; s/ +$//; s/ +/_/g')"; return; fi
  if grep -qE 'stack smashing detected|double free|corrupted|malloc\(\)|Segmentation fault' "$err" 2>/dev/null; then
    echo "crash:$(grep -m1 -oE 'stack smashing detected|double free|corrupted[a-z ]*|malloc\(\)[a-z :]*' "$err" | head -1 | tr ' ' _)"
    return
  fi
  if [ "$rc" -gt 128 ]; then
    local sig; sig=$(kill -l $((rc - 128)) 2>/dev/null || echo $((rc - 128)))
    if [ "$killed_by_us" = 1 ] && [ "$sig" = KILL ]; then echo clean; else echo "crash:SIG$sig"; fi
    return
  fi
  case $rc in 0|1) echo clean ;; *) echo "bad-exit:$rc" ;; esac
}

declare -A COUNT
harness=0
for ((i = 1; i <= N; i++)); do
  rm -f "$TMP"/*
  # the port must be free (TIME_WAIT is fine for the listener: SO_REUSEADDR)
  for _ in $(seq 50); do [ "$(ss -Htln "( sport = :$PORT )" | wc -l)" = 0 ] && break; sleep 0.05; done
  taskset -c "$CPUS" "$BIN" -s -1 -p "$PORT" >"$TMP/s.out" 2>"$TMP/s.err" & SPID=$!
  ok=0
  for _ in $(seq 200); do
    [ "$(ss -Htln "( sport = :$PORT )" | wc -l)" -ge 1 ] && { ok=1; break; }
    alive "$SPID" || break
    sleep 0.01
  done
  if [ $ok = 0 ]; then harness=$((harness + 1)); echo "[$i] harness: server did not listen"; cleanup; continue; fi
  if [ "$PATTERN" = idle ]; then
    sleep_ms "$(rand_between "$DMIN" "$DMAX")"
    send_pattern "$SPID"
    wait_for "$SPID" "$HANG"; srv=$RC; cli=none
  else
    # shellcheck disable=SC2086
    taskset -c "$CPUS" "$BIN" -c 127.0.0.1 -p "$PORT" $CARGS >"$TMP/c.out" 2>"$TMP/c.err" & CPID=$!
    streams=$(echo "$CARGS" | grep -oE -- '-P +[0-9]+' | grep -oE '[0-9]+$' || true); streams=${streams:-1}
    ok=0
    [ "$WHEN" = spawn ] && ok=1
    for _ in $(seq 500); do
      [ $ok = 1 ] && break
      [ "$(established)" -ge $((streams + 1)) ] && { ok=1; break; }
      alive "$CPID" || break
      sleep 0.01
    done
    if [ $ok = 0 ]; then harness=$((harness + 1)); echo "[$i] harness: streams not established"; cleanup; continue; fi
    sleep_ms "$(rand_between "$DMIN" "$DMAX")"
    if [ "$SIDE" = server ]; then target=$SPID; else target=$CPID; fi
    send_pattern "$target"
    if [ "$SIDE" = server ]; then
      wait_for "$SPID" "$HANG"; srv=$RC; wait_for "$CPID" "$HANG"; cli=$RC
    else
      wait_for "$CPID" "$HANG"; cli=$RC; wait_for "$SPID" "$HANG"; srv=$RC
    fi
  fi
  for side in srv cli; do
    pid=$SPID; [ $side = cli ] && pid=$CPID
    if [ "${!side}" = hang ] && [ $GDB = 1 ]; then
      gdb -p "$pid" -batch -nx -ex 'set pagination off' -ex 'thread apply all bt' >"$OUT/iter-$i-$side.bt" 2>&1
    fi
    [ "${!side}" = hang ] && { kill -KILL "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; }
  done
  so=$(classify "$srv" "$TMP/s.err" 0)
  if [ "$cli" = none ]; then co=none; else co=$(classify "$cli" "$TMP/c.err" $([ "$PATTERN" = peer-kill ] && echo 1 || echo 0)); fi
  COUNT["server $so"]=$(( ${COUNT["server $so"]:-0} + 1 ))
  [ "$co" != none ] && COUNT["client $co"]=$(( ${COUNT["client $co"]:-0} + 1 ))
  if [ "$so" != clean ] || { [ "$co" != clean ] && [ "$co" != none ]; }; then
    cp "$TMP/s.err" "$OUT/iter-$i-server.err" 2>/dev/null; cp "$TMP/c.err" "$OUT/iter-$i-client.err" 2>/dev/null
    echo "[$i] server=$so (rc $srv) client=$co (rc $cli)  evidence: $OUT/iter-$i-*"
  elif [ $QUIET = 0 ]; then
    echo "[$i] server=$so (rc $srv) client=$co (rc $cli)"
  fi
  SPID=""; CPID=""
done

echo "== $N iterations of '$PATTERN' at the $SIDE of $BIN (cpus $CPUS, delay $DELAY ms)"
for k in "${!COUNT[@]}"; do echo "$k: ${COUNT[$k]}"; done | sort
[ $harness -gt 0 ] && echo "harness errors: $harness"
dirty=0
for k in "${!COUNT[@]}"; do case $k in *" clean") ;; *) dirty=1 ;; esac; done
[ $harness -gt 0 ] && exit 2
exit $dirty
