/**
 * The raw-upload ceiling as a program of its own: `node dist/bench/raw-upload-main.js SIZES.json
 * CONCURRENCY`, the container URL (with its SAS) in RAW_UPLOAD_URL so it never shows in a process
 * list. The bench runs it as a child process, like clfsload and `cp -a`, so every side pays its own
 * process start-up (Node, and importing @azure/storage-blob).
 */
import { readFileSync } from 'node:fs';
import { rawUpload } from './ceilings.js';
import { redactText } from './loader.js';

async function main(): Promise<void> {
  const [sizesFile, concurrency] = process.argv.slice(2);
  const url = process.env.RAW_UPLOAD_URL;
  if (!sizesFile || !concurrency || !url) throw new Error('usage: RAW_UPLOAD_URL=<container url> raw-upload-main.js SIZES.json CONCURRENCY');
  const sizes = JSON.parse(readFileSync(sizesFile, 'utf8')) as number[];
  await rawUpload(url, sizes, Number(concurrency));
}

main().catch((err: Error) => {
  // the message of an SDK error can quote the request URL: never print its SAS
  console.error(redactText(String(err.message)));
  process.exit(1);
});
