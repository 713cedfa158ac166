/**
 * Modules that exist only inside a job's bundle (deploy/bundle-options.ts): the job, aliased
 * by esbuild, and parquet-wasm's `.wasm`, copied beside the bundle by esbuild's `file`
 * loader, whose import is the copy's path relative to the bundle (`./parquet_wasm_bg.wasm`).
 */
declare module 'sluice:job' {
  const job: import('../../job/define-job.ts').Job;
  export default job;
}

declare module 'parquet-wasm/esm/parquet_wasm_bg.wasm' {
  const path: string;
  export default path;
}
