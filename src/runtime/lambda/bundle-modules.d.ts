/**
 * Modules that exist only inside a job's bundle (deploy/bundle-options.ts): the job, aliased
 * by esbuild, and parquet-wasm's `.wasm`, inlined as bytes by esbuild's `binary` loader.
 */
declare module 'sluice:job' {
  const job: import('../../job/define-job.ts').Job;
  export default job;
}

declare module 'parquet-wasm/esm/parquet_wasm_bg.wasm' {
  const bytes: Uint8Array;
  export default bytes;
}
