import type { EnvironmentContext, JestEnvironmentConfig } from '@jest/environment';
import NodeEnvironment from 'jest-environment-node';

/**
 * jest's node environment runs each spec in its own V8 realm, but onnxruntime-node's native code
 * hands back typed arrays of the outer realm, and onnxruntime-common then rejects them (`A float32
 * tensor's data must be type of Float32Array`). Specs that run an InferenceSession opt in with
 * `@jest-environment ./tools/model-training/jest/onnxruntime.environment.ts`; this environment
 * gives the spec realm the outer realm's buffer and typed-array constructors, so both agree.
 */
const SHARED = [
  'ArrayBuffer', 'SharedArrayBuffer', 'DataView', 'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array',
  'Uint16Array', 'Int32Array', 'Uint32Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array',
] as const;

export default class OnnxRuntimeEnvironment extends NodeEnvironment {
  constructor(config: JestEnvironmentConfig, context: EnvironmentContext) {
    super(config, context);
    const outer = globalThis as unknown as Record<string, unknown>;
    const inner = this.global as unknown as Record<string, unknown>;
    for (const name of SHARED) inner[name] = outer[name];
  }
}
