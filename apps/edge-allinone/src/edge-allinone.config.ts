import { loadConfig, str, type ConfigOf } from '@millwright/config';

/** The edge services this process can host, in the order they start (the others call the twin service). */
export const EDGE_SERVICES = ['twin-service', 'predictor', 'maintenance'] as const;
export type EdgeService = (typeof EDGE_SERVICES)[number];

const name = `(${EDGE_SERVICES.join('|')})`;

/** Settings of the all-in-one process itself; each hosted service reads its own table's settings. */
export const edgeAllInOneSettings = {
  MILLWRIGHT_SERVICES: str('Edge services this one process runs, comma-separated (each with its own settings and port, as above)', {
    default: EDGE_SERVICES.join(','),
    pattern: new RegExp(`^${name}(,${name})*$`),
  }),
};

export type EdgeAllInOneConfig = ConfigOf<typeof edgeAllInOneSettings> & { services: EdgeService[] };

export function loadEdgeAllInOneConfig(env: NodeJS.ProcessEnv = process.env): EdgeAllInOneConfig {
  const c = loadConfig(edgeAllInOneSettings, env);
  const wanted = new Set(c.MILLWRIGHT_SERVICES.split(','));
  return { ...c, services: EDGE_SERVICES.filter((s) => wanted.has(s)) };
}
