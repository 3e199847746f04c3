/**
 * A V8 `.cpuprofile` of the minified bundle, grouped by where the time goes: each sample's
 * stack is walked from its leaf up to the first frame whose source (mapped back through the
 * bundle's source map) belongs to a group, so `JSON.parse` called by the XML parser counts as
 * parsing and a hash called by the signer as signing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  parent?: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Groups by source path, first match wins; a frame matching none is passed over. */
const GROUPS: [string, RegExp][] = [
  // Promise hooks run only while an async hook is enabled, and cls-hooked's is the only one.
  [
    'X-Ray (tracer, cls-hooked async hook)',
    /aws-xray-sdk|cls-hooked|async-hook-jl|emitter-listener|shimmer|tracer|^node:internal\/async_hooks/,
  ],
  ['logging and metrics', /powertools[/-](logger|metrics|commons)|src\/core\/(log|metric)/],
  ['SDK signing and credentials', /signature-v4|hash-node|sha256|credential|httpAuth|signing/i],
  [
    'SDK serialization and parsing',
    /fast-xml-parser|xml-builder|protocols|smithy-client|serde|util-utf8|util-base64|querystring|util-body/,
  ],
  [
    'HTTP and sockets',
    /node-http-handler|^node:(_http|http|https|net|tls|dns|stream)|^node:internal\/(streams|net|http|stream_base|dns|tls)/,
  ],
  ['SDK middleware, retries, clients', /@smithy|@aws-sdk/],
  ['middy', /@middy/],
  ['other packages', /node_modules/],
  ['our code', /(^|\/)src\//],
  ['garbage collector', /^\(garbage collector\)$/],
  ['event loop and microtasks', /^\(runMicrotasks\)$|^node:internal\/(process\/task_queues|timers)/],
];

/** The maps of the bundle's files (the entry and, split, its chunks), each read once. */
function sourceMaps(bundleDir: string) {
  const maps = new Map<string, SourceMap | undefined>();
  return (url: string): SourceMap | undefined => {
    const file = url.startsWith('file:') ? fileURLToPath(url) : url;
    if (!file.startsWith(bundleDir)) return undefined;
    if (!maps.has(file)) {
      const map = existsSync(`${file}.map`)
        ? new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')))
        : undefined;
      maps.set(file, map);
    }
    return maps.get(file);
  };
}

function sourceOf(frame: ProfileNode['callFrame'], mapOf: ReturnType<typeof sourceMaps>): string {
  if (frame.url === '') return `(${frame.functionName.replace(/[()]/g, '')})`;
  const map = mapOf(frame.url);
  if (!map) return frame.url;
  const entry = map.findEntry(frame.lineNumber, frame.columnNumber);
  return 'originalSource' in entry ? entry.originalSource.replace(/^(\.\.\/)+/, '') : frame.url;
}

/** [group, share of the non-idle samples], largest first. */
export function summarize(profile: CpuProfile, bundleDir: string): [string, number][] {
  const mapOf = sourceMaps(bundleDir);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  for (const n of profile.nodes) for (const c of n.children ?? []) (byId.get(c) as ProfileNode).parent = n.id;
  const groupOf = new Map<number, string>();
  const classify = (id: number): string => {
    const known = groupOf.get(id);
    if (known) return known;
    const node = byId.get(id) as ProfileNode;
    const source = sourceOf(node.callFrame, mapOf);
    const own = GROUPS.find(([, re]) => re.test(source))?.[0];
    const group = own ?? (node.parent === undefined ? `unattributed ${source}` : classify(node.parent));
    groupOf.set(id, group);
    return group;
  };
  const totals = new Map<string, number>();
  let sum = 0;
  profile.samples.forEach((id, i) => {
    const frame = (byId.get(id) as ProfileNode).callFrame.functionName;
    if (frame === '(idle)') return;
    const dt = profile.timeDeltas[i] ?? 0;
    const group = frame === '(program)' ? 'V8 (program)' : classify(id);
    totals.set(group, (totals.get(group) ?? 0) + dt);
    sum += dt;
  });
  return [...totals].map(([g, t]): [string, number] => [g, t / sum]).sort((a, b) => b[1] - a[1]);
}
