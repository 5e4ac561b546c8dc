/**
 * The official Consul release downloaded when no binary is present, with the SHA-256 of each zip
 * pinned here so a download is verified against a value shipped with this package.
 *
 * Source of the hashes: HashiCorp's own Homebrew tap, github.com/hashicorp/homebrew-tap,
 * `Formula/consul.rb` at commit 9cf01f98f15af7d1792bcfdf2dd1a4dd023554e0 (version 1.22.3). The
 * linux_amd64 value is pinned identically in a public SaltStack state (maurusnet) and the
 * darwin_arm64 one in a public Rust build script, both pinning consul 1.22.3.
 */
export const OFFICIAL_RELEASE = {
  version: '1.22.3',
  sha256: {
    linux_amd64: '0942ef6ed43522adfb4cddbefea2f0e64306318afb8aeab3727563f0caef04be',
    linux_arm64: 'ee6f8bee5290c98ad64be28e5a8865a1a299f62b4edd19e8428e3cde9ad58ffa',
    darwin_amd64: 'e4663e1ac1b6171d7f9439121009c930068c2499cfba12e3fcb2e28fdac07b41',
    darwin_arm64: 'b2881e2f9c6704fdac53d54dfb3957bf0d280600541a8e8f61d807e96ea7efa0',
  } as Readonly<Partial<Record<string, string>>>,
} as const;

/** Default origin of official releases; `CONSULKIT_RELEASE_BASE_URL` or an option may name a mirror. */
export const DEFAULT_RELEASE_BASE_URL = 'https://releases.hashicorp.com';

/** One downloadable archive and the SHA-256 it must have. */
export interface ReleaseArtifact {
  url: string;
  sha256: string;
}

const ARCH: Partial<Record<string, string>> = { x64: 'amd64', arm64: 'arm64' };

/** The pinned archive for a Node `platform`/`arch`, or undefined when none is pinned. */
export function officialArtifact(
  platform: string,
  arch: string,
  baseUrl: string = DEFAULT_RELEASE_BASE_URL,
): ReleaseArtifact | undefined {
  const goArch = ARCH[arch];
  if (!goArch || (platform !== 'linux' && platform !== 'darwin')) return undefined;
  const key = `${platform}_${goArch}`;
  const sha256 = OFFICIAL_RELEASE.sha256[key];
  if (!sha256) return undefined;
  const v = OFFICIAL_RELEASE.version;
  const base = baseUrl.replace(/\/+$/, '');
  return { url: `${base}/consul/${v}/consul_${v}_${key}.zip`, sha256 };
}
