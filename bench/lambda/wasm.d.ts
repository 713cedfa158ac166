/** esbuild's `file` loader copies an imported `.wasm` beside the bundle; the import is its relative path. */
declare module 'parquet-wasm/esm/parquet_wasm_bg.wasm' {
  const path: string;
  export default path;
}
