// onnxruntime-node 1.20.1 is published without its .d.ts files; its API is onnxruntime-common's
// (its lib/index.ts: `export * from 'onnxruntime-common'` plus the native backend it registers).
declare module 'onnxruntime-node' {
  import * as common from 'onnxruntime-common';
  export * from 'onnxruntime-common';
  export default common;
}
