'use strict';

/**
 * Preloaded (node --require) into `serverless package` by the deploy test: every outgoing
 * TCP connection and every DNS lookup is refused and written to $SLUICE_NETWORK_LOG, so the
 * test can show packaging is offline. Unix domain sockets stay open: they are local IPC
 * (tsx talks to its parent through one), not network. esbuild talks to its child process
 * over pipes, which never connect.
 */
const { appendFileSync } = require('node:fs');
const dns = require('node:dns');
const net = require('node:net');

const log = process.env.SLUICE_NETWORK_LOG;
const refuse = (what) => {
  if (log) appendFileSync(log, `${what}\n`);
  return new Error(`network access refused during packaging: ${what}`);
};

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  // Node normalises net.connect(...) into [options, callback] before calling this.
  const target = Array.isArray(args[0]) ? args[0][0] : args[0];
  const unixSocket = typeof target === 'string' || (typeof target === 'object' && target !== null && typeof target.path === 'string');
  if (unixSocket) return connect.apply(this, args);
  const error = refuse(`connect ${JSON.stringify(target)}`);
  process.nextTick(() => this.destroy(error));
  return this;
};

dns.lookup = (host, ...rest) => {
  const callback = rest.at(-1);
  const error = refuse(`dns.lookup ${host}`);
  if (typeof callback === 'function') process.nextTick(() => callback(error));
};
dns.promises.lookup = async (host) => {
  throw refuse(`dns.promises.lookup ${host}`);
};
