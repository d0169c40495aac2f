/**
 * C-MAPSS column layout and the sensor names of Saxena et al. (PHM08), Table 2. Readings carry these
 * names, so a twin, a chart and the model all speak of `T50` and `Ps30`, not of `s4` and `s11`.
 */
export const CMAPSS_SETTINGS = ['alt', 'Mach', 'TRA'] as const;

export const CMAPSS_SENSORS = [
  'T2', 'T24', 'T30', 'T50', 'P2', 'P15', 'P30', 'Nf', 'Nc', 'epr', 'Ps30',
  'phi', 'NRf', 'NRc', 'BPR', 'farB', 'htBleed', 'Nf_dmd', 'PCNfR_dmd', 'W31', 'W32',
] as const;

export type CmapssSensor = (typeof CMAPSS_SENSORS)[number];
export type CmapssSetting = (typeof CMAPSS_SETTINGS)[number];

/** Units as given in the paper (°R, psia, rpm, pps/psi, lbm/s); `-` for ratios. */
export const CMAPSS_UNITS: Record<CmapssSensor | CmapssSetting, string> = {
  alt: 'kft', Mach: '-', TRA: 'deg',
  T2: 'degR', T24: 'degR', T30: 'degR', T50: 'degR', P2: 'psia', P15: 'psia', P30: 'psia',
  Nf: 'rpm', Nc: 'rpm', epr: '-', Ps30: 'psia', phi: 'pps/psi', NRf: 'rpm', NRc: 'rpm', BPR: '-',
  farB: '-', htBleed: '-', Nf_dmd: 'rpm', PCNfR_dmd: 'rpm', W31: 'lbm/s', W32: 'lbm/s',
};

/** One row: one engine in one operating cycle. */
export interface CmapssRow {
  unit: number;
  cycle: number;
  settings: [number, number, number];
  /** The 21 sensors in file order (s1..s21). */
  sensors: number[];
}

/** One engine's whole series. */
export interface CmapssEngine {
  unit: number;
  rows: CmapssRow[];
}

/** Default place of the data set, beside the repository; override with MILLWRIGHT_CMAPSS_DIR. */
export const DEFAULT_CMAPSS_DIR = '../shared/data/cmapss';
