/**
 * v1 Secret: type defaults to Opaque, stringData folds into data (base64), keys are config keys,
 * 1 MiB total, per-type required keys, type and immutable data cannot change.
 */
import {
  FieldPath,
  invalid,
  isConfigMapKey,
  required,
  tooLong,
  validateImmutableField,
  type FieldError,
} from '../../../machinery/validation/index.js';
import type { KindStrategy } from '../types.js';
import { MAX_SECRET_SIZE, base64Size, validateImmutableData } from './config-map.js';

const data = FieldPath.root('data');

function validateDockerJson(d: Record<string, unknown>, key: string): FieldError[] {
  if (!(key in d)) return [required(data.key(key))];
  try {
    const parsed = JSON.parse(Buffer.from(String(d[key]), 'base64').toString('utf8'));
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('json: cannot unmarshal into map');
    return [];
  } catch (e) {
    return [invalid(data.key(key), '<secret contents redacted>', (e as Error).message)];
  }
}

export const secretStrategy: KindStrategy = {
  defaults(s: any) {
    if (!s.type) s.type = 'Opaque';
    if (s.stringData && typeof s.stringData === 'object') {
      if (!s.data || typeof s.data !== 'object') s.data = {};
      for (const [k, v] of Object.entries(s.stringData)) s.data[k] = Buffer.from(String(v ?? ''), 'utf8').toString('base64');
      delete s.stringData;
    }
  },
  validate(s: any): FieldError[] {
    const errs: FieldError[] = [];
    const d: Record<string, unknown> = s?.data && typeof s.data === 'object' ? s.data : {};
    let total = 0;
    for (const [k, v] of Object.entries(d)) {
      for (const m of isConfigMapKey(k)) errs.push(invalid(data.key(k), k, m));
      total += base64Size(v);
    }
    if (total > MAX_SECRET_SIZE) errs.push(tooLong(data, MAX_SECRET_SIZE));
    switch (s?.type) {
      case 'kubernetes.io/service-account-token':
        if (!s?.metadata?.annotations?.['kubernetes.io/service-account.name']) {
          errs.push(required(FieldPath.root('metadata', 'annotations').key('kubernetes.io/service-account.name')));
        }
        break;
      case 'kubernetes.io/dockercfg':
        errs.push(...validateDockerJson(d, '.dockercfg'));
        break;
      case 'kubernetes.io/dockerconfigjson':
        errs.push(...validateDockerJson(d, '.dockerconfigjson'));
        break;
      case 'kubernetes.io/basic-auth':
        if (!('username' in d) && !('password' in d)) errs.push(required(data.key('username')), required(data.key('password')));
        break;
      case 'kubernetes.io/ssh-auth':
        if (!d['ssh-privatekey']) errs.push(required(data.key('ssh-privatekey')));
        break;
      case 'kubernetes.io/tls':
        if (!('tls.crt' in d)) errs.push(required(data.key('tls.crt')));
        if (!('tls.key' in d)) errs.push(required(data.key('tls.key')));
        break;
    }
    return errs;
  },
  validateUpdate(s: any, old: any) {
    return [
      ...validateImmutableField(s?.type ?? '', old?.type ?? '', 'type'),
      ...validateImmutableData(s, old, ['data']),
    ];
  },
};
