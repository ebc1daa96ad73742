/**
 * Starts a private Azurite blob emulator for tests: in-memory, on a free loopback port, killed on stop()
 * and on process exit. createContainer() returns a container URL carrying a racwdl SAS.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  BlobServiceClient,
  ContainerSASPermissions,
  StorageSharedKeyCredential,
  generateBlobSASQueryParameters,
} from '@azure/storage-blob';
import { repoRoot } from './paths.js';

/** Azurite's published development account (not a secret). */
export const DEV_ACCOUNT = 'devstoreaccount1';
export const DEV_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface Azurite {
  /** e.g. http://127.0.0.1:41234/devstoreaccount1 */
  blobEndpoint: string;
  /** Creates a container and returns its URL with a container SAS (racwdl, valid one day). */
  createContainer(name: string): Promise<string>;
  /** A SAS URL for a container that is not created (for "missing container" tests). */
  containerUrl(name: string): string;
  stop(): Promise<void>;
}

const azuriteMain = path.join(repoRoot, 'node_modules', 'azurite', 'dist', 'src', 'blob', 'main.js');
/**
 * Runs Azurite's main.js behind a watchdog: the child exits when its stdin pipe closes, which happens
 * whenever this process dies — even by SIGKILL or a test-runner timeout, when no exit handler runs.
 * ('azurite-blob' fills argv[1], which Azurite's argument parser skips like a script path.)
 */
const WATCHDOG = "process.stdin.on('end',()=>process.exit(0)).on('error',()=>process.exit(0)).resume();require(process.env.CLFS_AZURITE_MAIN);";
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** A free loopback port: bind port 0, read the port, release it. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Starts Azurite; retries with another port if the chosen one was taken in between. */
export async function startAzurite(): Promise<Azurite> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(await freePort());
    } catch (err) {
      lastError = err;
    }
  }
  throw lastError;
}

async function startOnce(port: number): Promise<Azurite> {
  // --inMemoryPersistence refuses --location, so the temp dir is the working directory instead
  // (Azurite puts its telemetry/debug files under the location, which defaults to cwd).
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'clfs-azurite-'));
  const args = ['-e', WATCHDOG, 'azurite-blob', '--blobHost', '127.0.0.1', '--blobPort', String(port), '--inMemoryPersistence',
    '--disableTelemetry', '--loose', '--skipApiVersionCheck', '--silent'];
  const child = spawn(process.execPath, args, { cwd: workDir, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, CLFS_AZURITE_MAIN: azuriteMain } });
  running.add(child);
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    running.delete(child);
    rmSync(workDir, { recursive: true, force: true });
  };
  try {
    await waitUntilListening(port, child, () => output);
  } catch (err) {
    await stop();
    throw err;
  }
  const blobEndpoint = `http://127.0.0.1:${port}/${DEV_ACCOUNT}`;
  const credential = new StorageSharedKeyCredential(DEV_ACCOUNT, DEV_KEY);
  // A few tries: a kept-alive socket that Azurite closes just as it is reused fails the request
  // with "socket hang up" (seen once in the fault tests' setup); the SDK retries such resets.
  const service = new BlobServiceClient(blobEndpoint, credential, { retryOptions: { maxTries: 3, retryDelayInMs: 50, maxRetryDelayInMs: 200 } });
  const containerUrl = (name: string): string => {
    const sas = generateBlobSASQueryParameters(
      { containerName: name, permissions: ContainerSASPermissions.parse('racwdl'), startsOn: new Date(Date.now() - 5 * 60_000), expiresOn: new Date(Date.now() + 24 * 3600_000) },
      credential,
    ).toString();
    return `${blobEndpoint}/${name}?${sas}`;
  };
  return {
    blobEndpoint,
    containerUrl,
    async createContainer(name) {
      // createIfNotExists: a retried create whose first try did land must not fail on 409
      await service.getContainerClient(name).createIfNotExists();
      return containerUrl(name);
    },
    stop,
  };
}

/** Polls the port until Azurite accepts connections (or the child dies / 20 s pass). */
async function waitUntilListening(port: number, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`azurite exited with ${child.exitCode}: ${output()}`);
    if (await canConnect(port)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`azurite did not start on port ${port}: ${output()}`);
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
}
