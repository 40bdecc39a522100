/**
 * The baseline: a bare express app that parses the JSON body and echoes `{ success: true }`,
 * on the same box, in its own process like the service. Prints its port on stdout.
 */
import express from 'express';

const app = express();
app.disable('x-powered-by');
app.use(express.json({ type: () => true, limit: '512kb' }));
app.post('/v1/:kind', (req, res) => {
  res.json({ success: true, n: Array.isArray(req.body?.batch) ? req.body.batch.length : 1 });
});
const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${typeof address === 'object' && address ? address.port : 0}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
