/**
 * An in-memory Azurite for the benchmark, on a free loopback port, with per-run containers
 * reachable through a container-level SAS URL (the way a real user would point clfsload at Azure).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import {
  BlobServiceClient,
  ContainerSASPermissions,
  StorageSharedKeyCredential,
  generateBlobSASQueryParameters,
} from '@azure/storage-blob';
import type { Listed } from './verify-output.js';

const ACCOUNT = 'devstoreaccount1';
// Azurite's published well-known development key (not a secret).
const ACCOUNT_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface Azurite {
  readonly endpoint: string;
  /** Creates a container; resolves to its URL with a container-level SAS (racwdl). */
  createContainer(name: string): Promise<string>;
  deleteContainer(name: string): Promise<void>;
  /** Every blob of a container: its name and size. */
  listBlobs(name: string): Promise<Listed[]>;
  stop(): Promise<void>;
}

/** Drops the query string (the SAS) so a URL can be printed. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : `${url.slice(0, q)}?<SAS redacted>`;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function waitForListening(child: ChildProcess, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`azurite did not start within ${timeoutMs} ms: ${seen.slice(-500)}`)), timeoutMs);
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString();
      if (seen.includes('successfully listens')) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`azurite exited with ${code}: ${seen.slice(-500)}`));
    });
  });
}

/**
 * Starts Azurite. `--location` cannot be combined with `--inMemoryPersistence` in Azurite 3.35
 * (it refuses to start), so the child runs with `workDir` as its cwd instead; `--silent` keeps its
 * per-request console log from costing CPU during the measurements.
 */
export async function startAzurite(repoRoot: string, workDir: string): Promise<Azurite> {
  const port = await freePort();
  const main = path.join(repoRoot, 'node_modules', 'azurite', 'dist', 'src', 'blob', 'main.js');
  const child = spawn(
    process.execPath,
    [main, '--blobHost', '127.0.0.1', '--blobPort', String(port), '--inMemoryPersistence', '--disableTelemetry', '--loose', '--skipApiVersionCheck', '--silent'],
    { cwd: workDir, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const killOnExit = (): void => void child.kill('SIGKILL');
  // Before any other exit listener (the scratch-dir removal can take seconds).
  process.prependOnceListener('exit', killOnExit);
  try {
    await waitForListening(child, 30_000);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  const endpoint = `http://127.0.0.1:${port}/${ACCOUNT}`;
  const credential = new StorageSharedKeyCredential(ACCOUNT, ACCOUNT_KEY);
  const service = new BlobServiceClient(endpoint, credential);

  return {
    endpoint,
    async createContainer(name) {
      await service.getContainerClient(name).create();
      const sas = generateBlobSASQueryParameters(
        { containerName: name, permissions: ContainerSASPermissions.parse('racwdl'), expiresOn: new Date(Date.now() + 24 * 3600_000) },
        credential,
      ).toString();
      return `${endpoint}/${name}?${sas}`;
    },
    async deleteContainer(name) {
      await service.getContainerClient(name).deleteIfExists();
    },
    async listBlobs(name) {
      const blobs: Listed[] = [];
      for await (const blob of service.getContainerClient(name).listBlobsFlat()) blobs.push({ name: blob.name, size: blob.properties.contentLength ?? 0 });
      return blobs;
    },
    async stop() {
      process.off('exit', killOnExit);
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
