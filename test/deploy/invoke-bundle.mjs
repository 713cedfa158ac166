// Run by the deploy test in a fresh `node`, from a folder holding only the unzipped
// artifact: imports the bundled handler (no node_modules within reach) and invokes it with
// the event read from stdin, printing the answer on a line of its own. The export to invoke
// is `handler` (the Kinesis handler) unless named after the bundle (`compact`).
const [bundle, exported = 'handler'] = process.argv.slice(2);
const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const { [exported]: handler } = await import(new URL(bundle, `file://${process.cwd()}/`).href);
const answer = await handler(JSON.parse(Buffer.concat(chunks).toString('utf8')));
process.stdout.write(`\nANSWER ${JSON.stringify({ type: typeof handler, answer })}\n`);
