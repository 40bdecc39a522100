#!/usr/bin/env bash
# Starts Pulse's stack natively (no Docker): Kafka 3.9 (KRaft) and Apicurio Registry from Maven
# Central on the installed Java 17, Redis from Debian's package, maildev from npm, and — when
# Debian's prometheus package is installed — Prometheus with infra/prometheus/prometheus.yml.
#
#   bash infra/stack.sh up       start what is not answering yet; wait until each really answers
#   bash infra/stack.sh down     stop what this script started (never a Redis it did not start)
#   bash infra/stack.sh status   one line per component
#   bash infra/stack.sh env      the environment variables that point tests and services at it
#
# Ports and paths come from the environment (defaults in parentheses):
#   PULSE_STATE_DIR (.state)  KAFKA_PORT (9092)  KAFKA_CONTROLLER_PORT (9093)
#   REGISTRY_PORT (8081)  REDIS_URL (redis://127.0.0.1:6379)  SMTP_PORT (1025)  MAILDEV_WEB_PORT (1080)
#   KAFKA_HEAP (512m)  REGISTRY_HEAP (384m)  PROMETHEUS_PORT (9090)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
INFRA="$ROOT/infra"
STATE=${PULSE_STATE_DIR:-$ROOT/.state}
KAFKA_PORT=${KAFKA_PORT:-9092}
KAFKA_CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT:-9093}
REGISTRY_PORT=${REGISTRY_PORT:-8081}
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379}
SMTP_PORT=${SMTP_PORT:-1025}
MAILDEV_WEB_PORT=${MAILDEV_WEB_PORT:-1080}
KAFKA_HEAP=${KAFKA_HEAP:-512m}
REGISTRY_HEAP=${REGISTRY_HEAP:-384m}
PROMETHEUS_PORT=${PROMETHEUS_PORT:-9090}
MVN=(mvn -q -B -ntp -Dstyle.color=never)
# Apicurio 3.0.x: the newest line with a runnable distribution on Maven Central that runs on
# Java 17 (3.1.x is not published there; 3.2+ needs Java 21).
APICURIO_VERSION=3.0.9

log() { printf '[stack] %s\n' "$*"; }
die() { printf '[stack] error: %s\n' "$*" >&2; exit 1; }
probe() { node "$INFRA/probe.mjs" "$@" 2>/dev/null; }

need() {
  command -v "$1" >/dev/null 2>&1 || die "$1 is not installed: $2"
}

pid_alive() { [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

# wait_for <name> <seconds> <pidfile> <logfile> <probe args...>
wait_for() {
  local name=$1 secs=$2 pidfile=$3 logfile=$4
  shift 4
  local deadline=$((SECONDS + secs))
  until probe "$@"; do
    if [[ -n "$pidfile" ]] && ! pid_alive "$pidfile"; then
      tail -n 30 "$logfile" >&2 || true
      die "$name exited during start-up; its log is $logfile"
    fi
    ((SECONDS < deadline)) || die "$name did not answer within ${secs}s; its log is $logfile"
    sleep 0.5
  done
}

# spawn <pidfile> <logfile> <command...>: detached from this shell's stdio and session.
spawn() {
  local pidfile=$1 logfile=$2
  shift 2
  setsid nohup "$@" >"$logfile" 2>&1 </dev/null &
  echo $! >"$pidfile"
}

stop_pid() {
  local name=$1 pidfile=$2
  if pid_alive "$pidfile"; then
    local pid
    pid=$(cat "$pidfile")
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
    log "$name stopped"
  fi
  rm -f "$pidfile"
}

# ---- Kafka -------------------------------------------------------------------------------
kafka_fetch() {
  local lib="$STATE/kafka/lib"
  if [[ -f "$lib/.complete" ]]; then return; fi
  need java "install a Java 17 runtime (Debian: openjdk-17-jre-headless)"
  need mvn "install Apache Maven (Debian: maven)"
  log "fetching Kafka 3.9.1 from Maven Central (once)"
  rm -rf "$lib" && mkdir -p "$lib"
  "${MVN[@]}" -f "$INFRA/kafka/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$lib"
  touch "$lib/.complete"
}

kafka_up() {
  local dir="$STATE/kafka"
  if probe kafka "127.0.0.1:$KAFKA_PORT"; then
    log "kafka already answering on 127.0.0.1:$KAFKA_PORT"
    return
  fi
  kafka_fetch
  mkdir -p "$dir/data" "$dir/logs"
  local cp="$dir/lib/*"
  local props=(
    --override "log.dirs=$dir/data"
    --override "listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT"
    --override "advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT"
    --override "controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT"
  )
  local jvm=(-Xms256m "-Xmx$KAFKA_HEAP" -XX:+UseG1GC -Djava.awt.headless=true
    "-Dkafka.logs.dir=$dir/logs" "-Dlog4j.configuration=file:$INFRA/kafka/log4j.properties")
  if [[ ! -f "$dir/data/meta.properties" ]]; then
    [[ -f "$dir/cluster.id" ]] || java -cp "$cp" kafka.tools.StorageTool random-uuid 2>/dev/null >"$dir/cluster.id"
    local tmp="$dir/format.properties"
    { cat "$INFRA/kafka/server.properties"
      echo "log.dirs=$dir/data"
      echo "controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT"
      echo "listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT"
    } >"$tmp"
    java "${jvm[@]}" -cp "$cp" kafka.tools.StorageTool format -t "$(cat "$dir/cluster.id")" \
      -c "$tmp" --ignore-formatted >"$dir/logs/format.log" 2>&1 ||
      { cat "$dir/logs/format.log" >&2; die "formatting Kafka storage failed"; }
  fi
  log "starting kafka on 127.0.0.1:$KAFKA_PORT"
  spawn "$dir/kafka.pid" "$dir/logs/stdout.log" \
    java "${jvm[@]}" -cp "$cp" kafka.Kafka "$INFRA/kafka/server.properties" "${props[@]}"
  wait_for kafka 90 "$dir/kafka.pid" "$dir/logs/server.log" kafka "127.0.0.1:$KAFKA_PORT"
  log "kafka ready"
}

# ---- Schema registry (Apicurio, Confluent-compatible API) -------------------------------
registry_fetch() {
  local home="$STATE/registry/app"
  if [[ -f "$home/.complete" ]]; then return; fi
  need java "install a Java 17 runtime (Debian: openjdk-17-jre-headless)"
  need mvn "install Apache Maven (Debian: maven)"
  log "fetching Apicurio Registry from Maven Central (once)"
  rm -rf "$home" "$STATE/registry/dl" && mkdir -p "$home" "$STATE/registry/dl"
  # The app's parent pom is not published on Central, so the archive is fetched on its own
  # (the 2.8 plugin's get resolves no descriptor and can write to a folder).
  "${MVN[@]}" org.apache.maven.plugins:maven-dependency-plugin:2.8:get -Dtransitive=false \
    "-Dartifact=io.apicurio:apicurio-registry-app:$APICURIO_VERSION:tar.gz:all" \
    -Ddest="$STATE/registry/dl/"
  tar xzf "$STATE"/registry/dl/apicurio-registry-app-*-all.tar.gz -C "$home"
  rm -rf "$STATE/registry/dl"
  touch "$home/.complete"
}

registry_up() {
  local dir="$STATE/registry" url="http://127.0.0.1:$REGISTRY_PORT"
  if probe registry "$url"; then
    log "schema registry already answering at $url"
    return
  fi
  registry_fetch
  mkdir -p "$dir/data" "$dir/logs"
  local jar
  jar=$(ls "$dir"/app/apicurio-registry-app-*-runner.jar)
  log "starting schema registry (Apicurio, file-backed H2) at $url"
  # Persistent storage: schema ids must survive restarts, records in Kafka reference them.
  spawn "$dir/registry.pid" "$dir/logs/registry.log" \
    java -Xms128m "-Xmx$REGISTRY_HEAP" -XX:+UseG1GC \
    -Dquarkus.http.host=127.0.0.1 "-Dquarkus.http.port=$REGISTRY_PORT" \
    -Dapicurio.storage.kind=sql -Dapicurio.storage.sql.kind=h2 \
    "-Dapicurio.datasource.url=jdbc:h2:file:$dir/data/registry;DB_CLOSE_ON_EXIT=FALSE" \
    -Dapicurio.datasource.username=sa -Dapicurio.datasource.password=sa \
    -Dapicurio.rules.global.compatibility=BACKWARD \
    -Dquarkus.log.level=WARN -Dquarkus.log.category.\"io.apicurio\".level=INFO \
    -jar "$jar"
  wait_for "schema registry" 120 "$dir/registry.pid" "$dir/logs/registry.log" registry "$url"
  log "schema registry ready"
}

# ---- Redis ------------------------------------------------------------------------------
redis_up() {
  if probe redis "$REDIS_URL"; then
    log "redis already answering at $REDIS_URL (shared: isolate by key prefix, never FLUSHALL)"
    return
  fi
  local hostport=${REDIS_URL#*://}
  hostport=${hostport#*@}
  hostport=${hostport%%/*}
  local host=${hostport%%:*} port=${hostport##*:}
  [[ "$port" == "$hostport" ]] && port=6379
  case "$host" in 127.0.0.1 | localhost | "") ;; *) die "redis at $REDIS_URL does not answer" ;; esac
  if ! command -v redis-server >/dev/null 2>&1; then
    if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null 2>&1; then
      log "installing redis-server from Debian's packages"
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null ||
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; }
    else
      die "redis-server is not installed: sudo apt-get install redis-server"
    fi
  fi
  local dir="$STATE/redis"
  mkdir -p "$dir"
  log "starting redis-server on 127.0.0.1:$port"
  spawn "$dir/redis.pid" "$dir/redis.log" \
    redis-server --bind 127.0.0.1 --port "$port" --dir "$dir" --save "" --appendonly no
  wait_for redis 20 "$dir/redis.pid" "$dir/redis.log" redis "$REDIS_URL"
  log "redis ready"
}

# ---- SMTP capture (maildev) ---------------------------------------------------------------
smtp_up() {
  if probe smtp "127.0.0.1:$SMTP_PORT"; then
    log "smtp already answering on 127.0.0.1:$SMTP_PORT"
    return
  fi
  local bin="$ROOT/node_modules/maildev/dist/bin/maildev.js"
  [[ -f "$bin" ]] || die "maildev is not installed: run 'npm test' or 'pnpm install' first"
  local dir="$STATE/maildev"
  mkdir -p "$dir/mail"
  log "starting maildev: smtp 127.0.0.1:$SMTP_PORT, web http://127.0.0.1:$MAILDEV_WEB_PORT"
  spawn "$dir/maildev.pid" "$dir/maildev.log" \
    node "$bin" --ip 127.0.0.1 --smtp "$SMTP_PORT" --web "$MAILDEV_WEB_PORT" \
    --mail-directory "$dir/mail"
  wait_for maildev 30 "$dir/maildev.pid" "$dir/maildev.log" smtp "127.0.0.1:$SMTP_PORT"
  log "maildev ready"
}

# ---- Prometheus (optional: Debian's package) ----------------------------------------------
prometheus_up() {
  local url="http://127.0.0.1:$PROMETHEUS_PORT"
  if probe prometheus "$url"; then
    log "prometheus already answering at $url"
    return
  fi
  if ! command -v prometheus >/dev/null 2>&1; then
    log "prometheus is not installed (Debian: apt-get install prometheus): skipped"
    return
  fi
  local dir="$STATE/prometheus"
  mkdir -p "$dir/data"
  log "starting prometheus at $url (config infra/prometheus/prometheus.yml)"
  spawn "$dir/prometheus.pid" "$dir/prometheus.log" \
    prometheus "--config.file=$INFRA/prometheus/prometheus.yml" \
    "--storage.tsdb.path=$dir/data" --storage.tsdb.retention.time=2d \
    "--web.listen-address=127.0.0.1:$PROMETHEUS_PORT" --web.enable-lifecycle
  wait_for prometheus 30 "$dir/prometheus.pid" "$dir/prometheus.log" prometheus "$url"
  log "prometheus ready"
}

# ---- commands -----------------------------------------------------------------------------
print_env() {
  echo "KAFKA_BROKERS=127.0.0.1:$KAFKA_PORT"
  echo "SCHEMA_REGISTRY_URL=http://127.0.0.1:$REGISTRY_PORT/apis/ccompat/v7"
  echo "REDIS_URL=$REDIS_URL"
  echo "SMTP_URL=smtp://127.0.0.1:$SMTP_PORT"
  echo "MAILDEV_URL=http://127.0.0.1:$MAILDEV_WEB_PORT"
  echo "PROMETHEUS_URL=http://127.0.0.1:$PROMETHEUS_PORT"
}

status_line() {
  local name=$1 pidfile=$2
  shift 2
  local state="down" owner=""
  probe "$@" && state="up"
  pid_alive "$pidfile" && owner=" (started by stack.sh, pid $(cat "$pidfile"))"
  printf '%-16s %-5s %s%s\n' "$name" "$state" "${*: -1}" "$owner"
}

cmd=${1:-}
case "$cmd" in
  up)
    mkdir -p "$STATE"
    redis_up
    smtp_up
    kafka_up
    registry_up
    prometheus_up
    log "stack is up:"
    print_env | sed 's/^/  /'
    ;;
  down)
    stop_pid prometheus "$STATE/prometheus/prometheus.pid"
    stop_pid "schema registry" "$STATE/registry/registry.pid"
    stop_pid kafka "$STATE/kafka/kafka.pid"
    stop_pid maildev "$STATE/maildev/maildev.pid"
    stop_pid redis "$STATE/redis/redis.pid"
    ;;
  status)
    status_line kafka "$STATE/kafka/kafka.pid" kafka "127.0.0.1:$KAFKA_PORT"
    status_line schema-registry "$STATE/registry/registry.pid" registry "http://127.0.0.1:$REGISTRY_PORT"
    status_line redis "$STATE/redis/redis.pid" redis "$REDIS_URL"
    status_line smtp "$STATE/maildev/maildev.pid" smtp "127.0.0.1:$SMTP_PORT"
    status_line prometheus "$STATE/prometheus/prometheus.pid" prometheus "http://127.0.0.1:$PROMETHEUS_PORT"
    ;;
  env) print_env ;;
  *)
    echo "usage: bash infra/stack.sh up|down|status|env" >&2
    exit 2
    ;;
esac
