// The profiles Tagsmith ships. Adding a model is adding its JSON file here.
import animeboysxl from './animeboysxl.json';
import { parseProfile, type Profile } from './profile';

export * from './profile';

export const builtinProfiles: Profile[] = [parseProfile(animeboysxl, 'core/profiles/animeboysxl.json')];

export const defaultProfile: Profile = builtinProfiles[0]!;

export function findProfile(id: string | undefined): Profile {
  return builtinProfiles.find((p) => p.id === id) ?? defaultProfile;
}
