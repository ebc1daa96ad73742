/**
 * The independent walk (independent-walk.ts) is itself checked against the Python reference:
 * its reading of every reference container equals that container's manifest.json, its reading of
 * a source tree built by make-tree.sh equals the same manifest, and the two together find no
 * difference. Then it is shown to catch what verify does not: one flipped byte of file data, and
 * a mode stored without its file-type bits (which export reads around, taking the type from the btype).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Compression, decodeObject, encodeObject, openBlob, parseBlobName, sealBlobSync } from '../../src/format/index.js';
import { describeContainer, describeSource, diffDescriptions, dirBlobs, independentDiff, type Described } from './independent-walk.js';
import { referenceDir, referenceVariants } from './paths.js';
import { makeTree } from './tree.js';
import { runCli } from './load-run.js';

interface ManifestEntry {
  path: string; type: Described['type']; mode: string; uid: number; gid: number; size: number | null; sha256: string | null;
  target: string | null; rdev: [number, number] | null; hardlink_group: string | null;
}

function fromManifest(variant: string): Described[] {
  const m = JSON.parse(readFileSync(path.join(referenceDir, variant, 'manifest.json'), 'utf8')) as { entries: ManifestEntry[] };
  return m.entries.map((e) => {
    const d: Described = { path: e.path, type: e.type, perm: parseInt(e.mode, 8), uid: e.uid, gid: e.gid, object: e.hardlink_group ?? e.path };
    if (e.type === 'file') Object.assign(d, { size: BigInt(e.size!), sha256: e.sha256 });
    if (e.type === 'symlink') d.target = Buffer.from(e.target!, 'utf8').toString('hex');
    if (e.rdev) d.dev = `${e.rdev[0]}:${e.rdev[1]}`;
    return d;
  });
}

const sourceCase = (variant: string) => JSON.parse(readFileSync(path.join(referenceDir, variant, 'run.json'), 'utf8')).case as string;
const preserve = (variant: string) => JSON.parse(readFileSync(path.join(referenceDir, variant, 'run.json'), 'utf8')).preserve_hardlinks === 1;
const container = (variant: string) => path.join(referenceDir, variant, 'container');
const asRoot = process.getuid?.() === 0;

for (const variant of referenceVariants) {
  test(`reference ${variant}: the codec-only walk of the container equals manifest.json`, async () => {
    const { entries, faults } = await describeContainer(dirBlobs(container(variant)));
    assert.deepEqual(faults, []);
    const expected = fromManifest(variant);
    assert.equal(entries.length, expected.length);
    assert.deepEqual(diffDescriptions(expected, entries, { hardlinks: preserve(variant) ? 'preserve' : 'fold' }), []);
  });
}

for (const variant of ['basic', 'special', 'hardlinks-preserve', 'bigdir']) {
  test(`reference ${variant}: the fs walk of make-tree.sh's tree equals manifest.json, and the container equals that tree`,
    { skip: !asRoot && 'NOT PROVEN HERE: needs root (make-tree.sh chowns and makes device nodes; the manifest was written as root)' }, async () => {
      const tmp = mkdtempSync(path.join(os.tmpdir(), 'clfs-indep-'));
      try {
        const src = path.join(tmp, sourceCase(variant));
        makeTree(sourceCase(variant), src);
        const hardlinks = preserve(variant) ? 'preserve' : undefined;
        assert.deepEqual(diffDescriptions(fromManifest(variant), describeSource(src), { hardlinks }), []);
        assert.deepEqual(await independentDiff(container(variant), src, { hardlinks }), []);
      } finally {
        rmSync(tmp, { recursive: true, force: true });
      }
    });
}

/** A copy of a reference container whose blobs `edit` may rewrite. */
function editedCopy(variant: string, edit: (name: string, bytes: Buffer) => Buffer | undefined): { dir: string; cleanup: () => void } {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'clfs-indep-break-'));
  const dir = path.join(tmp, 'container');
  cpSync(container(variant), dir, { recursive: true });
  for (const name of readdirSync(dir)) {
    const out = edit(name, readFileSync(path.join(dir, name)));
    if (out) writeFileSync(path.join(dir, name), out);
  }
  return { dir, cleanup: () => rmSync(tmp, { recursive: true, force: true }) };
}

async function verifyFindings(dir: string): Promise<{ code: number | null; findings: { code: string; path?: string }[] }> {
  const r = await runCli(['verify', dir, '--output-type', 'json']);
  return { code: r.code, findings: (JSON.parse(r.stdout) as { findings: { code: string; path?: string }[] }).findings };
}

test('one flipped byte of file data: verify finds nothing, the independent walk names the file', async () => {
  const victim = 'small.txt';
  let flipped = 0;
  const c = editedCopy('basic-nocompress', (name, bytes) => {
    if (parseBlobName(name).kind !== 'v2') return undefined;
    const obj = decodeObject(openBlob(bytes, name).payload, name);
    if (obj.kind !== 'inode' || Buffer.from(obj.name).toString() !== victim || !obj.data?.length) return undefined;
    // uncompressed: the payload (and its DATA) is a view into the blob's bytes
    const at = obj.data.byteOffset - bytes.byteOffset;
    bytes[at] ^= 0x01;
    flipped++;
    return bytes;
  });
  try {
    assert.equal(flipped, 1, `${victim} found once`);
    const v = await verifyFindings(c.dir);
    assert.deepEqual(v.findings, [], 'verify cannot see it: CLFS data carries no checksum');
    assert.equal(v.code, 0);
    const { entries, faults } = await describeContainer(dirBlobs(c.dir));
    assert.deepEqual(faults, []);
    const diffs = diffDescriptions(fromManifest('basic-nocompress'), entries);
    assert.equal(diffs.length, 1, diffs.join('\n'));
    assert.match(diffs[0], new RegExp(`^${victim}: sha256 `));
  } finally {
    c.cleanup();
  }
});

test('a mode stored without its file-type bits: the independent walk reports it', async () => {
  const victim = 'small.txt';
  let edited = 0;
  const c = editedCopy('basic-nocompress', (name, bytes) => {
    if (parseBlobName(name).kind !== 'v2') return undefined;
    const obj = decodeObject(openBlob(bytes, name).payload, name);
    if (obj.kind !== 'inode' || Buffer.from(obj.name).toString() !== victim) return undefined;
    obj.vattr.mode &= 0o7777;
    edited++;
    return Buffer.from(sealBlobSync(encodeObject(obj), Compression.NONE));
  });
  try {
    assert.equal(edited, 1);
    const { faults } = await describeContainer(dirBlobs(c.dir));
    assert.deepEqual(faults, [`${victim}: mode 644 has no file type bits`]);
  } finally {
    c.cleanup();
  }
});
