// What the built SPA makes a browser download before it can run: the entry
// script of dist/index.html, its modulepreloads and every chunk they import
// statically (followed transitively), gzip -9 as a CDN would send them; and
// the lazy chunks (reached only through import()) as a separate total.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

/** The size of one file: raw bytes and gzip -9 bytes. */
function sizeOf(file) {
  const raw = readFileSync(file);
  return { raw: raw.length, gzip: gzipSync(raw, { level: 9 }).length };
}

/** Sums the sizes of files (paths relative to dist). */
function total(distDir, files) {
  const out = { files: files.length, raw: 0, gzip: 0 };
  for (const f of files) {
    const s = sizeOf(path.join(distDir, f));
    out.raw += s.raw;
    out.gzip += s.gzip;
  }
  return out;
}

/**
 * The chunks a module imports statically: `import … from "./x.js"`,
 * `import "./x.js"` and `export … from "./x.js"` (Vite's output names its
 * siblings relatively); `import("./x.js")` is lazy and not followed.
 */
export function staticImports(source) {
  const found = new Set();
  const patterns = [/\bfrom\s*["']([^"']+\.js)["']/g, /\bimport\s*["']([^"']+\.js)["']/g];
  for (const re of patterns) for (const m of source.matchAll(re)) found.add(m[1]);
  return [...found];
}

/** The entry script and modulepreloads named by index.html, as dist-relative paths. */
export function entryScripts(html) {
  const out = [];
  const tags = html.match(/<(script|link)\b[^>]*>/g) ?? [];
  for (const tag of tags) {
    const isEntry = /^<script\b/.test(tag) && /\btype=["']module["']/.test(tag);
    const isPreload = /^<link\b/.test(tag) && /\brel=["']modulepreload["']/.test(tag);
    const url = /\b(?:src|href)=["']([^"']+)["']/.exec(tag)?.[1];
    if ((isEntry || isPreload) && url && !/^[a-z]+:\/\//i.test(url)) out.push(url.replace(/^\//, ''));
  }
  return out;
}

/**
 * Measures dist: { initial, lazy, all } each { files, raw, gzip } (bytes),
 * and initialFiles, the dist-relative paths of the initial chunks.
 */
export function measureBundle(distDir) {
  const index = path.join(distDir, 'index.html');
  if (!existsSync(index)) throw new Error(`${index} is missing: run "npm run build" first`);
  const initialFiles = new Set();
  const queue = entryScripts(readFileSync(index, 'utf8'));
  if (queue.length === 0) throw new Error(`${index} names no module script`);
  while (queue.length) {
    const file = path.posix.normalize(queue.shift());
    if (initialFiles.has(file)) continue;
    const full = path.join(distDir, file);
    if (!existsSync(full)) throw new Error(`${file}, named by the initial scripts, is not in ${distDir}`);
    initialFiles.add(file);
    const dir = path.posix.dirname(file);
    for (const spec of staticImports(readFileSync(full, 'utf8'))) {
      if (spec.startsWith('.')) queue.push(path.posix.join(dir, spec));
      else if (spec.startsWith('/')) queue.push(spec.slice(1));
    }
  }
  const allJs = listJs(distDir);
  const lazyFiles = allJs.filter((f) => !initialFiles.has(f));
  return {
    initial: total(distDir, [...initialFiles]),
    lazy: total(distDir, lazyFiles),
    all: total(distDir, allJs),
    initialFiles: [...initialFiles],
  };
}

/** Every .js file under dir, dist-relative with forward slashes. */
function listJs(dir, prefix = '') {
  const out = [];
  for (const entry of readdirSync(path.join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...listJs(dir, rel));
    else if (entry.name.endsWith('.js')) out.push(rel);
  }
  return out;
}
