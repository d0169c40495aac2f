import { api } from './api.client';
import { useLoad } from './hooks';

interface ModelInfo {
  running: {
    version: string;
    sha256: string;
    signedBy?: string | null;
    origin?: string;
    activatedAt?: number;
    card?: { subset?: string; validation?: { rmse?: number; mae?: number; phm08ScoreMean?: number; failureRiskBrier?: number; windows?: number; units?: number[] }; window?: { length?: number; features?: string[] } };
  };
  plotVersion: string | null;
}

/** The model the predictor runs, its card's validation metrics and the validation plot. */
export function ModelView() {
  const m = useLoad(() => api<ModelInfo>('/api/v1/model'), []);
  const r = m.data?.running;
  const v = r?.card?.validation;
  const fmt = (n: number | undefined, d = 2) => (n === undefined ? '–' : n.toFixed(d));
  return (
    <section aria-labelledby="model-title">
      <h1 id="model-title">Model</h1>
      {m.error && <p role="alert" class="error">{m.error}</p>}
      {r && (
        <>
          <dl class="facts">
            <div><dt>Version</dt><dd data-testid="model-version">{r.version}</dd></div>
            <div><dt>Trained on</dt><dd>C-MAPSS {r.card?.subset ?? '–'}</dd></div>
            <div><dt>Window</dt><dd>{r.card?.window?.length ?? '–'} cycles × {r.card?.window?.features?.length ?? '–'} sensors</dd></div>
            <div><dt>Signed by</dt><dd>{r.signedBy ?? 'unsigned'}</dd></div>
            <div><dt>Active since</dt><dd>{r.activatedAt ? new Date(r.activatedAt).toLocaleString() : '–'}</dd></div>
            <div><dt>SHA-256</dt><dd><code>{r.sha256.slice(0, 16)}…</code></dd></div>
          </dl>
          <h2>Validation</h2>
          <table class="metrics">
            <caption>Scored on {v?.units?.length ?? '–'} held-out engines ({v?.windows ?? '–'} windows)</caption>
            <tbody>
              <tr><th scope="row">RMSE (cycles)</th><td>{fmt(v?.rmse)}</td></tr>
              <tr><th scope="row">MAE (cycles)</th><td>{fmt(v?.mae)}</td></tr>
              <tr><th scope="row">PHM08 score per window</th><td>{fmt(v?.phm08ScoreMean)}</td></tr>
              <tr><th scope="row">Failure-risk Brier score</th><td>{fmt(v?.failureRiskBrier, 3)}</td></tr>
            </tbody>
          </table>
          {m.data?.plotVersion && (
            <figure class="plot">
              <img src="/api/v1/model/validation-plot.svg" alt={`Predicted against true remaining useful life on the validation engines, model ${m.data.plotVersion}`} />
              <figcaption>
                Validation plot of model {m.data.plotVersion}
                {m.data.plotVersion !== r.version ? ' (not the running version)' : ''}.
              </figcaption>
            </figure>
          )}
        </>
      )}
    </section>
  );
}
