# Checks docker-compose.yml and .env.example without a Docker engine: the compose file parses as
# shipped, with its optional services switched on, and as its cluster variant; each names only
# allowed images and variables that edgeload (or that image) reads; .env.example lists exactly
# edgeload's variables. Usage: python3 .ci/check-compose.py <repo>
import re
import sys

import yaml

repo = sys.argv[1]
read = lambda path: open(f'{repo}/{path}', encoding='utf8').read()

# edgeload's variables: the zod schema's keys, plus those read outside it (the remote libSQL token
# in adapters/node/database.ts, the outbound proxy in adapters/node/proxy.ts).
env_ts = read('src/config/env.ts')
schema = env_ts[env_ts.index('const envSchema') : env_ts.index('.superRefine')]
edgeload_vars = set(re.findall(r'^    ([A-Z][A-Z0-9_]*):', schema, re.M))
edgeload_vars |= {'LIBSQL_AUTH_TOKEN', 'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY'}
assert len(edgeload_vars) > 20, 'could not read the variables of src/config/env.ts'

# Official images (Docker Hub's library/, published by Docker and the projects), with the
# variables their entrypoints read. With no engine here nothing can be pulled, so names and tags
# are checked against this list; add an image here only after checking it on Docker Hub.
IMAGES = {
    'node:22-bookworm-slim': set(),
    'postgres:16': {'POSTGRES_USER', 'POSTGRES_PASSWORD', 'POSTGRES_DB'},
    'mysql:8.4': {'MYSQL_ROOT_PASSWORD', 'MYSQL_USER', 'MYSQL_PASSWORD', 'MYSQL_DATABASE'},
    'redis:7': set(),
}
LOCAL_IMAGE = 'edgeload'  # what compose builds from the Dockerfile

errors = []

for image in re.findall(r'^FROM\s+(\S+)', read('Dockerfile'), re.M):
    if image not in IMAGES:
        errors.append(f'Dockerfile: FROM {image} is not in the allowed images')


def check(label, doc, expected):
    services = doc.get('services') or {}
    if set(services) != expected:
        errors.append(f'{label}: services {sorted(services)}, expected {sorted(expected)}')
    volumes = set(doc.get('volumes') or {})
    for name, svc in services.items():
        image = svc.get('image')
        if 'build' in svc:
            if image != LOCAL_IMAGE:
                errors.append(f'{label}: {name} builds the Dockerfile but is tagged {image}')
            allowed = edgeload_vars
        elif image in IMAGES:
            allowed = IMAGES[image]
        else:
            errors.append(f'{label}: {name} uses {image}, not an allowed image')
            allowed = set()
        env = svc.get('environment') or {}
        names = env if isinstance(env, dict) else [e.split('=', 1)[0] for e in env]
        for var in names:
            if var not in allowed:
                errors.append(f'{label}: {name} sets {var}, which {image} does not read')
        for mount in svc.get('volumes') or []:
            source = mount.split(':', 1)[0]
            if not source.startswith(('.', '/')) and source not in volumes:
                errors.append(f'{label}: {name} mounts undeclared volume {source}')
        for dep in svc.get('depends_on') or {}:
            if dep not in services:
                errors.append(f'{label}: {name} depends on missing service {dep}')
    return services


text = read('docker-compose.yml')
for var in re.findall(r'\$\{([A-Za-z_][A-Za-z0-9_]*)', text):
    if var not in edgeload_vars:
        errors.append(f'docker-compose.yml: ${{{var}}} is not an edgeload variable')
main, marker, cluster = text.partition('# --- cluster variant ---\n')
if not marker:
    errors.append('docker-compose.yml: no "# --- cluster variant ---" marker')
# Indented comments in the main part are switchable YAML; column-0 comments are prose.
switched = re.sub(r'^( +)# ?', r'\1', main, flags=re.M)
cluster = re.sub(r'^# ?', '', cluster, flags=re.M)

default = check('default', yaml.safe_load(main), {'edgeload'})
if 'DATABASE_DSN' in (default['edgeload'].get('environment') or {}):
    errors.append('default: DATABASE_DSN is set, but the default is SQLite in the data volume')
check('switched on', yaml.safe_load(switched), {'edgeload', 'postgres', 'mysql', 'redis'})
nodes = check('cluster', yaml.safe_load(cluster), {'postgres', 'redis', 'master', 'slave'})
master, slave = (nodes.get(n, {}).get('environment') or {} for n in ('master', 'slave'))
for var in ('DATABASE_DSN', 'REDIS_DSN', 'AUTH_KEY'):
    if not master.get(var) or master.get(var) != slave.get(var):
        errors.append(f'cluster: master and slave must share {var}')
if str(slave.get('IS_SLAVE')) != 'true' or master.get('IS_SLAVE', 'false') != 'false':
    errors.append('cluster: the slave needs IS_SLAVE=true and the master must not set it')

listed = re.findall(r'^# ?([A-Z][A-Z0-9_]*)=', read('.env.example'), re.M)
if sorted(listed) != sorted(edgeload_vars):
    missing = sorted(edgeload_vars - set(listed))
    extra = sorted(set(listed) - edgeload_vars)
    twice = sorted({v for v in listed if listed.count(v) > 1})
    errors.append(f'.env.example: missing {missing}, unknown {extra}, twice {twice}')

if errors:
    print('\n'.join(errors))
    sys.exit(1)
print(
    f'docker-compose.yml parses (default, switched on, cluster) with allowed images and '
    f'variables; .env.example lists all {len(edgeload_vars)} variables'
)
