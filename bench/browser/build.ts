/**
 * Bundles the browser page with esbuild and serves it on 127.0.0.1, for the Playwright check
 * and for trying the page in a browser with a real GPU:
 *
 *   npx tsx bench/browser/build.ts [port]   # then open http://127.0.0.1:<port>/?run
 */
import { build } from 'esbuild';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pageFolder = fileURLToPath(new URL('.', import.meta.url));

/** Bundles entry.ts into a fresh temporary folder beside a copy of index.html, and returns the folder. */
export async function bundlePage(): Promise<string> {
  const folder = mkdtempSync(join(tmpdir(), 'icl-lab-page-'));
  await build({
    entryPoints: [join(pageFolder, 'entry.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outfile: join(folder, 'bundle.js'),
    logLevel: 'error',
    // The Node-only WebGPU worker is imported through a variable and never reaches the browser.
    external: ['node:*', 'webgpu'],
  });
  writeFileSync(join(folder, 'index.html'), readFileSync(join(pageFolder, 'index.html')));
  return folder;
}

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript' };

/** Serves the files of `folder` on 127.0.0.1 and resolves with the server and its address. */
export function servePage(folder: string, port = 0): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    const name = new URL(request.url ?? '/', 'http://127.0.0.1').pathname.replace(/^\/$/, '/index.html');
    const extension = name.slice(name.lastIndexOf('.'));
    if (!/^\/[\w.-]+$/.test(name) || TYPES[extension] === undefined) {
      response.writeHead(404).end();
      return;
    }
    try {
      const body = readFileSync(join(folder, name.slice(1)));
      response.writeHead(200, { 'content-type': TYPES[extension] }).end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  return new Promise((resolve) => {
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const actual = typeof address === 'object' && address !== null ? address.port : port;
      resolve({ server, url: `http://127.0.0.1:${actual}/` });
    });
  });
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const folder = await bundlePage();
  const { url } = await servePage(folder, Number(process.argv[2] ?? 8123));
  console.log(`serving ${folder} at ${url}?run (WebGPU), ${url}?run&mode=webgl2 and ${url}?run&mode=cpu-backend`);
}
