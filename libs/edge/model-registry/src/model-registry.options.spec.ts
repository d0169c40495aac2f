import { modelRegistryOptionProblems, releaseLocation } from './model-registry.options';

describe('model registry options', () => {
  const key = 'MCowBQYDK2VwAyEAexample';

  it('are usable with a model folder, a signed release bucket, or staged releases with keys', () => {
    expect(modelRegistryOptionProblems({ modelDir: 'models/fd001', publicKeys: [] })).toEqual([]);
    expect(modelRegistryOptionProblems({ natsBucket: 'models', publicKeys: [key] })).toEqual([]);
    expect(modelRegistryOptionProblems({ modelDir: 'models/fd001', stagedReleases: true, publicKeys: [key] })).toEqual([]);
  });

  it('need a model source, and keys for anything from the network', () => {
    expect(modelRegistryOptionProblems({ publicKeys: [] })).toEqual([expect.stringMatching(/set modelDir, natsBucket or both/)]);
    expect(modelRegistryOptionProblems({ natsBucket: 'models', publicKeys: [] })).toEqual([expect.stringMatching(/natsBucket needs at least one public key/)]);
    expect(modelRegistryOptionProblems({ modelDir: 'models/fd001', stagedReleases: true, publicKeys: [] })).toEqual([expect.stringMatching(/stagedReleases needs at least one public key/)]);
  });

  it('refuse a release bucket beside staged releases, naming every problem at once', () => {
    expect(modelRegistryOptionProblems({ modelDir: 'm', natsBucket: 'models', stagedReleases: true, publicKeys: [key] })).toEqual([expect.stringMatching(/natsBucket or stagedReleases, not both/)]);
    expect(modelRegistryOptionProblems({ natsBucket: 'models', stagedReleases: true, publicKeys: [] })).toHaveLength(3);
  });

  it('locate the release pointer only with a bucket', () => {
    expect(releaseLocation({ modelDir: 'm', publicKeys: [] })).toBeUndefined();
    expect(releaseLocation({ natsBucket: 'models', publicKeys: [key] })).toEqual({ bucket: 'models', releaseBucket: 'model-releases', releaseKey: 'current' });
  });
});
