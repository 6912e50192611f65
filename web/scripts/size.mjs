// Prints the gzipped size of the JavaScript a first visit loads: the entry script of
// dist/index.html and every chunk it imports statically (what the browser fetches before any
// route's lazy chunk). Usage: npm run size (after npm run build).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const dist = new URL('../dist/', import.meta.url).pathname;
const html = readFileSync(join(dist, 'index.html'), 'utf8');
const entries = [...html.matchAll(/<script[^>]+src="\/([^"]+\.js)"/g), ...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="\/([^"]+\.js)"/g)].map((m) => m[1]);
const seen = new Set();
const queue = [...entries];
while (queue.length) {
  const f = queue.shift();
  if (seen.has(f)) continue;
  seen.add(f);
  const src = readFileSync(join(dist, f), 'utf8');
  // Static imports only: `import … from "./x.js"` / `import "./x.js"`, not `import("./x.js")`.
  for (const m of src.matchAll(/(?:^|[;\s}])import\s*(?:[\w*{}\s,$]+from\s*)?["']\.\/([^"']+\.js)["']/g)) queue.push(`assets/${m[1]}`);
}
let raw = 0;
let gz = 0;
for (const f of seen) {
  const b = readFileSync(join(dist, f));
  raw += b.length;
  gz += gzipSync(b, { level: 9 }).length;
  console.log(`${f.padEnd(44)} ${(b.length / 1024).toFixed(1).padStart(8)} KB  gzip ${(gzipSync(b, { level: 9 }).length / 1024).toFixed(1).padStart(7)} KB`);
}
console.log(`initial JavaScript: ${(raw / 1024).toFixed(1)} KB, gzipped ${(gz / 1024).toFixed(1)} KB (budget 300 KB)`);
if (gz > 300 * 1024) process.exitCode = 1;
