// Lists the topics of a broker as kafkajs does, authenticating with
// SASL/SCRAM-SHA-512 (over TLS when a CA file is given). Exits 0 when it
// could, 1 otherwise. Arguments: broker user password [ca.pem].
const fs = require('fs');
const { Kafka, logLevel } = require('kafkajs');

const [broker, username, password, caFile] = process.argv.slice(2);
const kafka = new Kafka({
  clientId: 'tributary-test',
  brokers: [broker],
  logLevel: logLevel.NOTHING,
  connectionTimeout: 10000,
  retry: { retries: 0 },
  sasl: { mechanism: 'scram-sha-512', username, password },
  ssl: caFile ? { ca: [fs.readFileSync(caFile, 'utf8')] } : false,
});

(async () => {
  const admin = kafka.admin();
  try {
    await admin.connect();
    const topics = await admin.listTopics();
    console.log(JSON.stringify({ ok: true, topics }));
    await admin.disconnect();
    process.exit(0);
  } catch (e) {
    console.log(JSON.stringify({ ok: false, error: e.name + ': ' + e.message }));
    process.exit(1);
  }
})();
