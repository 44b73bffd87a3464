/**
 * A container's environment as the kubelet builds it: envFrom sources first (later ones override),
 * then env in order, each value's `$(VAR)` references expanded against the variables defined so
 * far and the service variables; valueFrom reads ConfigMaps, Secrets, pod fields and container
 * resources. Failures carry the kubelet's wording; the agent reports them as
 * CreateContainerConfigError.
 */
import type { CriKeyValue } from './cri-shapes.js';
import { expand, mappingFor } from './expansion.js';
import { containerResourceValue, podFieldValue, type PodRuntimeInfo } from './field-ref.js';

/** Reads ConfigMaps and Secrets of the pod's namespace; undefined when the object does not exist. */
export interface ConfigLookup {
  getConfigMap(namespace: string, name: string): Promise<any | undefined>;
  getSecret(namespace: string, name: string): Promise<any | undefined>;
}

export interface EnvOptions extends PodRuntimeInfo {
  /**
   * Service environment variables ({SVC}_SERVICE_HOST, ...; issue 5). They are visible to `$(VAR)`
   * expansion and appended after the container's own variables unless one of them has the same name.
   */
  serviceEnv?: Record<string, string>;
}

export type EnvResult =
  | { envs: CriKeyValue[]; /** envFrom keys skipped as invalid variable names, one message per source. */ warnings: string[] }
  | { error: string };

/** Whether a key from envFrom can be an environment variable name: the relaxed rule of 1.30+ (printable ASCII, no "="); kubelets since then skip nothing a ConfigMap or Secret key can spell, only what an odd prefix makes invalid. */
export function isEnvVarName(k: string): boolean {
  return k.length > 0 && /^[\x20-\x7e]+$/.test(k) && !k.includes('=');
}

class EnvError extends Error {}

function decode(v: unknown): string {
  return typeof v === 'string' ? Buffer.from(v, 'base64').toString('utf8') : '';
}

/** Resolves the container's environment; `{ error }` when a required source is missing. */
export async function resolveEnv(pod: any, container: any, lookup: ConfigLookup, opts: EnvOptions = {}): Promise<EnvResult> {
  const ns: string = pod?.metadata?.namespace ?? 'default';
  const configMaps = new Map<string, any>();
  const secrets = new Map<string, any>();
  const getCM = async (name: string): Promise<any | undefined> => {
    if (!configMaps.has(name)) configMaps.set(name, await lookup.getConfigMap(ns, name));
    return configMaps.get(name);
  };
  const getSecret = async (name: string): Promise<any | undefined> => {
    if (!secrets.has(name)) secrets.set(name, await lookup.getSecret(ns, name));
    return secrets.get(name);
  };
  const env = new Map<string, string>();
  const warnings: string[] = [];
  try {
    for (const from of container?.envFrom ?? []) {
      const prefix: string = from?.prefix ?? '';
      let data: Record<string, string>;
      let what: string;
      if (from?.configMapRef) {
        const ref = from.configMapRef;
        what = `configMap ${ns}/${ref.name}`;
        const cm = await getCM(ref.name);
        if (!cm) {
          if (ref.optional) continue;
          throw new EnvError(`configmap "${ref.name}" not found`);
        }
        data = { ...(cm.data ?? {}) };
      } else if (from?.secretRef) {
        const ref = from.secretRef;
        what = `secret ${ns}/${ref.name}`;
        const s = await getSecret(ref.name);
        if (!s) {
          if (ref.optional) continue;
          throw new EnvError(`secret "${ref.name}" not found`);
        }
        data = Object.fromEntries(Object.entries(s.data ?? {}).map(([k, v]) => [k, decode(v)]));
      } else {
        continue;
      }
      const invalid: string[] = [];
      for (const [k, v] of Object.entries(data)) {
        const key = prefix + k;
        if (!isEnvVarName(key)) {
          invalid.push(key);
          continue;
        }
        env.set(key, v);
      }
      if (invalid.length) {
        warnings.push(`Keys [${invalid.sort().join(', ')}] from the EnvFrom ${what} were skipped since they are considered invalid environment variable names.`);
      }
    }

    const mapping = mappingFor(env, opts.serviceEnv);
    for (const v of container?.env ?? []) {
      let value: string = v?.value ?? '';
      if (value !== '') {
        value = expand(value, mapping);
      } else if (v?.valueFrom) {
        const src = v.valueFrom;
        if (src.fieldRef) {
          value = podFieldValue(pod, src.fieldRef.fieldPath, opts);
        } else if (src.resourceFieldRef) {
          const ref = src.resourceFieldRef;
          const target = ref.containerName ? findNamed(pod, ref.containerName) ?? container : container;
          value = containerResourceValue(target, ref.resource, ref.divisor, opts);
        } else if (src.configMapKeyRef) {
          const ref = src.configMapKeyRef;
          const cm = await getCM(ref.name);
          if (!cm) {
            if (ref.optional) continue;
            throw new EnvError(`configmap "${ref.name}" not found`);
          }
          if (!Object.prototype.hasOwnProperty.call(cm.data ?? {}, ref.key)) {
            if (ref.optional) continue;
            throw new EnvError(`couldn't find key ${ref.key} in ConfigMap ${ns}/${ref.name}`);
          }
          value = cm.data[ref.key];
        } else if (src.secretKeyRef) {
          const ref = src.secretKeyRef;
          const s = await getSecret(ref.name);
          if (!s) {
            if (ref.optional) continue;
            throw new EnvError(`secret "${ref.name}" not found`);
          }
          if (!Object.prototype.hasOwnProperty.call(s.data ?? {}, ref.key)) {
            if (ref.optional) continue;
            throw new EnvError(`couldn't find key ${ref.key} in Secret ${ns}/${ref.name}`);
          }
          value = decode(s.data[ref.key]);
        }
      }
      env.set(v.name, value);
    }
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
  const envs: CriKeyValue[] = [...env].map(([key, value]) => ({ key, value }));
  for (const [key, value] of Object.entries(opts.serviceEnv ?? {})) if (!env.has(key)) envs.push({ key, value });
  return { envs, warnings };
}

function findNamed(pod: any, name: string): any {
  const spec = pod?.spec ?? {};
  return [...(spec.containers ?? []), ...(spec.initContainers ?? [])].find((c: any) => c?.name === name);
}

/** Resolved env as a name → value map (for expandCommand and subPathExpr). */
export function envMap(envs: CriKeyValue[]): Map<string, string> {
  return new Map(envs.map((e) => [e.key, e.value]));
}

/** command and args with `$(VAR)` expanded against the container's resolved environment. */
export function expandCommand(container: any, envs: CriKeyValue[]): { command: string[]; args: string[] } {
  const mapping = mappingFor(envMap(envs));
  return {
    command: (container?.command ?? []).map((s: string) => expand(s, mapping)),
    args: (container?.args ?? []).map((s: string) => expand(s, mapping)),
  };
}
