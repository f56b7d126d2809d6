/**
 * Pure reading and rewriting of a Chart.yaml's version fields.
 *
 * The rewrite goes through the `yaml` Document API, so comments, key order and the quoting of the
 * fields it touches survive; it changes only `version`, `appVersion` and the `version` of local
 * (`file://`) dependencies, and nothing else. Failure modes: text that is not a YAML mapping, or a
 * `dependencies` that is not a list of mappings, throws naming the problem.
 */
import { isMap, isScalar, isSeq, parseDocument, Scalar, type Document, type YAMLMap } from 'yaml';

export interface ChartDependency {
  name: string;
  version: string | undefined;
  repository: string | undefined;
}

export interface ChartFields {
  name: string;
  version: string | undefined;
  appVersion: string | undefined;
  type: 'application' | 'library';
  dependencies: ChartDependency[];
}

export interface WantedVersions {
  version: string;
  /** Written when set; left as it is otherwise. */
  appVersion: string | undefined;
  /** Chart name -> version, applied to dependencies whose repository is `file://...`. */
  localDependencies: ReadonlyMap<string, string>;
}

function parse(text: string, what: string): Document {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new Error(`${what}: not valid YAML: ${doc.errors[0]!.message}`);
  if (!isMap(doc.contents)) throw new Error(`${what}: not a YAML mapping`);
  return doc;
}

/** A scalar field as a string (YAML may read `version: 1.0` as a number); anything else: undefined. */
function str(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** The fields the release tooling reads from a Chart.yaml. */
export function chartFields(text: string, what = 'Chart.yaml'): ChartFields {
  const doc = parse(text, what);
  const name = str(doc.get('name'));
  if (!name) throw new Error(`${what}: has no name`);
  const deps = doc.get('dependencies');
  const dependencies: ChartDependency[] = [];
  if (deps !== undefined && deps !== null) {
    if (!isSeq(deps)) throw new Error(`${what}: dependencies is not a list`);
    for (const item of deps.items) {
      if (!isMap(item)) throw new Error(`${what}: a dependency is not a mapping`);
      dependencies.push({
        name: str(item.get('name')) ?? '',
        version: str(item.get('version')),
        repository: str(item.get('repository')),
      });
    }
  }
  return {
    name,
    version: str(doc.get('version')),
    appVersion: str(doc.get('appVersion')),
    type: doc.get('type') === 'library' ? 'library' : 'application',
    dependencies,
  };
}

/** Sets `key` to a string, keeping the existing scalar node (and so its quoting and comments). */
function setString(map: YAMLMap, key: string, value: string): void {
  const node = map.get(key, true);
  if (isScalar(node)) {
    node.value = value;
    return;
  }
  // A new node: yaml quotes it by itself when it would read back as a number (e.g. 1.10).
  map.set(key, new Scalar(value));
}

/** The Chart.yaml text with `wanted` applied; returns `text` unchanged when nothing differs. */
export function syncChartYaml(text: string, wanted: WantedVersions, what = 'Chart.yaml'): string {
  const doc = parse(text, what);
  const root = doc.contents as YAMLMap;
  setString(root, 'version', wanted.version);
  if (wanted.appVersion !== undefined) setString(root, 'appVersion', wanted.appVersion);
  const deps = doc.get('dependencies');
  if (isSeq(deps)) {
    for (const item of deps.items) {
      if (!isMap(item)) throw new Error(`${what}: a dependency is not a mapping`);
      if (!str(item.get('repository'))?.startsWith('file://')) continue;
      const version = wanted.localDependencies.get(str(item.get('name')) ?? '');
      if (version !== undefined) setString(item, 'version', version);
    }
  }
  const out = doc.toString();
  // Comparing the parsed fields rather than the text: an untouched document can still be re-printed
  // with cosmetic differences (line width), which must not count as a change.
  return out === text || sameFields(out, text) ? text : out;
}

function sameFields(a: string, b: string): boolean {
  return JSON.stringify(parseDocument(a).toJS()) === JSON.stringify(parseDocument(b).toJS());
}
