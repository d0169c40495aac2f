import type { ValueTransformer } from 'typeorm';

/** PostgreSQL returns bigint as a string (it may exceed 2^53); epoch ms and sequences never do. */
export const bigintAsNumber: ValueTransformer = {
  to: (v: number | null | undefined) => v,
  from: (v: string | number | null) => (v === null || v === undefined ? v : Number(v)),
};

/** JSON kept as text, so SQLite and PostgreSQL store it the same way. */
export const jsonText: ValueTransformer = {
  to: (v: unknown) => (v === undefined ? undefined : JSON.stringify(v)),
  from: (v: string | null) => (v === null || v === undefined ? v : JSON.parse(v)),
};
