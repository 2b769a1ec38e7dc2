#!/usr/bin/env bash
# Performs the Dockerfile's steps without a Docker engine: a fresh folder stands in for the
# image, COPY copies, RUN runs there, ENV exports, and CMD starts the gateway, which must answer
# its HEALTHCHECK. Usage: .ci/check-dockerfile.sh [port]
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
port=${1:-3917}
image=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$image"' EXIT
pid=
cmd=
while IFS= read -r line; do
  set -- $line
  case "${1:-}" in
    WORKDIR) ;; # the temp folder is the workdir
    ENV) export "${line#ENV }" ;;
    COPY)
      shift
      args=("$@")
      dest=${args[-1]}
      unset 'args[-1]'
      for src in "${args[@]}"; do
        if [ -d "$repo/$src" ]; then mkdir -p "$image/$dest" && cp -R "$repo/$src/." "$image/$dest"
        else mkdir -p "$image/$(dirname "$dest/x")" && cp "$repo/$src" "$image/$dest"; fi
      done ;;
    RUN) (cd "$image" && echo "RUN ${line#RUN }" && bash -c "${line#RUN }") ;;
    CMD) cmd=$(node -e 'console.log(JSON.parse(process.argv[1]).join(" "))' "${line#CMD }") ;;
  esac
done < "$repo/Dockerfile"
[ -n "$cmd" ] || { echo "no CMD in Dockerfile"; exit 1; }
cd "$image"
PORT=$port HOST=127.0.0.1 AUTH_KEY=dockerfile-check-key-0123456789 $cmd > "$image/out.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do
  if PORT=$port node -e "fetch('http://127.0.0.1:'+process.env.PORT+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"; then
    echo "HEALTHCHECK ok on port $port"
    kill -TERM "$pid"; wait "$pid" && echo "stopped cleanly"
    [ -f "$image/data/edgeload.db" ] && echo "database created in data/"
    exit 0
  fi
  sleep 0.2
done
cat "$image/out.log"
echo "the gateway did not become healthy"
exit 1
