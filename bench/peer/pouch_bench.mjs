// The PouchDB side of `make bench-peer` (bench/bench_peer.py starts pouchdb-server and runs this).
// Times the peer's own client against pouchdb-server over HTTP, mirroring bench/bench_http.py:
// new docs in bulk, appended "note" docs, edits in bulk, a replay of the same revisions, a
// replication pull into a fresh in-memory PouchDB, a no-op sync and a 2 MB attachment.
//
//   node bench/peer/pouch_bench.mjs <cache dir with node_modules> <server URL> <n> <batch> <pull batch> <jpeg>
// Prints one JSON object (seconds, counts, bytes) on its last line.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const [cacheDir, server, nArg, batchArg, pullBatchArg, jpegPath] = process.argv.slice(2);
const require = createRequire(join(cacheDir, 'package.json'));
const PouchDB = require('pouchdb');
PouchDB.plugin(require('pouchdb-adapter-memory'));

const n = Number(nArg);
const batch = Number(batchArg);
const pullBatch = Number(pullBatchArg);
const now = () => performance.now() / 1000;
const res = { n, batch, pullBatch };

// Counts the body bytes the client receives (decoded) and the Content-Encoding used.
// Bytes as transferred: read from the sockets of an agent of its own (headers included).
const wire = { bytes: 0, encodings: new Set(), on: false, sockets: [] };
const agent = new http.Agent({ keepAlive: true });
const createConnection = agent.createConnection.bind(agent);
agent.createConnection = (...args) => {
  const socket = createConnection(...args);
  wire.sockets.push(socket);
  return socket;
};
const countingFetch = async (url, opts) => {
  const r = await PouchDB.fetch(url, { ...opts, agent });
  if (!wire.on) return r;
  // read the body once and hand PouchDB a copy (node-fetch's clone() stalls on large bodies)
  const body = await r.arrayBuffer();
  wire.encodings.add(r.headers.get('content-encoding') || 'identity');
  wire.bytes += body.byteLength;
  return new Response(body, { status: r.status, statusText: r.statusText, headers: [...r.headers.entries()] });
};

async function median(fn, times) {
  await fn();
  const xs = [];
  for (let i = 0; i < times; i++) {
    const t = now();
    await fn();
    xs.push(now() - t);
  }
  xs.sort((a, b) => a - b);
  return xs[Math.floor(xs.length / 2)];
}

async function bulk(db, docs, opts = {}) {
  const out = [];
  const t = now();
  for (let i = 0; i < docs.length; i += batch) {
    const r = await db.bulkDocs(docs.slice(i, i + batch), opts);
    r.forEach((x, j) => { if (x.error) throw new Error(`bulkDocs ${i + j}: ${JSON.stringify(x).slice(0, 200)} ${JSON.stringify(docs[i + j]).slice(0, 300)}`); });
    out.push(...r);
  }
  return [now() - t, out];
}

const orders = new PouchDB(`${server}/workorders`);
const events = new PouchDB(`${server}/events`);
await orders.info(); // creates the databases
await events.info();

res.baselineS = await median(() => orders.info(), 50);

const siteId = crypto.randomUUID();
const created = Array.from({ length: n }, (_, i) => ({
  _id: crypto.randomUUID(),
  type: 'workOrder',
  number: `IE-2026-${String(i + 1).padStart(6, '0')}`,
  kind: 'MAINTENANCE',
  status: 'ASSIGNED',
  title: `Periyodik bakım ${i}`,
  description: 'Kamera temizliği, kayıt kontrolü',
  priority: 'NORMAL',
  siteId,
  assigneeId: siteId,
  createdAt: new Date().toISOString(),
}));
let revs;
[res.createS, revs] = await bulk(orders, created);

const notes = created.map((wo, i) => ({
  _id: crypto.randomUUID(),
  type: 'workOrderEvent',
  workOrderId: wo._id,
  kind: 'NOTE',
  text: `Kamera ${i} temizlendi, açı kontrol edildi.`,
  at: new Date().toISOString(),
}));
[res.noteS] = await bulk(events, notes);

const revOf = new Map(revs.map((r) => [r.id, r.rev])); // by id: results need not keep the order
const firstRevs = created.map((doc) => ({ ...doc, _rev: revOf.get(doc._id) }));
const edited = firstRevs.map((doc, i) => ({ ...doc, title: `Periyodik bakım ${i} (yerinde)`, priority: 'HIGH' }));
[res.updateS] = await bulk(orders, edited);

// A replication retry re-sends revisions the server already has: new_edits=false.
[res.replayS] = await bulk(orders, firstRevs, { new_edits: false });

// Replication pull of the n work orders into a fresh local database (in memory).
const local = new PouchDB(`pull-${Date.now()}`, { adapter: 'memory' });
let t = now();
const rep = await PouchDB.replicate(orders, local, { batch_size: pullBatch });
res.pullS = now() - t;
res.pullRecords = rep.docs_written;
// The same pull again into another fresh database, counting bytes (not timed).
const counted = new PouchDB(`${server}/workorders`, { fetch: countingFetch });
wire.on = true;
await PouchDB.replicate(counted, new PouchDB(`count-${Date.now()}`, { adapter: 'memory' }), {
  batch_size: pullBatch,
});
wire.on = false;
res.pullBytes = wire.bytes;
res.pullWireBytes = wire.sockets.reduce((sum, s) => sum + s.bytesRead, 0);
agent.destroy();
res.pullEncoding = [...wire.encodings].sort().join(',');

// A no-op sync: both directions, nothing to do (checkpoints are read and compared).
res.noopS = await median(() => PouchDB.sync(local, orders), 20);

// A 2 MB attachment on one work order.
const jpeg = readFileSync(jpegPath);
const doc = await orders.get(created[0]._id);
t = now();
await orders.putAttachment(doc._id, 'photo.jpg', doc._rev, jpeg, 'image/jpeg');
res.attachS = now() - t;
res.photoBytes = jpeg.length;

console.log(JSON.stringify(res));
