#!/usr/bin/env node
// A stand-in for Kavenegar's REST API on loopback, for scripts/deploy-check.sh and
// bench/scale-out.ts: the app runs in production mode (SMS_PROVIDER=kavenegar,
// KAVENEGAR_BASE_URL=http://127.0.0.1:PORT) and this answers like Kavenegar, keeping what it
// was asked to send. GET /sent.json lists it: { method, receptor, token, message, localid }.
//   node deploy/check/fake-kavenegar.mjs PORT
import http from 'node:http';
import { URLSearchParams } from 'node:url';

const port = Number(process.argv[2] ?? 4190);
const sent = [];
let next = 1;

const server = http.createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (c) => { body += c; });
  req.on('end', () => {
    const m = /^\/v1\/[^/]+\/(sms\/send|verify\/lookup)\.json$/.exec(req.url ?? '');
    if (req.method === 'POST' && m) {
      const p = Object.fromEntries(new URLSearchParams(body));
      const messageid = next++;
      sent.push({ method: m[1], receptor: p.receptor, token: p.token ?? null, message: p.message ?? null, localid: p.localid ?? null, messageid, at: Date.now() });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ return: { status: 200, message: 'تایید شد' }, entries: [{ messageid, status: 5 }] }));
    } else if (req.method === 'GET' && req.url === '/sent.json') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(sent));
    } else {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ return: { status: 404, message: 'not found' } }));
    }
  });
});
server.listen(port, '127.0.0.1', () => process.stdout.write(`fake Kavenegar listening on 127.0.0.1:${port}\n`));
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
