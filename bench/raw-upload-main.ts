/**
 * The raw-upload ceiling as a program of its own: `node raw-upload.mjs BLOBS.json CONCURRENCY`,
 * BLOBS.json a list of { name, size }, the container URL (with its SAS) in RAW_UPLOAD_URL so it
 * never shows in a process list. The bench runs it as a child process, like clfsload and `cp -a`,
 * so every side pays its own process start-up; it runs from a bundle that imports the CLI's SDK
 * bundle (raw-upload-bundle.ts), so that start-up is the CLI's too.
 */
import { readFileSync } from 'node:fs';
import { rawUpload, type PlannedBlob } from './ceilings.js';
import { redactText } from './loader.js';

async function main(): Promise<void> {
  const [blobsFile, concurrency] = process.argv.slice(2);
  const url = process.env.RAW_UPLOAD_URL;
  if (!blobsFile || !concurrency || !url) throw new Error('usage: RAW_UPLOAD_URL=<container url> raw-upload-main.js BLOBS.json CONCURRENCY');
  const blobs = JSON.parse(readFileSync(blobsFile, 'utf8')) as PlannedBlob[];
  await rawUpload(url, blobs, Number(concurrency));
}

main().catch((err: Error) => {
  // the message of an SDK error can quote the request URL: never print its SAS
  console.error(redactText(String(err.message)));
  process.exit(1);
});
