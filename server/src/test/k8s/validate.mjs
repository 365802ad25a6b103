// Offline checks of what CI cannot deploy: every manifest that `kubectl kustomize k8s` renders is
// validated against the Kubernetes schemas (kubernetes-models), the ConfigMap is checked against
// conf/charger-status.json, and the Dockerfile is linted (dockerfile-utils). Exits non-zero on any problem.
import { readFileSync, existsSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import yaml from "js-yaml";
import { validate as lintDockerfile } from "dockerfile-utils";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "..");
const k8s = join(root, "k8s");
const problems = [];

function render() {
  try {
    return execFileSync("kubectl", ["kustomize", k8s], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    if (e.code !== "ENOENT") throw new Error("kubectl kustomize failed: " + e.stderr);
    // No kubectl: the resources of kustomization.yaml, as they are.
    const kustomization = yaml.load(readFileSync(join(k8s, "kustomization.yaml"), "utf8"));
    return kustomization.resources.map((f) => readFileSync(join(k8s, f), "utf8")).join("\n---\n");
  }
}

const docs = yaml.loadAll(render()).filter(Boolean);
for (const doc of docs) {
  const group = doc.apiVersion === "v1" ? "v1" : doc.apiVersion;
  const models = await import(`kubernetes-models/${group}`);
  const Model = models[doc.kind];
  if (!Model) {
    problems.push(`${doc.apiVersion} ${doc.kind}: no schema`);
    continue;
  }
  try {
    new Model(doc).validate();
  } catch (e) {
    problems.push(`${doc.kind}/${doc.metadata?.name}: ${e.message}`);
  }
}

const kinds = docs.map((d) => d.kind);
for (const kind of ["Deployment", "Service", "ConfigMap", "Secret", "PodDisruptionBudget", "StatefulSet"]) {
  if (!kinds.includes(kind)) problems.push(`no ${kind} in k8s/`);
}

// The ConfigMap holds settings of conf/ under their environment names, and nothing else.
const conf = JSON.parse(readFileSync(join(root, "conf", "charger-status.json"), "utf8"));
const envNames = new Set(Object.keys(conf).map((k) => k.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase()));
const configMap = docs.find((d) => d.kind === "ConfigMap" && d.metadata.name === "charger-status-config");
for (const key of Object.keys(configMap?.data ?? {})) {
  if (!envNames.has(key)) problems.push(`ConfigMap key ${key} is not a setting of conf/charger-status.json`);
}
const deployment = docs.find((d) => d.kind === "Deployment");
const grace = deployment?.spec?.template?.spec?.terminationGracePeriodSeconds ?? 30;
const deadline = Number(configMap?.data?.SHUTDOWN_DEADLINE_S ?? conf.shutdownDeadlineS);
if (!(grace > deadline)) problems.push(`terminationGracePeriodSeconds ${grace} must exceed SHUTDOWN_DEADLINE_S ${deadline}`);

// Pod Security "restricted" for every pod we run: non-root, RuntimeDefault seccomp, no privilege
// escalation, all capabilities dropped.
for (const doc of docs.filter((d) => ["Deployment", "StatefulSet"].includes(d.kind))) {
  const pod = doc.spec.template.spec;
  const name = `${doc.kind}/${doc.metadata.name}`;
  if (pod.securityContext?.runAsNonRoot !== true) problems.push(`${name}: runAsNonRoot is not true`);
  for (const c of pod.containers) {
    const seccomp = c.securityContext?.seccompProfile?.type ?? pod.securityContext?.seccompProfile?.type;
    if (seccomp !== "RuntimeDefault") problems.push(`${name}/${c.name}: seccompProfile is not RuntimeDefault`);
    if (c.securityContext?.allowPrivilegeEscalation !== false) problems.push(`${name}/${c.name}: allowPrivilegeEscalation is not false`);
    if (!(c.securityContext?.capabilities?.drop ?? []).includes("ALL")) problems.push(`${name}/${c.name}: capabilities not dropped`);
  }
}

// Several instances, one service: three replicas rolled one at a time, a budget that keeps two, pods
// spread over nodes, and the headless Service the instances find each other through.
if (deployment) {
  const spec = deployment.spec;
  if (!(spec.replicas >= 3)) problems.push(`Deployment: ${spec.replicas} replicas, the cluster needs 3`);
  const rolling = spec.strategy?.rollingUpdate;
  if (spec.strategy?.type !== "RollingUpdate" || rolling?.maxUnavailable !== 1 || rolling?.maxSurge !== 1) {
    problems.push("Deployment: strategy must be RollingUpdate with maxUnavailable 1 and maxSurge 1");
  }
  if (!spec.template.spec.affinity?.podAntiAffinity) problems.push("Deployment: no pod anti-affinity across nodes");
}
const pdb = docs.find((d) => d.kind === "PodDisruptionBudget");
if (pdb?.spec?.minAvailable !== 2) problems.push("PodDisruptionBudget: minAvailable must be 2");
const headless = docs.find((d) => d.kind === "Service" && d.spec.clusterIP === "None");
if (!headless) problems.push("no headless Service for the cluster's discovery");
else if (configMap?.data?.CLUSTER_SERVICE !== headless.metadata.name) {
  problems.push(`CLUSTER_SERVICE ${configMap?.data?.CLUSTER_SERVICE} is not the headless Service ${headless.metadata.name}`);
}
if (configMap?.data?.CLUSTER_MEMBERS !== "kubernetes") problems.push("ConfigMap: CLUSTER_MEMBERS must be kubernetes");

const dockerfile = join(root, "Dockerfile");
if (!existsSync(dockerfile)) {
  problems.push("no Dockerfile");
} else {
  // The JVM prints "Picked up JAVA_TOOL_OPTIONS" in plain text: the first line of a JSON log would not be JSON.
  if (/^\s*ENV\s+[^#\n]*JAVA_TOOL_OPTIONS/m.test(readFileSync(dockerfile, "utf8"))) {
    problems.push("Dockerfile sets JAVA_TOOL_OPTIONS: put JVM flags in the ENTRYPOINT");
  }
  for (const d of lintDockerfile(readFileSync(dockerfile, "utf8"))) {
    problems.push(`Dockerfile line ${d.range.start.line + 1}: ${d.message}`);
  }
}

if (problems.length) {
  console.error(problems.map((p) => "- " + p).join("\n"));
  console.error(`manifest check: ${problems.length} problem(s)`);
  process.exit(1);
}
console.log(`manifest check: ${docs.length} manifests valid, ConfigMap matches conf/, Dockerfile lint clean`);
