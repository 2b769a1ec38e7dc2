#!/usr/bin/env bash
# Performs the Dockerfile's steps without a Docker engine: each FROM starts a fresh folder that
# stands in for that stage's image, COPY copies (from the repo, or with --from=<stage> out of an
# earlier stage's folder), RUN runs there, ENV exports, and the last stage's CMD starts the
# gateway, which must answer its HEALTHCHECK; the console must have come through the build stage.
# Usage: .ci/check-dockerfile.sh [port]
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
port=${1:-3917}
declare -A stage_dir=() stage_workdir=()
folders=()
image=
stage=
pid=
cmd=
trap 'kill "$pid" 2>/dev/null || true; rm -rf "${folders[@]}"' EXIT
while IFS= read -r line; do
  set -- $line
  case "${1:-}" in
    FROM)
      image=$(mktemp -d)
      folders+=("$image")
      stage=${4:-stage${#folders[@]}} # FROM <image> AS <name>
      stage_dir[$stage]=$image
      stage_workdir[$stage]=/ ;;
    WORKDIR) stage_workdir[$stage]=$2 ;; # the stage's folder is its workdir
    ENV) export "${line#ENV }" ;;
    COPY)
      shift
      from=
      if [[ $1 == --from=* ]]; then from=${1#--from=}; shift; fi
      args=("$@")
      dest=${args[-1]}
      unset 'args[-1]'
      for src in "${args[@]}"; do
        if [ -n "$from" ]; then
          # A path in another stage is absolute in its image: strip that stage's WORKDIR.
          path="${stage_dir[$from]}/${src#"${stage_workdir[$from]%/}"/}"
        else
          path="$repo/$src"
        fi
        if [ -d "$path" ]; then mkdir -p "$image/$dest" && cp -R "$path/." "$image/$dest"
        else mkdir -p "$image/$(dirname "$dest/x")" && cp "$path" "$image/$dest"; fi
      done ;;
    RUN) (cd "$image" && echo "RUN ${line#RUN }" && bash -c "${line#RUN }") ;;
    CMD) cmd=$(node -e 'console.log(JSON.parse(process.argv[1]).join(" "))' "${line#CMD }") ;;
  esac
done < "$repo/Dockerfile"
[ -n "$cmd" ] || { echo "no CMD in Dockerfile"; exit 1; }
cd "$image"
if [ -f admin/dist/index.html ] && compgen -G 'admin/dist/assets/*.js' >/dev/null; then
  echo "admin console in the image"
else
  echo "the admin console (admin/dist) is missing from the image"; exit 1
fi
PORT=$port HOST=127.0.0.1 AUTH_KEY=dockerfile-check-key-0123456789 $cmd > "$image/out.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do
  if PORT=$port node -e "fetch('http://127.0.0.1:'+process.env.PORT+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"; then
    echo "HEALTHCHECK ok on port $port"
    # The gateway serves the console page from the image (not the "not built" notice).
    if PORT=$port node -e "fetch('http://127.0.0.1:'+process.env.PORT+'/').then(r=>r.text()).then(t=>process.exit(t.includes('id=\"app\"')?0:1),()=>process.exit(1))"; then
      echo "admin console served at /"
    else
      echo "/ does not serve the admin console"; kill -TERM "$pid"; exit 1
    fi
    kill -TERM "$pid"; wait "$pid" && echo "stopped cleanly"
    [ -f "$image/data/edgeload.db" ] && echo "database created in data/"
    exit 0
  fi
  sleep 0.2
done
cat "$image/out.log"
echo "the gateway did not become healthy"
exit 1
