/**
 * Just enough of kinesalite's untyped API for the embedded Kinesis server: the factory
 * returns a plain `http.Server` whose `close` also closes the LevelDB store.
 */
declare module 'kinesalite' {
  import type { Server } from 'node:http';

  interface KinesaliteOptions {
    /** LevelDB folder; in memory when absent. */
    path?: string;
    createStreamMs?: number;
    deleteStreamMs?: number;
    updateStreamMs?: number;
    shardLimit?: number;
    ssl?: boolean;
  }

  function kinesalite(options?: KinesaliteOptions): Server;
  export = kinesalite;
}
