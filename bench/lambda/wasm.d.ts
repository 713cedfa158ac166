/** esbuild's `binary` loader turns an imported `.wasm` file into its bytes. */
declare module 'parquet-wasm/esm/parquet_wasm_bg.wasm' {
  const bytes: Uint8Array;
  export default bytes;
}
