import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseFleetProfile, type FleetProfile } from './fleet-profile.schema';

/**
 * The FD001 profile committed beside this file (the build copies it into dist/ alongside the
 * compiled code). Read at call time rather than imported, so that the fitting tool still runs while
 * the artifact is being (re)created.
 */
export const FD001_FLEET_PROFILE_PATH = join(__dirname, 'fd001-fleet-profile.json');

export function loadFleetProfile(path: string = FD001_FLEET_PROFILE_PATH): FleetProfile {
  return parseFleetProfile(JSON.parse(readFileSync(path, 'utf8')), path);
}
