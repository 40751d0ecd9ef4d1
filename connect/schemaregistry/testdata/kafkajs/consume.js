// Reads `count` records from `topic` with kafkajs, decodes key and value
// with @kafkajs/confluent-schema-registry through the registry at
// `registryURL`, and prints them as one JSON array (bytes as base64). Avro
// longs are read as BigInt (avsc refuses longs beyond 2^53 otherwise) and
// printed as numbers when they are safe integers, as strings when not.
// Usage: node consume.js <broker> <registryURL> <topic> <count>
'use strict';
const { Kafka, logLevel } = require('kafkajs');
const { SchemaRegistry } = require('@kafkajs/confluent-schema-registry');
const avro = require('avsc');

const bigLong = avro.types.LongType.__with({
  fromBuffer: (buf) => buf.readBigInt64LE(),
  toBuffer: (n) => { const buf = Buffer.alloc(8); buf.writeBigInt64LE(BigInt(n)); return buf; },
  fromJSON: (x) => BigInt(x),
  toJSON: (n) => Number(n),
  isValid: (n) => typeof n === 'bigint',
  compare: (a, b) => (a === b ? 0 : (a < b ? -1 : 1)),
});

const [broker, registryURL, topic, countArg] = process.argv.slice(2);
const count = Number(countArg);

function plain(v) {
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (Buffer.isBuffer(v)) return { base64: v.toString('base64') };
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object') {
    const out = {};
    for (const [k, x] of Object.entries(v)) out[k] = plain(x);
    return out;
  }
  return v;
}

async function main() {
  const kafka = new Kafka({ clientId: 'kafkajs-check', brokers: [broker], logLevel: logLevel.ERROR });
  const registry = new SchemaRegistry({ host: registryURL }, {
  forSchemaOptions: { typeHook: (s) => (s === 'long' || (s && s.type === 'long') ? bigLong : undefined) },
});
  const consumer = kafka.consumer({ groupId: 'kafkajs-check-' + process.pid });
  const timer = setTimeout(() => { console.error('timed out'); process.exit(2); }, 60000);
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const out = [];
  await new Promise((resolve, reject) => {
    consumer.run({
      eachMessage: async ({ message }) => {
        try {
          const key = message.key ? await registry.decode(message.key) : null;
          const value = message.value ? await registry.decode(message.value) : null;
          out.push({ key: plain(key), value: plain(value) });
          if (out.length >= count) resolve();
        } catch (e) { reject(e); }
      },
    }).catch(reject);
  });
  await consumer.disconnect();
  clearTimeout(timer);
  process.stdout.write(JSON.stringify(out));
}

main().catch((e) => { console.error(e && e.stack || e); process.exit(1); });
