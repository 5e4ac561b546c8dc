/**
 * The official Consul release the harness downloads when no binary is present. The SHA-256 of each
 * archive is pinned here so a download is verified against a value shipped with this package.
 */
export const OFFICIAL_RELEASE = {
  version: '1.22.1',
  sha256: {} as Partial<Record<string, string>>,
};

export interface ReleaseArtifact {
  url: string;
  sha256: string;
}

const ARCH: Partial<Record<string, string>> = { x64: 'amd64', arm64: 'arm64' };

/** The pinned archive for a platform, or undefined when none is pinned. */
export function officialArtifact(platform: string, arch: string): ReleaseArtifact | undefined {
  const goArch = ARCH[arch];
  if (!goArch || (platform !== 'linux' && platform !== 'darwin')) return undefined;
  const key = `${platform}_${goArch}`;
  const sha256 = OFFICIAL_RELEASE.sha256[key];
  if (!sha256) return undefined;
  const v = OFFICIAL_RELEASE.version;
  return { url: `https://releases.hashicorp.com/consul/${v}/consul_${v}_${key}.zip`, sha256 };
}
