import { InferenceSession, Tensor } from 'onnxruntime-node';
import { RUL_MODEL_IO } from '@millwright/rul-features';

export interface RulPrediction {
  rul: Float32Array;
  failureRisk: Float32Array;
}

/** An onnxruntime session over the RUL graph: windows in, RUL and failure risk out. */
export class OnnxRulSession {
  private constructor(
    private readonly session: InferenceSession,
    readonly inputSize: number,
  ) {}

  static async open(model: Uint8Array, inputSize: number): Promise<OnnxRulSession> {
    // One intra-op thread: the graph is tiny, and thread hand-offs cost more than they save.
    const session = await InferenceSession.create(model, { intraOpNumThreads: 1, interOpNumThreads: 1 });
    return new OnnxRulSession(session, inputSize);
  }

  /** `x` is [batch, inputSize] row-major. */
  async predict(x: Float32Array): Promise<RulPrediction> {
    const batch = x.length / this.inputSize;
    if (!Number.isInteger(batch)) throw new Error(`${x.length} values are not a whole number of ${this.inputSize}-value windows`);
    const out = await this.session.run({ [RUL_MODEL_IO.input]: new Tensor('float32', x, [batch, this.inputSize]) });
    return { rul: out[RUL_MODEL_IO.rul].data as Float32Array, failureRisk: out[RUL_MODEL_IO.failureRisk].data as Float32Array };
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}
