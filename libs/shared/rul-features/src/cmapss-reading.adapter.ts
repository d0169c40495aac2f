import { CMAPSS_SENSORS, type CmapssRow } from '@millwright/cmapss';
import type { SensorReading } from './sensor.normaliser';

/** A C-MAPSS row as a reading keyed by sensor name, the shape telemetry delivers at the edge. */
export function cmapssRowToReading(row: CmapssRow): SensorReading {
  const reading: Record<string, number> = {};
  CMAPSS_SENSORS.forEach((name, i) => (reading[name] = row.sensors[i]));
  return reading;
}
