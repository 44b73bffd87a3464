import { describe, expect, it } from 'vitest';
import {
  isConfigMapKey,
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isValidLabelValue,
  isValidPortName,
  nameIsDNSSubdomain,
} from '../../../src/machinery/validation/index.js';

const SUBDOMAIN =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1035 =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

describe('DNS names', () => {
  it.each([
    ['example.com', []],
    ['a', []],
    ['Foo', [SUBDOMAIN]],
    ['-a', [SUBDOMAIN]],
    ['a'.repeat(254), ['must be no more than 253 characters']],
  ])('subdomain %j', (v, want) => expect(isDNS1123Subdomain(v)).toEqual(want));

  it.each([
    ['my-name', []],
    ['123-abc', []],
    ['a.b', ['must not contain dots']],
    ['A', [LABEL]],
    ['a'.repeat(64), ['must be no more than 63 characters']],
  ])('label %j', (v, want) => expect(isDNS1123Label(v)).toEqual(want));

  it.each([
    ['my-svc', []],
    ['1svc', [DNS1035]],
  ])('DNS-1035 %j', (v, want) => expect(isDNS1035Label(v)).toEqual(want));

  it('allows a trailing dash in generateName', () => {
    expect(nameIsDNSSubdomain('web-', true)).toEqual([]);
    expect(nameIsDNSSubdomain('web-', false)).toEqual([SUBDOMAIN]);
  });
});

describe('qualified names and label values', () => {
  const NAME_PART =
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
  it.each([
    ['app', []],
    ['example.com/App_1', []],
    ['/app', ['prefix part must be non-empty']],
    ['app-', [NAME_PART]],
    ['a/b/c', [expect.stringMatching(/^a qualified name must consist of .* with an optional DNS subdomain prefix and '\/' \(e\.g\. 'example\.com\/MyName'\)$/)]],
    ['Example.com/a', [expect.stringMatching(/^prefix part a lowercase RFC 1123 subdomain/)]],
  ])('qualified name %j', (v, want) => expect(isQualifiedName(v)).toEqual(want));

  it.each([
    ['', []],
    ['v1.2_3', []],
    ['-x', [expect.stringMatching(/^a valid label must be an empty string or consist of/)]],
    ['a'.repeat(64), ['must be no more than 63 characters']],
  ])('label value %j', (v, want) => expect(isValidLabelValue(v)).toEqual(want));

  it('config keys', () => {
    expect(isConfigMapKey('key.name')).toEqual([]);
    expect(isConfigMapKey('a b')).toEqual([
      "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
    ]);
    expect(isConfigMapKey('..x')).toEqual(["must not start with '..'"]);
  });

  it('port names', () => {
    expect(isValidPortName('http')).toEqual([]);
    expect(isValidPortName('80')).toEqual(['must contain at least one letter (a-z)']);
    expect(isValidPortName('a--b')).toEqual(['must not contain consecutive hyphens']);
  });
});
