// Validates the deployment files under deploy/ and the Dockerfile: every YAML file parses
// (duplicate keys refused); Kubernetes objects pass the Kubernetes JSON schemas
// (kubernetes-models) and Hotline's own rules (replicas, probes, non-root, read-only root,
// resources, Secret references, labels that select, connection budget); the CloudNativePG
// Cluster, docker-compose.yml, haproxy.cfg, the systemd environment file and the Dockerfile
// are checked for what Hotline relies on. Every HOTLINE_* variable they set must be one the
// binary knows (HOTLINE_VARS, from `hotlined --help`).
// Usage: HOTLINE_VARS="..." node tests/check-deploy.mjs   (run by tests/check-deploy.sh)
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import YAML from "yaml";
import { Namespace } from "kubernetes-models/v1/Namespace";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { Service } from "kubernetes-models/v1/Service";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { Job } from "kubernetes-models/batch/v1/Job";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const rel = (p) => path.relative(root, p);
const version = fs.readFileSync(path.join(root, "VERSION"), "utf8").trim();
const knownVars = new Set((process.env.HOTLINE_VARS || "").split(/\s+/).filter(Boolean));
let failures = 0;
const fail = (where, msg) => {
  failures++;
  console.log(`  FAIL  ${where}: ${msg}`);
};
const ok = (where, msg) => console.log(`  ok    ${where}: ${msg}`);
const check = (cond, where, msg) => (cond ? true : (fail(where, msg), false));

if (knownVars.size < 10) {
  console.log("HOTLINE_VARS must list the binary's variables (see tests/check-deploy.sh)");
  process.exit(2);
}

function checkVars(where, names) {
  for (const n of names)
    if (n.startsWith("HOTLINE_")) check(knownVars.has(n), where, `${n} is not a hotlined variable`);
}

// ---- every YAML file parses ---------------------------------------------------------------
function yamlFiles(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === "local" ? [] : yamlFiles(p);
    return /\.ya?ml$/.test(e.name) ? [p] : [];
  });
}
const docs = new Map(); // file -> [objects]
for (const file of yamlFiles(path.join(root, "deploy"))) {
  const parsed = YAML.parseAllDocuments(fs.readFileSync(file, "utf8"), {
    uniqueKeys: true,
    merge: true,
    prettyErrors: true,
  });
  const errors = parsed.flatMap((d) => d.errors);
  if (errors.length) {
    fail(rel(file), errors.map((e) => e.message).join("; "));
    continue;
  }
  docs.set(file, parsed.map((d) => d.toJS({ maxAliasCount: 100 })).filter((d) => d != null));
}
ok("deploy/**/*.yaml", `${docs.size} files parse`);

// ---- Kubernetes ---------------------------------------------------------------------------
const k8sDir = path.join(root, "deploy/k8s");
const models = {
  "v1/Namespace": Namespace,
  "v1/ConfigMap": ConfigMap,
  "v1/Service": Service,
  "apps/v1/Deployment": Deployment,
  "batch/v1/Job": Job,
  "policy/v1/PodDisruptionBudget": PodDisruptionBudget,
  "autoscaling/v2/HorizontalPodAutoscaler": HorizontalPodAutoscaler,
};
const objects = [];
let kustomization = null;
for (const [file, list] of docs) {
  if (path.dirname(file) !== k8sDir) continue;
  for (const obj of list) {
    const where = `${rel(file)} ${obj.kind}/${obj.metadata?.name ?? "?"}`;
    if (obj.kind === "Kustomization") {
      kustomization = { file, obj };
      continue;
    }
    if (!check(obj.apiVersion && obj.kind && obj.metadata?.name, where, "needs apiVersion, kind, metadata.name"))
      continue;
    const Model = models[`${obj.apiVersion}/${obj.kind}`];
    if (Model) {
      try {
        new Model(obj).validate();
      } catch (e) {
        fail(where, `schema: ${e.message}`);
      }
    } else if (obj.apiVersion !== "postgresql.cnpg.io/v1") {
      fail(where, `no schema for ${obj.apiVersion} ${obj.kind}`);
    }
    objects.push({ file, where, obj });
  }
}
const find = (kind, name) => objects.find((o) => o.obj.kind === kind && (!name || o.obj.metadata.name === name));
const all = (kind) => objects.filter((o) => o.obj.kind === kind);
const matches = (selector, labels) =>
  selector && Object.entries(selector).every(([k, v]) => labels?.[k] === v);

// kustomization lists exactly the files of the folder
if (check(kustomization, "deploy/k8s", "kustomization.yaml is missing")) {
  const listed = new Set(kustomization.obj.resources || []);
  const present = fs.readdirSync(k8sDir).filter((f) => /\.ya?ml$/.test(f) && f !== "kustomization.yaml");
  for (const f of present) check(listed.has(f), "kustomization.yaml", `does not list ${f}`);
  for (const f of listed) check(present.includes(f), "kustomization.yaml", `lists missing ${f}`);
  const img = (kustomization.obj.images || []).find((i) => i.name === "hotline/hotlined");
  check(img && img.newTag === version, "kustomization.yaml", `image tag must be VERSION (${version})`);
}

function checkPod(where, spec, { probes }) {
  const psc = spec.securityContext || {};
  check(psc.runAsNonRoot === true, where, "securityContext.runAsNonRoot must be true");
  check(Number.isInteger(psc.runAsUser) && psc.runAsUser > 0, where, "runAsUser must be a non-zero uid");
  check(psc.seccompProfile?.type === "RuntimeDefault", where, "seccompProfile RuntimeDefault");
  check(spec.automountServiceAccountToken === false, where, "no service account token is needed");
  for (const c of spec.containers) {
    const cw = `${where} container ${c.name}`;
    const sc = c.securityContext || {};
    check(sc.readOnlyRootFilesystem === true, cw, "readOnlyRootFilesystem must be true");
    check(sc.allowPrivilegeEscalation === false, cw, "allowPrivilegeEscalation must be false");
    check((sc.capabilities?.drop || []).includes("ALL"), cw, "capabilities.drop must include ALL");
    check(c.resources?.requests?.cpu && c.resources?.requests?.memory, cw, "resources.requests cpu and memory");
    check(c.resources?.limits?.memory, cw, "resources.limits.memory");
    check(c.image === `hotline/hotlined:${version}`, cw, `image must be hotline/hotlined:${version}`);
    const env = c.env || [];
    checkVars(cw, env.map((e) => e.name));
    for (const e of env)
      if (/TOKEN|PASSWORD|DATABASE_URL/.test(e.name))
        check(e.valueFrom?.secretKeyRef?.name && e.valueFrom.secretKeyRef.key, cw, `${e.name} must come from a Secret`);
    check(env.some((e) => e.name === "HOTLINE_DATABASE_URL"), cw, "HOTLINE_DATABASE_URL is not set");
    for (const ef of c.envFrom || []) {
      const name = ef.configMapRef?.name;
      check(name && find("ConfigMap", name), cw, `envFrom names no ConfigMap of this folder (${name})`);
    }
    if (probes) {
      const ports = new Map((c.ports || []).map((p) => [p.name, p.containerPort]));
      const probe = (p, pathWant, what) => {
        check(p?.httpGet?.path === pathWant, cw, `${what} must GET ${pathWant}`);
        const port = p?.httpGet?.port;
        check(typeof port === "number" || ports.has(port), cw, `${what} port ${port} is not a container port`);
      };
      probe(c.readinessProbe, "/readyz", "readinessProbe");
      probe(c.livenessProbe, "/healthz", "livenessProbe");
    }
  }
}

const deploy = find("Deployment", "hotlined");
const cluster = find("Cluster");
const configMap = find("ConfigMap", "hotlined");
if (check(deploy, "deploy/k8s", "no Deployment hotlined")) {
  const d = deploy.obj;
  check(d.spec.replicas >= 2, deploy.where, "at least 2 replicas");
  check(matches(d.spec.selector.matchLabels, d.spec.template.metadata.labels), deploy.where, "selector does not select its own pods");
  check(d.spec.strategy?.rollingUpdate?.maxUnavailable === 0, deploy.where, "rolling updates keep every ready pod (maxUnavailable 0)");
  checkPod(deploy.where, d.spec.template.spec, { probes: true });
  const dbEnv = d.spec.template.spec.containers[0].env.find((e) => e.name === "HOTLINE_DATABASE_URL");
  if (cluster)
    check(dbEnv?.valueFrom?.secretKeyRef?.name === `${cluster.obj.metadata.name}-app`, deploy.where,
      "HOTLINE_DATABASE_URL must come from the CloudNativePG app Secret <cluster>-app");
  const podLabels = d.spec.template.metadata.labels;
  const services = all("Service");
  check(services.length > 0, "deploy/k8s", "no Service");
  for (const s of services) {
    check(matches(s.obj.spec.selector, podLabels), s.where, "selector does not match the hotlined pods");
    const named = new Set(d.spec.template.spec.containers.flatMap((c) => (c.ports || []).map((p) => p.name)));
    for (const p of s.obj.spec.ports) check(typeof p.targetPort === "number" || named.has(p.targetPort), s.where, `targetPort ${p.targetPort} is no container port`);
  }
  const pdb = find("PodDisruptionBudget");
  if (check(pdb, "deploy/k8s", "no PodDisruptionBudget")) {
    check(matches(pdb.obj.spec.selector.matchLabels, podLabels), pdb.where, "selector does not match the hotlined pods");
    check(pdb.obj.spec.minAvailable >= 1 && pdb.obj.spec.minAvailable < d.spec.replicas, pdb.where, "minAvailable between 1 and replicas-1, or drains block");
  }
  const hpa = find("HorizontalPodAutoscaler");
  if (check(hpa, "deploy/k8s", "no HorizontalPodAutoscaler")) {
    const h = hpa.obj.spec;
    check(h.scaleTargetRef.kind === "Deployment" && h.scaleTargetRef.name === d.metadata.name, hpa.where, "must scale the hotlined Deployment");
    check(h.minReplicas >= 2, hpa.where, "minReplicas >= 2");
    const threads = Number(configMap?.obj.data?.HOTLINE_THREADS);
    const maxConn = Number(cluster?.obj.spec?.postgresql?.parameters?.max_connections);
    if (check(threads > 0 && maxConn > 0, hpa.where, "HOTLINE_THREADS (ConfigMap) and max_connections (Cluster) must be set"))
      check(h.maxReplicas * (threads + 1) + 10 <= maxConn, hpa.where,
        `maxReplicas x (threads + 1) = ${h.maxReplicas * (threads + 1)} leaves too few of max_connections ${maxConn}`);
  }
}
const job = all("Job").find((j) => (j.obj.spec.template.spec.containers[0].args || []).includes("migrate"));
if (check(job, "deploy/k8s", "no Job running hotlined migrate")) {
  check(["OnFailure", "Never"].includes(job.obj.spec.template.spec.restartPolicy), job.where, "restartPolicy OnFailure or Never");
  checkPod(job.where, job.obj.spec.template.spec, { probes: false });
}
if (configMap) checkVars(configMap.where, Object.keys(configMap.obj.data || {}));
if (check(cluster, "deploy/k8s", "no CloudNativePG Cluster")) {
  const c = cluster.obj.spec;
  check(c.instances >= 3, cluster.where, "instances >= 3 (a primary and two replicas)");
  check(c.bootstrap?.initdb?.database && c.bootstrap?.initdb?.owner, cluster.where, "bootstrap.initdb database and owner");
  check(/^\d+(Gi|Mi|Ti)$/.test(c.storage?.size || ""), cluster.where, "storage.size");
  check(c.affinity?.enablePodAntiAffinity === true, cluster.where, "instances on different nodes (enablePodAntiAffinity)");
  check(/:15(\.|$)/.test(c.imageName || ""), cluster.where, "PostgreSQL 15, the version Hotline is tested on");
  for (const b of all("ScheduledBackup"))
    check(b.obj.spec.cluster?.name === cluster.obj.metadata.name, b.where, "backs up another cluster");
}
ok("deploy/k8s", `${objects.length} objects checked`);

// ---- docker-compose.yml + haproxy.cfg --------------------------------------------------------
const composeFile = path.join(root, "deploy/docker-compose.yml");
const compose = docs.get(composeFile)?.[0];
if (check(compose?.services, "deploy/docker-compose.yml", "no services")) {
  const sv = compose.services;
  const where = "deploy/docker-compose.yml";
  const isHotlined = (s) => String(s.image || "").startsWith("hotline/hotlined");
  const migrate = Object.entries(sv).find(([, s]) => isHotlined(s) && (s.command || []).includes("migrate"));
  const replicas = Object.entries(sv).filter(([, s]) => isHotlined(s) && !(s.command || []).includes("migrate"));
  check(sv.db && /^postgres:15/.test(sv.db.image), where, "a db service on postgres:15");
  check(sv.db?.healthcheck, where, "db needs a healthcheck for migrate to wait on");
  if (check(migrate, where, "a service running hotlined migrate"))
    check(migrate[1].depends_on?.db?.condition === "service_healthy", where, "migrate waits for a healthy db");
  check(replicas.length >= 2, where, `at least 2 hotlined replicas (found ${replicas.length})`);
  for (const [name, s] of replicas) {
    check(s.depends_on?.[migrate?.[0]]?.condition === "service_completed_successfully", where, `${name} starts after a successful migrate`);
    check(s.read_only === true, where, `${name} runs with a read-only root`);
    check((s.cap_drop || []).includes("ALL"), where, `${name} drops all capabilities`);
    check(!s.ports, where, `${name} is reached through the proxy only`);
  }
  for (const [name, s] of Object.entries(sv)) checkVars(`${where} ${name}`, Object.keys(s.environment || {}));
  const proxy = sv.proxy;
  if (check(proxy && /haproxy/.test(proxy.image), where, "a proxy service (haproxy)")) {
    const mount = (proxy.volumes || []).map((v) => v.split(":")[0]).find((v) => v.endsWith("haproxy.cfg"));
    const cfgPath = mount && path.resolve(path.dirname(composeFile), mount);
    if (check(cfgPath && fs.existsSync(cfgPath), where, "the proxy mounts an existing haproxy.cfg")) {
      const cfg = fs.readFileSync(cfgPath, "utf8");
      const w = rel(cfgPath);
      check(/^\s*option httpchk GET \/readyz\s*$/m.test(cfg), w, "health checks must GET /readyz");
      for (const [name] of replicas)
        check(new RegExp(`^\\s*server \\S+ ${name}:8080\\b`, "m").test(cfg), w, `no server line for ${name}:8080`);
      check(/^\s*default-server .*\bcheck\b/m.test(cfg), w, "servers must be health-checked");
    }
  }
  ok(where, `${Object.keys(sv).length} services checked`);
}

// ---- systemd environment file ------------------------------------------------------------------
const envExample = path.join(root, "deploy/systemd/hotlined.env.example");
const envNames = fs.readFileSync(envExample, "utf8").split("\n")
  .map((l) => l.replace(/^#\s*/, "").match(/^(HOTLINE_[A-Z_]+)=/)?.[1]).filter(Boolean);
checkVars(rel(envExample), envNames);
check(envNames.includes("HOTLINE_DATABASE_URL"), rel(envExample), "sets HOTLINE_DATABASE_URL");
const unit = fs.readFileSync(path.join(root, "deploy/systemd/hotlined.service"), "utf8");
for (const d of ["DynamicUser=yes", "ProtectSystem=strict", "NoNewPrivileges=yes", "PrivateTmp=yes",
  "EnvironmentFile=/etc/hotline/hotlined.env", "ExecStart=/usr/local/bin/hotlined serve"])
  check(unit.split("\n").includes(d), "deploy/systemd/hotlined.service", `needs ${d}`);
ok("deploy/systemd", `${envNames.length} variables in the environment example`);

// ---- Dockerfile -----------------------------------------------------------------------------------
const dockerfile = fs.readFileSync(path.join(root, "Dockerfile"), "utf8").replace(/\\\n/g, " ");
const lines = dockerfile.split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
const froms = lines.map((l, i) => [l, i]).filter(([l]) => /^FROM /i.test(l));
if (check(froms.length >= 2, "Dockerfile", "multi-stage: a build stage and a runtime stage")) {
  const final = lines.slice(froms[froms.length - 1][1]);
  const user = final.filter((l) => /^USER /i.test(l)).pop();
  check(user && /^USER [1-9]\d*(:[1-9]\d*)?$/.test(user), "Dockerfile", "the final stage runs as a numeric non-root USER");
  check(final.some((l) => /^HEALTHCHECK .*\/healthz/.test(l)), "Dockerfile", "a HEALTHCHECK on /healthz");
  check(final.some((l) => /^ENTRYPOINT \[/.test(l)), "Dockerfile", "an exec-form ENTRYPOINT");
  check(!final.some((l) => /apt-get install/.test(l) && /\b(gcc|make|-dev)\b/.test(l)), "Dockerfile", "no compilers in the runtime stage");
}
const ignore = fs.existsSync(path.join(root, ".dockerignore")) ? fs.readFileSync(path.join(root, ".dockerignore"), "utf8") : "";
for (const l of lines.filter((x) => /^COPY /i.test(x) && !/--from=/.test(x))) {
  const srcs = l.split(/\s+/).slice(1, -1);
  for (const s of srcs) {
    check(fs.existsSync(path.join(root, s)), "Dockerfile", `COPY source ${s} does not exist`);
    check(!ignore || new RegExp(`^!${s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/?$`, "m").test(ignore), ".dockerignore", `must let ${s} into the build context`);
  }
}
ok("Dockerfile", `${froms.length} stages`);

if (failures) {
  console.log(`deploy files: ${failures} problem(s)`);
  process.exit(1);
}
console.log("deploy files valid");
