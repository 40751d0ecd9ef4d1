// Reads `count` CloudEvents written in Avro (serializer.type=avro,
// data.serializer.type=avro) from `topic` with kafkajs, decodes each event
// with @kafkajs/confluent-schema-registry through the registry at
// `registryURL`, then decodes its data attribute (Confluent-framed Avro
// bytes) the same way, and prints them as one JSON array of
// {key, event, data}. The key is printed as the text the key converter
// wrote. Avro longs are printed as strings.
// Usage: node consume.js <broker> <registryURL> <topic> <count>
'use strict';
const { Kafka, logLevel } = require('kafkajs');
const { SchemaRegistry } = require('@kafkajs/confluent-schema-registry');

const [broker, registryURL, topic, countArg] = process.argv.slice(2);
const count = Number(countArg);

function plain(v) {
  if (typeof v === 'bigint') return v.toString();
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
  const kafka = new Kafka({ clientId: 'kafkajs-cloudevents', brokers: [broker], logLevel: logLevel.ERROR });
  const registry = new SchemaRegistry({ host: registryURL });
  const consumer = kafka.consumer({ groupId: 'kafkajs-cloudevents-' + process.pid });
  const timer = setTimeout(() => { console.error('timed out'); process.exit(2); }, 60000);
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const out = [];
  await new Promise((resolve, reject) => {
    consumer.run({
      eachMessage: async ({ message }) => {
        try {
          const key = message.key ? message.key.toString('utf8') : null;
          const event = message.value ? await registry.decode(message.value) : null;
          const data = event ? await registry.decode(event.data) : null;
          out.push({ key, event: plain(event), data: plain(data) });
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
